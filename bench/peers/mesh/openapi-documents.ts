import { readFileSync } from 'node:fs';

/**
 * The five services' OpenAPI 3.1 documents as `@omnigraph/openapi` can read them. Two things
 * in them the loader gets wrong, both fixed here on a copy (the mock services' documents are
 * the contract and stay as they are):
 *
 * - OpenAPI 3.1 nullability, `type: ["string", "null"]` (and `anyOf: [X, { type: "null" }]`):
 *   the loader keeps the property in `required` and makes the field non-null (`eta: DateTime!`,
 *   `droneId: …!`, `nextCursor: String!`), so every delivery without a drone, charge or eta
 *   would be an error. The copy says it the 3.0 way the loader understands: the non-null type,
 *   and the property left out of `required`.
 * - The batch-or-list routes (`GET /v1/deliveries`, `/v1/accounts`, `/v1/charges`) answer
 *   `oneOf: [Batch, Page]`, which becomes a GraphQL union; `@resolveTo`'s `result: "data"`
 *   cannot walk into a union (it throws "cannot have a path data"). A page is a batch with a
 *   `nextCursor`, so the copy answers the page alone; once `nextCursor` is nullable a batch
 *   answer fits it.
 * - Query parameters' defaults (`limit`'s 20): the loader sends a default with every call,
 *   and the services refuse `ids` combined with any other parameter (a 400), so every batched
 *   link would fail. The copy leaves defaults to the services, which apply the same ones.
 *
 * The test-control routes (`/__stats`, `/__reset`, `/__chaos`) are in `controls.json`, which
 * is not read at all.
 */

export const SERVICES = ['accounts', 'deliveries', 'packages', 'drones', 'payments'] as const;
export type Service = (typeof SERVICES)[number];

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
type JsonObject = { [key: string]: Json };

const isObject = (value: Json | undefined): value is JsonObject =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

const isNullSchema = (value: Json) => isObject(value) && value.type === 'null';

/** The schema without its `null` alternative, or null when it has none. */
function withoutNull(schema: JsonObject): JsonObject | null {
  const { type, anyOf, oneOf } = schema;
  if (Array.isArray(type) && type.includes('null')) {
    const rest = type.filter((t) => t !== 'null');
    return { ...schema, type: rest.length === 1 ? (rest[0] as Json) : rest };
  }
  for (const [key, alternatives] of [
    ['anyOf', anyOf],
    ['oneOf', oneOf],
  ] as const) {
    if (Array.isArray(alternatives) && alternatives.some(isNullSchema)) {
      const rest = alternatives.filter((a) => !isNullSchema(a));
      const { [key]: _dropped, ...others } = schema;
      return rest.length === 1 && isObject(rest[0])
        ? { ...others, ...rest[0] }
        : { ...others, [key]: rest };
    }
  }
  return null;
}

/** Every schema below `value`, nullable properties rewritten the 3.0 way. */
function rewriteNullable(value: Json): Json {
  if (Array.isArray(value)) return value.map(rewriteNullable);
  if (!isObject(value)) return value;
  const out: JsonObject = {};
  for (const [key, child] of Object.entries(value)) out[key] = rewriteNullable(child);
  const properties = out.properties;
  if (isObject(properties)) {
    const nullable = new Set<string>();
    for (const [name, schema] of Object.entries(properties)) {
      if (!isObject(schema)) continue;
      const nonNull = withoutNull(schema);
      if (nonNull === null) continue;
      properties[name] = nonNull;
      nullable.add(name);
    }
    if (Array.isArray(out.required)) {
      out.required = out.required.filter((name) => !nullable.has(name as string));
    }
  }
  return out;
}

/** `oneOf: [{ $ref: …Batch }, { $ref: …Page }]` answers become the page. */
function pageForBatchOrList(value: Json): Json {
  if (Array.isArray(value)) return value.map(pageForBatchOrList);
  if (!isObject(value)) return value;
  const { oneOf } = value;
  if (Array.isArray(oneOf) && oneOf.length === 2) {
    const refs = oneOf.map((o) => (isObject(o) && typeof o.$ref === 'string' ? o.$ref : ''));
    const page = refs.find((ref) => ref.endsWith('Page'));
    if (page !== undefined && refs.some((ref) => ref.endsWith('Batch'))) return { $ref: page };
  }
  const out: JsonObject = {};
  for (const [key, child] of Object.entries(value)) out[key] = pageForBatchOrList(child);
  return out;
}

/** Query parameters without their schema's `default`. */
function withoutQueryDefaults(value: Json): Json {
  if (Array.isArray(value)) return value.map(withoutQueryDefaults);
  if (!isObject(value)) return value;
  const out: JsonObject = {};
  for (const [key, child] of Object.entries(value)) out[key] = withoutQueryDefaults(child);
  if (out.in === 'query' && isObject(out.schema) && 'default' in out.schema) {
    const { default: _dropped, ...schema } = out.schema;
    out.schema = schema;
  }
  return out;
}

/** The service's document, read from `mock-services/openapi/`, as the loader can take it. */
export function readableDocument(service: Service): JsonObject {
  const file = new URL(`../../../mock-services/openapi/${service}.json`, import.meta.url);
  const document = JSON.parse(readFileSync(file, 'utf8')) as Json;
  return withoutQueryDefaults(pageForBatchOrList(rewriteNullable(document))) as JsonObject;
}
