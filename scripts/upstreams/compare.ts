import {
  deref,
  type Json,
  METHODS,
  parametersOf,
  referencedSchemas,
  schemaName,
  successResponse,
} from './view.js';

/**
 * What a new version of a service's document changes for the BFF. The BFF's view of the
 * service (`view.ts`, committed in src/upstreams/generated/) says what it relies on; the
 * candidate is held to it in two directions:
 *
 * - what the BFF sends (path, query and header parameters, body properties) must still be
 *   accepted: a parameter or property removed, a type or enum value it sends no longer
 *   allowed, a new required one it does not send, all break it;
 * - what the BFF reads (the answers' records) must still be what it validates: a property
 *   removed, no longer required, or given a type it does not expect (a string that may now be
 *   null) breaks it. A new enum value, or a looser bound, is not breaking in the document's
 *   terms, but the BFF's validator refuses it until regenerated and handled: those are listed
 *   as "must handle".
 *
 * Everything else new in the candidate (routes, optional properties, enum values of what the
 * BFF does not read), found by comparing it with the committed document, is additive.
 */

export type Severity = 'breaking' | 'must handle' | 'additive';

export interface Finding {
  severity: Severity;
  /** `GET /v1/deliveries/{id}`, or the routes that read the record, comma-separated. */
  route: string;
  /** `Delivery.eta`, `query parameter status`, …: what changed. */
  subject: string;
  message: string;
}

type Direction = 'send' | 'read';

/** Keywords that bound a value: a change of one is met by the BFF's generated validator. */
const BOUNDS = [
  'minimum',
  'maximum',
  'exclusiveMinimum',
  'exclusiveMaximum',
  'minLength',
  'maxLength',
  'pattern',
  'format',
  'minItems',
  'maxItems',
  'const',
] as const;

export function compareWithView(view: Json, candidate: Json, base?: Json): Finding[] {
  const findings: Finding[] = [];
  const add = (severity: Severity, route: string, subject: string, message: string) =>
    findings.push({ severity, route, subject, message });
  const readers = recordReaders(view);

  for (const [path, item] of Object.entries(view.paths as Record<string, Json>)) {
    for (const [method, viewOperation] of Object.entries(item) as [string, Json][]) {
      const route = `${method.toUpperCase()} ${path}`;
      const use = { method: method.toUpperCase() as 'GET' | 'POST', path };
      const operation = deref(
        candidate,
        (candidate.paths as Record<string, Json> | undefined)?.[path]?.[method],
      );
      if (operation === undefined) {
        add('breaking', route, 'route', 'removed: the BFF calls it');
        continue;
      }
      const offered = parametersOf(candidate, use);
      const sent = (viewOperation.parameters as Json[] | undefined) ?? [];
      for (const parameter of sent) {
        const subject = `${String(parameter.in)} parameter ${String(parameter.name)}`;
        const match = offered.find((p) => sameParameter(p, parameter));
        if (match === undefined) add('breaking', route, subject, 'removed: the BFF sends it');
        else
          compareSchema(view, parameter.schema, candidate, match.schema, 'send', (s, m) =>
            add(s, route, subject, m),
          );
      }
      for (const parameter of offered) {
        if (parameter.required === true && !sent.some((p) => sameParameter(p, parameter)))
          add(
            'breaking',
            route,
            `${String(parameter.in)} parameter ${String(parameter.name)}`,
            'now required: the BFF does not send it',
          );
      }

      const body = (viewOperation.requestBody as Json | undefined)?.content as Json | undefined;
      if (body !== undefined) {
        const viewBody = (body['application/json'] as Json).schema;
        const candidateBody = (
          (deref(candidate, operation.requestBody)?.content as Json | undefined)?.[
            'application/json'
          ] as Json | undefined
        )?.schema;
        if (candidateBody === undefined)
          add('breaking', route, 'body', 'no longer accepted: the BFF sends one');
        else
          compareSchema(view, viewBody, candidate, candidateBody, 'send', (s, m, at) =>
            add(s, route, `body${at}`, m),
          );
      }

      const responses = (viewOperation.responses ?? {}) as Record<string, Json>;
      for (const response of Object.values(responses)) {
        const names = (response['x-answers'] as string[] | undefined) ?? [];
        if (names.length === 0) continue;
        const success = successResponse(candidate, operation);
        const answered = referencedSchemas(success?.[1].content);
        for (const name of names) {
          if (!answered.has(name))
            add('breaking', route, 'answer', `is no longer ${name}: the BFF reads it as one`);
        }
      }
    }
  }

  const viewSchemas = (view.components as { schemas: Record<string, Json> }).schemas;
  const candidateSchemas = ((candidate.components as Json | undefined)?.schemas ?? {}) as Record<
    string,
    Json
  >;
  for (const [name, routes] of readers) {
    const route = routes.join(', ');
    if (candidateSchemas[name] === undefined) {
      add('breaking', route, name, 'removed: the BFF reads it');
      continue;
    }
    // A record inside another (a Delivery in a page, a Location in a Delivery) is compared
    // once, as itself, with every route that reads it.
    const nested = new Set([...readers.keys()].filter((other) => other !== name));
    compareSchema(
      view,
      viewSchemas[name],
      candidate,
      candidateSchemas[name],
      'read',
      (s, m, at) => add(s, route, `${name}${at}`, m),
      '',
      nested,
    );
  }

  if (base !== undefined) findings.push(...additions(base, candidate, readers, viewSchemas));
  return findings;
}

