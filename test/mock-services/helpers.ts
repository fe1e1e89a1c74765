// Shared by the mock-services tests: JSON requests over real sockets, and an OpenAPI checker
// that validates a request against its operation's parameters and body, and an answer against
// the response schema its document gives for that status.

import { Ajv2020, type ValidateFunction } from 'ajv/dist/2020.js';
import addFormats from 'ajv-formats';
import { expect } from 'vitest';
import type { MockServices, ServiceName } from '../../mock-services/index.js';
import { controlsDocument, openApiDocument } from '../../mock-services/index.js';

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

/** Validates requests and answers against one OpenAPI document: a service's, or the controls'. */
export class OpenApiChecker {
  readonly document: Json;
  private readonly ajv = new Ajv2020({ strict: false, allErrors: true });
  private readonly validators = new Map<string, ValidateFunction>();

  constructor(service: ServiceName | 'controls') {
    this.document = service === 'controls' ? controlsDocument() : openApiDocument(service);
    addFormats.default(this.ajv);
    this.ajv.addSchema(this.document, 'doc');
  }

  /**
   * Why the request breaks its operation's query parameters, path parameters or body, or
   * undefined when the document accepts it. Query values are read as the document's `style`
   * says: `form` without `explode` is comma-separated, integers are numerals.
   */
  requestProblem(method: string, template: string, url: URL, body: unknown): string | undefined {
    const operationPointer = `/paths/${escapePointer(template)}/${method.toLowerCase()}`;
    const operation = this.resolve(operationPointer);
    if (operation === undefined) return `${method} ${template} is not documented`;
    const parameters = ((operation.parameters as Json[] | undefined) ?? []).map((parameter) =>
      typeof parameter.$ref === 'string'
        ? (this.resolve(parameter.$ref.slice(1)) ?? {})
        : parameter,
    );
    const query = parameters.filter((parameter) => parameter.in === 'query');
    for (const name of new Set(url.searchParams.keys())) {
      const parameter = query.find((candidate) => candidate.name === name);
      if (parameter === undefined) return `query parameter ${name} is not documented`;
      const values = url.searchParams.getAll(name);
      if (values.length > 1) return `query parameter ${name} is repeated`;
      const problem = this.#valueProblem(parameter, values[0] ?? '');
      if (problem !== undefined) return `query parameter ${name}: ${problem}`;
    }
    const concrete = url.pathname.split('/');
    for (const [index, part] of template.split('/').entries()) {
      const name = /^\{(.+)\}$/.exec(part)?.[1];
      const parameter = parameters.find((p) => p.in === 'path' && p.name === name);
      if (name === undefined || parameter === undefined) continue;
      const problem = this.#valueProblem(parameter, decodeURIComponent(concrete[index] ?? ''));
      if (problem !== undefined) return `path parameter ${name}: ${problem}`;
    }
    const requestBody = operation.requestBody as Json | undefined;
    if (requestBody === undefined) return body === undefined ? undefined : 'a body is not expected';
    if (body === undefined)
      return requestBody.required === true ? 'the body is missing' : undefined;
    if (typeof body === 'string') return 'the body is not JSON';
    const validate = this.#compiled(
      `${operationPointer}/requestBody/content/application~1json/schema`,
    );
    return validate(body) ? undefined : `body: ${this.ajv.errorsText(validate.errors)}`;
  }

  /**
   * Fails the test unless the service and its document agree on the request: one the document
   * accepts is not refused as a 400, and one it refuses is never answered with a 2xx.
   */
  expectRequestAgreement(
    method: string,
    template: string,
    url: URL,
    body: unknown,
    answer: JsonAnswer,
  ): void {
    const problem = this.requestProblem(method, template, url, body);
    const where = `${method} ${url.pathname}${url.search} → ${answer.status}`;
    if (problem === undefined) expect(answer.status, `${where}, a valid request`).not.toBe(400);
    else
      expect(
        answer.status >= 300,
        `${where} accepted a request the document refuses: ${problem}`,
      ).toBe(true);
  }

  #valueProblem(parameter: Json, text: string): string | undefined {
    const schema = (parameter.schema ?? {}) as Json;
    const type = schema.type;
    let value: unknown = text;
    if (type === 'array') value = text.split(',');
    else if (type === 'integer' || type === 'number')
      value = /^-?[0-9.]+$/.test(text) ? Number(text) : text;
    const validate = this.ajv.compile(schema);
    return validate(value) ? undefined : this.ajv.errorsText(validate.errors);
  }

  #compiled(schemaPointer: string): ValidateFunction {
    let validate = this.validators.get(schemaPointer);
    if (validate === undefined) {
      validate = this.ajv.compile({ $ref: `doc#${schemaPointer}` });
      this.validators.set(schemaPointer, validate);
    }
    return validate;
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
    const validate = this.#compiled(`${response.pointer}/content/application~1json/schema`);
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
