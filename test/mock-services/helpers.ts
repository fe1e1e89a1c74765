// Shared by the mock-services tests: JSON requests over real sockets, and an OpenAPI checker
// that validates an answer against the response schema its document gives for that status.

import { Ajv2020, type ValidateFunction } from 'ajv/dist/2020.js';
import addFormats from 'ajv-formats';
import { expect } from 'vitest';
import type { MockServices, ServiceName } from '../../mock-services/index.js';
import { openApiDocument } from '../../mock-services/index.js';

export interface JsonAnswer {
  status: number;
  headers: Headers;
  /** Parsed JSON, or undefined for an empty body. */
  body: unknown;
}

export interface JsonRequest {
  method?: string;
  /** Sent as JSON; a string is sent as is. */
  body?: unknown;
  headers?: Record<string, string>;
}

export async function request(url: string, init: JsonRequest = {}): Promise<JsonAnswer> {
  const { method = 'GET', body, headers = {} } = init;
  const answer = await fetch(url, {
    method,
    headers: body === undefined ? headers : { 'content-type': 'application/json', ...headers },
    body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
  });
  const text = await answer.text();
  return {
    status: answer.status,
    headers: answer.headers,
    body: text === '' ? undefined : JSON.parse(text),
  };
}

/** A typed view of a JSON body the test has already checked (or is about to). */
export function as<T>(body: unknown): T {
  return body as T;
}

export async function setChaos(mocks: MockServices, service: ServiceName, chaos: object) {
  const answer = await request(`${mocks.urls[service]}/__chaos`, { method: 'PUT', body: chaos });
  expect(answer.status).toBe(200);
}

export interface StatsBody {
  total: number;
  routes: Record<string, number>;
  batches: { route: string; ids: string[] }[];
  recent: {
    method: string;
    route: string | null;
    status: number;
    requestId: string | null;
    traceparent: string | null;
    idempotencyKey: string | null;
  }[];
}

export async function stats(mocks: MockServices, service: ServiceName): Promise<StatsBody> {
  return as<StatsBody>((await request(`${mocks.urls[service]}/__stats`)).body);
}

type Json = Record<string, unknown>;

/** Validates answers against one service's OpenAPI document. */
export class OpenApiChecker {
  readonly document: Json;
  private readonly ajv = new Ajv2020({ strict: false, allErrors: true });
  private readonly validators = new Map<string, ValidateFunction>();

  constructor(service: ServiceName) {
    this.document = openApiDocument(service);
    addFormats.default(this.ajv);
    this.ajv.addSchema(this.document, 'doc');
  }

  /** The response object for `status`, following a `$ref`; undefined when undocumented. */
  response(
    method: string,
    template: string,
    status: number,
  ): { pointer: string; value: Json } | undefined {
    const pointer = `/paths/${escapePointer(template)}/${method.toLowerCase()}/responses/${status}`;
    const value = this.resolve(pointer);
    if (value === undefined) return undefined;
    const target = value.$ref;
    if (typeof target === 'string') {
      const refPointer = target.slice(1);
      const resolved = this.resolve(refPointer);
      return resolved === undefined ? undefined : { pointer: refPointer, value: resolved };
    }
    return { pointer, value };
  }

  /** Fails the test unless the answer's status is documented and its body matches the schema. */
  expectConformant(method: string, template: string, answer: JsonAnswer): void {
    const where = `${method} ${template} → ${answer.status}`;
    const response = this.response(method, template, answer.status);
    expect(response, `${where} is not documented`).toBeDefined();
    if (response === undefined) return;
    const content = response.value.content as Json | undefined;
    if (content === undefined) {
      expect(answer.body, `${where} should have no body`).toBeUndefined();
      return;
    }
    expect(answer.headers.get('content-type')).toBe('application/json');
    const schemaPointer = `${response.pointer}/content/application~1json/schema`;
    let validate = this.validators.get(schemaPointer);
    if (validate === undefined) {
      validate = this.ajv.compile({ $ref: `doc#${schemaPointer}` });
      this.validators.set(schemaPointer, validate);
    }
    const valid = validate(answer.body);
    expect(
      valid,
      `${where}: ${this.ajv.errorsText(validate.errors)}\n${JSON.stringify(answer.body).slice(0, 500)}`,
    ).toBe(true);
  }

  /** A validator for a component schema, e.g. `Delivery`. */
  schema(name: string): ValidateFunction {
    return this.ajv.compile({ $ref: `doc#/components/schemas/${name}` });
  }

  private resolve(pointer: string): Json | undefined {
    let node: unknown = this.document;
    for (const part of pointer.split('/').slice(1)) {
      if (typeof node !== 'object' || node === null) return undefined;
      node = (node as Json)[part.replaceAll('~1', '/').replaceAll('~0', '~')];
    }
    return typeof node === 'object' && node !== null ? (node as Json) : undefined;
  }
}

function escapePointer(template: string): string {
  return template.replaceAll('~', '~0').replaceAll('/', '~1');
}