function sameParameter(a: Json, b: Json): boolean {
  return a.in === b.in && String(a.name).toLowerCase() === String(b.name).toLowerCase();
}

/** Each record schema the BFF reads → the routes whose answers hold it. */
function recordReaders(view: Json): Map<string, string[]> {
  const schemas = (view.components as { schemas: Record<string, Json> }).schemas;
  const readers = new Map<string, string[]>();
  for (const [path, item] of Object.entries(view.paths as Record<string, Json>)) {
    for (const [method, operation] of Object.entries(item) as [string, Json][]) {
      for (const response of Object.values((operation.responses ?? {}) as Record<string, Json>)) {
        const pending = [...((response['x-answers'] as string[] | undefined) ?? [])];
        const seen = new Set<string>();
        while (pending.length > 0) {
          const name = pending.pop() as string;
          if (seen.has(name)) continue;
          seen.add(name);
          const routes = readers.get(name) ?? [];
          const route = `${method.toUpperCase()} ${path}`;
          if (!routes.includes(route)) routes.push(route);
          readers.set(name, routes);
          pending.push(...referencedSchemas(schemas[name]));
        }
      }
    }
  }
  return readers;
}

type Report = (severity: Severity, message: string, at: string) => void;

function types(schema: Json): Set<string> | undefined {
  if (typeof schema.type === 'string') return new Set([schema.type]);
  if (Array.isArray(schema.type)) return new Set(schema.type as string[]);
  return undefined;
}

const typeText = (set: Set<string> | undefined) => (set === undefined ? 'any' : [...set].join('|'));

/** `inner` fits in `outer`: every type of it is one of outer's (an integer is a number). */
function fits(inner: Set<string> | undefined, outer: Set<string> | undefined): boolean {
  if (outer === undefined) return true;
  if (inner === undefined) return false;
  return [...inner].every((type) => outer.has(type) || (type === 'integer' && outer.has('number')));
}

/**
 * Reports how `candidate` differs from `view` for what the BFF does with it. `at` is the place
 * inside the schema (`.pickup.lat`, `[]`), empty at its root.
 */
function compareSchema(
  viewDocument: Json,
  viewNode: unknown,
  candidateDocument: Json,
  candidateNode: unknown,
  direction: Direction,
  report: (severity: Severity, message: string, at: string) => void,
  at = '',
  comparedElsewhere = new Set<string>(),
): void {
  const referenced = schemaName((viewNode as Json | undefined)?.$ref);
  if (referenced !== undefined && comparedElsewhere.has(referenced)) return;
  const view = deref(viewDocument, viewNode);
  const candidate = deref(candidateDocument, candidateNode);
  if (view === undefined || candidate === undefined) return;
  const say: Report = (severity, message, where) => report(severity, message, where);

  const before = types(view);
  const after = types(candidate);
  const retyped = direction === 'read' ? !fits(after, before) : !fits(before, after);
  if (retyped) {
    const who = direction === 'read' ? 'the BFF reads' : 'the BFF sends';
    say(
      'breaking',
      `retyped ${typeText(before)} → ${typeText(after)}: ${who} ${typeText(before)}`,
      at,
    );
    return;
  }

  const viewEnum = view.enum as unknown[] | undefined;
  const candidateEnum = candidate.enum as unknown[] | undefined;
  if (direction === 'read' && candidateEnum !== undefined && viewEnum !== undefined) {
    for (const value of candidateEnum.filter((v) => !viewEnum.includes(v))) {
      say(
        'must handle',
        `may now be ${JSON.stringify(value)}: the BFF must handle it, then regenerate (until then such a record is a BAD_RESPONSE)`,
        at,
      );
    }
  }
  if (direction === 'send' && candidateEnum !== undefined) {
    const refused = (viewEnum ?? []).filter((v) => !candidateEnum.includes(v));
    for (const value of refused)
      say('breaking', `no longer accepts ${JSON.stringify(value)}: the BFF may send it`, at);
    if (viewEnum === undefined)
      say(
        'must handle',
        `now limited to ${JSON.stringify(candidateEnum)}: check what the BFF sends`,
        at,
      );
  }
  for (const keyword of BOUNDS) {
    if (JSON.stringify(view[keyword]) === JSON.stringify(candidate[keyword])) continue;
    const change = `${keyword} ${JSON.stringify(view[keyword] ?? null)} → ${JSON.stringify(candidate[keyword] ?? null)}`;
    say(
      'must handle',
      direction === 'read'
        ? `${change}: regenerate, the BFF's validator holds the old bound`
        : `${change}: check that what the BFF sends stays within it`,
      at,
    );
  }

  const viewProperties = (view.properties ?? {}) as Record<string, unknown>;
  const candidateProperties = (candidate.properties ?? {}) as Record<string, unknown>;
  const viewRequired = (view.required as string[] | undefined) ?? [];
  const candidateRequired = (candidate.required as string[] | undefined) ?? [];
  for (const [name, schema] of Object.entries(viewProperties)) {
    const where = `${at}.${name}`;
    if (!(name in candidateProperties)) {
      if (direction === 'read') say('breaking', 'removed: the BFF reads it', where);
      else if (candidate.additionalProperties === false)
        say('breaking', 'removed: the BFF sends it', where);
      continue;
    }
    if (direction === 'read' && viewRequired.includes(name) && !candidateRequired.includes(name))
      say('breaking', 'no longer required: the BFF reads it as always there', where);
    compareSchema(
      viewDocument,
      schema,
      candidateDocument,
      candidateProperties[name],
      direction,
      report,
      where,
      comparedElsewhere,
    );
  }
  if (direction === 'send') {
    for (const name of candidateRequired.filter((n) => !(n in viewProperties)))
      say('breaking', 'now required: the BFF does not send it', `${at}.${name}`);
  }
  if (view.items !== undefined)
    compareSchema(
      viewDocument,
      view.items,
      candidateDocument,
      candidate.items,
      direction,
      report,
      `${at}[]`,
      comparedElsewhere,
    );
}

