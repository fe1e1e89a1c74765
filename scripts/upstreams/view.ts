import type { RouteUse, UpstreamUse } from '../../src/upstreams/usage.js';

/**
 * The BFF's view of a service: its OpenAPI document cut down to what `src/upstreams/usage.ts`
 * says the BFF uses. Only the routes called, the parameters sent, the body properties sent
 * and the record properties read are kept; every kept schema is the document's own, word for
 * word. The view is an OpenAPI 3.1 document itself: the generator makes the record types and
 * the answer validators from it and commits it, and `upstreams:check` compares a new version
 * of the document with it.
 */

export type Json = Record<string, unknown>;

export interface View {
  document: Json;
  /** What the usage names but the document lacks; a view with problems is not written. */
  problems: string[];
}

export const METHODS = ['get', 'post', 'put', 'patch', 'delete'] as const;

/** `Delivery` from `#/components/schemas/Delivery`; undefined for any other reference. */
export function schemaName(ref: unknown): string | undefined {
  return typeof ref === 'string' && ref.startsWith('#/components/schemas/')
    ? ref.slice('#/components/schemas/'.length)
    : undefined;
}

/** The object a local `$ref` points to (one level), or the node itself. */
export function deref(document: Json, node: unknown): Json | undefined {
  if (typeof node !== 'object' || node === null) return undefined;
  const ref = (node as Json).$ref;
  if (typeof ref !== 'string') return node as Json;
  let target: unknown = document;
  for (const part of ref.slice(2).split('/')) {
    target = (target as Json | undefined)?.[part.replaceAll('~1', '/').replaceAll('~0', '~')];
  }
  return typeof target === 'object' && target !== null ? (target as Json) : undefined;
}

export function operationOf(document: Json, use: RouteUse): Json | undefined {
  const item = (document.paths as Record<string, Json> | undefined)?.[use.path];
  return deref(document, item?.[use.method.toLowerCase()]);
}

/** Parameters of an operation (its path item's first), references resolved. */
export function parametersOf(document: Json, use: RouteUse): Json[] {
  const item = (document.paths as Record<string, Json> | undefined)?.[use.path] ?? {};
  const listed = [
    ...((item.parameters as unknown[] | undefined) ?? []),
    ...((operationOf(document, use)?.parameters as unknown[] | undefined) ?? []),
  ];
  return listed.flatMap((parameter): Json[] => {
    const resolved = deref(document, parameter);
    return resolved === undefined ? [] : [resolved];
  });
}

/** The path template's `{names}`. */
export function pathParameters(path: string): string[] {
  return [...path.matchAll(/\{([^}]+)\}/g)].map((match) => match[1] ?? '');
}

export function successResponse(document: Json, operation: Json): [string, Json] | undefined {
  const responses = (operation.responses ?? {}) as Record<string, unknown>;
  const status = Object.keys(responses)
    .filter((code) => /^2/.test(code))
    .sort()[0];
  if (status === undefined) return undefined;
  const response = deref(document, responses[status]);
  return response === undefined ? undefined : [status, response];
}

/** `$ref`s to component schemas anywhere inside `node`. */
export function referencedSchemas(node: unknown, into = new Set<string>()): Set<string> {
  if (Array.isArray(node)) {
    for (const item of node) referencedSchemas(item, into);
  } else if (typeof node === 'object' && node !== null) {
    for (const [key, value] of Object.entries(node)) {
      const name = key === '$ref' ? schemaName(value) : undefined;
      if (name !== undefined) into.add(name);
      else referencedSchemas(value, into);
    }
  }
  return into;
}

/** `schema` with only the properties `keep`, still requiring those of them it required. */
function project(schema: Json, keep: readonly string[]): Json {
  const properties = (schema.properties ?? {}) as Json;
  const required = (schema.required as string[] | undefined) ?? [];
  return {
    ...schema,
    required: required.filter((name) => keep.includes(name)),
    properties: Object.fromEntries(
      Object.entries(properties).filter(([name]) => keep.includes(name)),
    ),
  };
}