/** New routes, properties and enum values of the candidate that the BFF does not read. */
function additions(
  base: Json,
  candidate: Json,
  readers: Map<string, string[]>,
  viewSchemas: Record<string, Json>,
): Finding[] {
  const findings: Finding[] = [];
  const basePaths = (base.paths ?? {}) as Record<string, Json>;
  for (const [path, item] of Object.entries((candidate.paths ?? {}) as Record<string, Json>)) {
    for (const method of METHODS) {
      if (item[method] !== undefined && basePaths[path]?.[method] === undefined)
        findings.push({
          severity: 'additive',
          route: `${method.toUpperCase()} ${path}`,
          subject: 'route',
          message: 'added; the BFF does not call it',
        });
    }
  }
  const baseSchemas = ((base.components as Json | undefined)?.schemas ?? {}) as Record<
    string,
    Json
  >;
  const candidateSchemas = ((candidate.components as Json | undefined)?.schemas ?? {}) as Record<
    string,
    Json
  >;
  for (const [name, schema] of Object.entries(candidateSchemas)) {
    const route = readers.get(name)?.join(', ') ?? '-';
    const before = baseSchemas[name];
    if (before === undefined) {
      findings.push({ severity: 'additive', route, subject: name, message: 'schema added' });
      continue;
    }
    const viewed = readers.has(name) ? viewSchemas[name] : undefined;
    const sent = !readers.has(name) && viewSchemas[name] !== undefined;
    propertyAdditions(name, before, schema, viewed, sent, (subject, message) =>
      findings.push({ severity: 'additive', route, subject, message }),
    );
  }
  return findings;
}

/**
 * Properties and enum values of `after` that `before` lacks, inside nested objects too. Those
 * of what the BFF reads (`viewed`) were reported against the view; a required property new to
 * a body the BFF sends is breaking, reported there too.
 */
function propertyAdditions(
  at: string,
  before: Json,
  after: Json,
  viewed: Json | undefined,
  sent: boolean,
  report: (subject: string, message: string) => void,
): void {
  const beforeProperties = (before.properties ?? {}) as Record<string, Json>;
  const viewedProperties = (viewed?.properties ?? {}) as Record<string, Json>;
  const required = (after.required as string[] | undefined) ?? [];
  for (const [property, value] of Object.entries(
    (after.properties ?? {}) as Record<string, Json>,
  )) {
    const subject = `${at}.${property}`;
    const old = beforeProperties[property];
    if (old === undefined) {
      const isRequired = required.includes(property);
      if (!(sent && isRequired))
        report(
          subject,
          `added (${isRequired ? 'required' : 'optional'}); the BFF does not read it`,
        );
      continue;
    }
    if (property in viewedProperties) continue;
    const added = ((value.enum as unknown[] | undefined) ?? []).filter(
      (v) => !((old.enum as unknown[] | undefined) ?? []).includes(v),
    );
    if (added.length > 0)
      report(
        subject,
        `enum value ${added.map((v) => JSON.stringify(v)).join(', ')} added; the BFF does not read it`,
      );
    propertyAdditions(subject, old, value, undefined, false, report);
  }
}