export function buildView(service: string, document: Json, use: UpstreamUse): View {
  const problems: string[] = [];
  const schemas = ((document.components as Json | undefined)?.schemas ?? {}) as Record<
    string,
    Json
  >;
  const kept: Record<string, Json> = {};
  const keepSchema = (name: string, properties: readonly string[], where: string) => {
    const schema = schemas[name];
    if (schema === undefined) {
      problems.push(`${service}: ${where}: no schema ${name} in the document`);
      return;
    }
    const present = Object.keys((schema.properties ?? {}) as Json);
    for (const property of properties) {
      if (!present.includes(property))
        problems.push(`${service}: ${where}: no ${name}.${property}`);
    }
    kept[name] = project(schema, properties);
  };

  for (const [name, properties] of Object.entries(use.reads)) {
    keepSchema(name, properties, 'read');
  }

  const paths: Record<string, Json> = {};
  for (const route of use.routes) {
    const key = `${route.method} ${route.path}`;
    const operation = operationOf(document, route);
    if (operation === undefined) {
      problems.push(`${service}: ${key}: no such route`);
      continue;
    }
    const parameters = parametersOf(document, route);
    const wanted = [
      ...pathParameters(route.path).map((name) => ['path', name] as const),
      ...(route.query ?? []).map((name) => ['query', name] as const),
      ...(route.headers ?? []).map((name) => ['header', name] as const),
    ];
    const keptParameters: Json[] = [];
    for (const [place, name] of wanted) {
      const parameter = parameters.find(
        (p) => p.in === place && String(p.name).toLowerCase() === name.toLowerCase(),
      );
      if (parameter === undefined)
        problems.push(`${service}: ${key}: no ${place} parameter ${name}`);
      else keptParameters.push(parameter);
    }

    const method = route.method.toLowerCase();
    const previous = (paths[route.path]?.[method] ?? {}) as Json;
    const merged: Json = {
      operationId: operation.operationId,
      parameters: mergeParameters(
        (previous.parameters as Json[] | undefined) ?? [],
        keptParameters,
      ),
      responses: (previous.responses as Json | undefined) ?? {},
    };
    if (route.body !== undefined) {
      const body = `${route.body.schema}`;
      keepSchema(body, route.body.sends, `${key} body`);
      const requestBody = deref(document, operation.requestBody);
      merged.requestBody = {
        required: requestBody?.required === true,
        content: { 'application/json': { schema: { $ref: `#/components/schemas/${body}` } } },
      };
    }
    const success = successResponse(document, operation);
    if (route.answer !== undefined) {
      if (success === undefined) problems.push(`${service}: ${key}: no 2xx answer`);
      else {
        const [status, response] = success;
        const answered = referencedSchemas(response.content);
        if (!answered.has(route.answer))
          problems.push(`${service}: ${key}: the ${status} answer is not ${route.answer}`);
        const responses = merged.responses as Record<string, Json>;
        const earlier = responses[status] as Json | undefined;
        const names = [
          ...new Set([...((earlier?.['x-answers'] as string[] | undefined) ?? []), route.answer]),
        ];
        responses[status] = {
          description: response.description ?? '',
          'x-answers': names,
          content: answerContent(names),
        };
      }
    } else if (success !== undefined) {
      merged.responses = { [success[0]]: { description: success[1].description ?? '' } };
    }
    paths[route.path] = { ...paths[route.path], [method]: merged };
  }

  for (const [name, schema] of Object.entries(kept)) {
    for (const target of referencedSchemas(schema)) {
      if (kept[target] === undefined)
        problems.push(`${service}: ${name} refers to ${target}: list it in the reads too`);
    }
  }

  const info = (document.info ?? {}) as Json;
  return {
    problems,
    document: {
      openapi: document.openapi,
      info: {
        title: `${String(info.title ?? service)}: what the Skyway BFF uses`,
        version: info.version,
        description:
          'Generated by `npm run upstreams:generate` from mock-services/openapi/ and ' +
          'src/upstreams/usage.ts. Do not edit: edit those and regenerate.',
      },
      paths: sortKeys(paths),
      components: { schemas: sortKeys(kept) },
    },
  };
}

/**
 * One answer schema, or `oneOf` them when one route answers in two shapes (batch or page); the
 * response's `x-answers` names them, for the generator and the check.
 */
function answerContent(names: string[]): Json {
  const refs = names.map((name) => ({ $ref: `#/components/schemas/${name}` }));
  return { 'application/json': { schema: refs.length === 1 ? refs[0] : { oneOf: refs } } };
}

function mergeParameters(earlier: Json[], later: Json[]): Json[] {
  const all = [...earlier];
  for (const parameter of later) {
    if (!all.some((p) => p.in === parameter.in && p.name === parameter.name)) all.push(parameter);
  }
  return all;
}

function sortKeys<T>(record: Record<string, T>): Record<string, T> {
  return Object.fromEntries(Object.entries(record).sort(([a], [b]) => a.localeCompare(b)));
}
