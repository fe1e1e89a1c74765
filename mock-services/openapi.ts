// The OpenAPI 3.1 document of each service, built from one set of shared components so the five
// documents cannot disagree. `npm run openapi:print` writes them to mock-services/openapi/; a test
// fails when the committed files differ from what this module builds.
//
// Request bodies come from the zod schemas the services validate with (bodies.ts), record and
// envelope schemas are written here, strict: every property required unless nullable, no
// additional properties, enums and integer bounds spelled out.

import { z } from 'zod';
import {
  chargeActionSchema,
  chargeCreateSchema,
  deliveryCancelSchema,
  deliveryCreateSchema,
  deliveryPaymentSchema,
  packageCreateSchema,
  tokenRequestSchema,
} from './bodies.js';
import { chaosInputSchema } from './http/chaos.js';
import { ERROR_CODES } from './http/errors.js';
import { IDEMPOTENCY_KEY_MAX_LENGTH } from './http/idempotency.js';
import { MAX_BODY_BYTES } from './http/json.js';
import { BATCH_LIMIT, RECENT_LIMIT } from './http/stats.js';
import { ID_FORMATS, type IdKind } from './ids.js';
import { DEFAULT_PORTS, type ServiceName } from './names.js';
import {
  CHARGE_STATUSES,
  DELIVERY_STATUSES,
  DRONE_STATUSES,
  PACKAGE_SIZES,
  TOKEN_ROLES,
} from './records.js';
import { DEFAULT_PAGE_LIMIT, MAX_BATCH_IDS, MAX_PAGE_LIMIT } from './services/collection.js';
import { PACKAGE_CACHE_CONTROL } from './services/packages.js';
import { TOKEN_AUDIENCE, TOKEN_ISSUER } from './tokens.js';

/** A JSON object of the document; the documents are data, checked by the tests against answers. */
type Json = Record<string, unknown>;

const ref = (kind: 'schemas' | 'parameters' | 'responses' | 'headers', name: string): Json => ({
  $ref: `#/components/${kind}/${name}`,
});
const schemaRef = (name: string) => ref('schemas', name);

function object(properties: Record<string, Json>, description?: string): Json {
  return {
    type: 'object',
    ...(description === undefined ? {} : { description }),
    additionalProperties: false,
    required: Object.keys(properties),
    properties,
  };
}

function idOf(kind: IdKind): Json {
  const { prefix, digits } = ID_FORMATS[kind];
  return {
    type: 'string',
    pattern: `^${prefix}[0-9]{${digits}}$`,
    examples: [`${prefix}${'1'.padStart(digits, '0')}`],
  };
}

const nullableIdOf = (kind: IdKind): Json => ({ ...idOf(kind), type: ['string', 'null'] });
const dateTime: Json = { type: 'string', format: 'date-time' };

/** The body schema a zod request schema accepts. */
function fromZod(schema: z.ZodType, description: string): Json {
  const { $schema: _dialect, ...json } = z.toJSONSchema(schema, { io: 'input' });
  return { description, ...json };
}

// ---------------------------------------------------------------------------------------------
// Shared components

const CURSOR_SEMANTICS =
  'Keyset cursor: the `id` of the last record already seen. The page starts right after it in ' +
  'list order; an id that does not exist is fine (the page starts where it would have been). ' +
  "Pass the previous answer's `nextCursor`.";

const SCHEMAS: Record<string, Json> = {
  Location: object({
    lat: { type: 'number', minimum: -90, maximum: 90 },
    lng: { type: 'number', minimum: -180, maximum: 180 },
  }),
  Account: object({
    id: idOf('account'),
    name: { type: 'string', minLength: 1 },
    email: { type: 'string', format: 'email' },
  }),
  Delivery: object({
    id: idOf('delivery'),
    ownerId: idOf('account'),
    packageId: idOf('package'),
    droneId: { ...nullableIdOf('drone'), description: 'Null until a drone is assigned.' },
    chargeId: { ...nullableIdOf('charge'), description: 'Null until the delivery is paid for.' },
    status: { type: 'string', enum: DELIVERY_STATUSES },
    pickup: schemaRef('Location'),
    dropoff: schemaRef('Location'),
    createdAt: dateTime,
    eta: {
      type: ['string', 'null'],
      format: 'date-time',
      description: 'Set while SCHEDULED or IN_TRANSIT.',
    },
  }),
  Package: object({
    id: idOf('package'),
    size: { type: 'string', enum: PACKAGE_SIZES },
    weightKg: { type: 'number', exclusiveMinimum: 0, maximum: 25 },
    tag: { type: ['string', 'null'], maxLength: 64 },
  }),
  Drone: object({
    id: idOf('drone'),
    model: { type: 'string', minLength: 1 },
    status: { type: 'string', enum: DRONE_STATUSES },
    batteryPct: { type: 'integer', minimum: 0, maximum: 100 },
    location: schemaRef('Location'),
  }),
  Charge: object({
    id: idOf('charge'),
    deliveryId: idOf('delivery'),
    amountCents: { type: 'integer', minimum: 1, maximum: 10_000_000 },
    currency: { type: 'string', pattern: '^[A-Z]{3}$' },
    status: {
      type: 'string',
      enum: CHARGE_STATUSES,
      description:
        'PENDING: authorized, not captured, holding no money; SUCCEEDED: captured; FAILED: ' +
        'declined; REFUNDED: its money given back, or its authorization released uncaptured.',
    },
    amountRefundedCents: {
      type: 'integer',
      minimum: 0,
      maximum: 10_000_000,
      description: 'What was given back: the whole amount once REFUNDED, else 0.',
    },
    createdAt: dateTime,
  }),
  Error: object({
    error: object({
      code: { type: 'string', enum: ERROR_CODES },
      message: {
        type: 'string',
        description: 'For people; names the bad field. Never a stack trace.',
      },
    }),
  }),
  TokenRequest: fromZod(tokenRequestSchema, 'Mint a development token for an account.'),
  TokenResponse: object({
    token: {
      type: 'string',
      description:
        `An ES256 JWT: header \`kid\`; claims \`iss\` "${TOKEN_ISSUER}", \`aud\` "${TOKEN_AUDIENCE}", ` +
        `\`sub\` (the account id), \`role\` (${TOKEN_ROLES.join(' | ')}), \`name\` (the account's name), \`iat\`, \`exp\`.`,
    },
  }),
  Jwks: object({
    keys: {
      type: 'array',
      minItems: 1,
      items: object({
        kty: { const: 'EC' },
        crv: { const: 'P-256' },
        x: { type: 'string' },
        y: { type: 'string' },
        kid: { type: 'string' },
        alg: { const: 'ES256' },
        use: { const: 'sig' },
      }),
    },
  }),
  PackageCreate: fromZod(packageCreateSchema, 'A new package.'),
  DeliveryCreate: fromZod(
    deliveryCreateSchema,
    'A new delivery; it starts SCHEDULED with an eta 45 minutes after its creation.',
  ),
  DeliveryCancel: fromZod(deliveryCancelSchema, 'No body, or `{}`.'),
  DeliveryPayment: fromZod(deliveryPaymentSchema, 'The charge that pays for the delivery.'),
  ChargeCreate: fromZod(
    chargeCreateSchema,
    'A charge for a delivery: captured at once, or only authorized with `capture: false`.',
  ),
  ChargeAction: fromZod(chargeActionSchema, 'No body, or `{}`.'),
  ChaosInput: fromZod(
    chaosInputSchema,
    'The chaos to put in force, replacing the previous one; `{}` clears it. Applies to /v1 ' +
      'requests only (to those of `routes` when given): latency, then at most one fault, in this ' +
      'precedence: hang, resetConnections, errorRate, malformed.',
  ),
  ChaosSettings: object({
    latencyMs: { type: 'integer', minimum: 0 },
    jitterMs: { type: 'integer', minimum: 0 },
    errorRate: { type: 'number', minimum: 0, maximum: 1 },
    errorStatus: { type: 'integer', minimum: 400, maximum: 599 },
    hang: { type: 'boolean' },
    resetConnections: { type: 'boolean' },
    retryAfterS: { type: ['integer', 'null'], minimum: 0 },
    malformed: { enum: [false, 'syntax', 'shape'] },
    routes: { type: ['array', 'null'], items: { type: 'string' } },
  }),
  Stats: object(
    {
      total: {
        type: 'integer',
        minimum: 0,
        description: '/v1 requests received since the last reset.',
      },
      routes: {
        type: 'object',
        description:
          'Requests by route template key, e.g. `GET /v1/drones/{id}`; only non-zero counts.',
        additionalProperties: { type: 'integer', minimum: 1 },
      },
      batches: {
        type: 'array',
        description: `One entry per \`?ids=\` call (the latest ${BATCH_LIMIT}), ids as asked, in order.`,
        items: object({
          route: { type: 'string' },
          ids: { type: 'array', items: { type: 'string' } },
        }),
      },
      recent: {
        type: 'array',
        maxItems: RECENT_LIMIT,
        description: `The last ${RECENT_LIMIT} /v1 requests, oldest first.`,
        items: object({
          method: { type: 'string' },
          route: { type: ['string', 'null'], description: 'Null when no route matched.' },
          status: {
            type: 'integer',
            minimum: 0,
            description: '0 while unanswered, and for requests chaos hung or cut.',
          },
          requestId: { type: ['string', 'null'] },
          traceparent: { type: ['string', 'null'] },
          idempotencyKey: { type: ['string', 'null'] },
        }),
      },
    },
    'What this service received; the test controls themselves are never counted.',
  ),
};

// Each record's batch and list envelopes; a document keeps only those its paths use.
for (const record of ['Account', 'Delivery', 'Package', 'Drone', 'Charge']) {
  SCHEMAS[`${record}Batch`] = object(
    { data: { type: 'array', maxItems: MAX_BATCH_IDS, items: schemaRef(record) } },
    'A batch answer: the found records in the order asked, each once.',
  );
  SCHEMAS[`${record}Page`] = object(
    {
      data: { type: 'array', maxItems: MAX_PAGE_LIMIT, items: schemaRef(record) },
      nextCursor: {
        type: ['string', 'null'],
        description:
          "The id of this page's last record when more records follow, else null. Pass it as `cursor`.",
      },
    },
    'A list page.',
  );
}

const PARAMETERS: Record<string, Json> = {
  RequestId: {
    name: 'x-request-id',
    in: 'header',
    required: false,
    description: 'Echoed on the answer.',
    schema: { type: 'string' },
  },
  Traceparent: {
    name: 'traceparent',
    in: 'header',
    required: false,
    description: 'W3C trace context; recorded in `/__stats`.',
    schema: { type: 'string' },
  },
  IdempotencyKey: {
    name: 'Idempotency-Key',
    in: 'header',
    required: false,
    description:
      'Stripe semantics, kept 24 h. The first request reserves the key. The same key with the ' +
      'same method, path and body (canonical JSON) answers the stored status and body again, ' +
      'with `Idempotent-Replayed: true`, and changes nothing; with another method, path or body ' +
      'it is a 422 IDEMPOTENCY_KEY_REUSED; while the first is in flight, a 409 ' +
      'IDEMPOTENCY_KEY_IN_USE. 2xx and 4xx answers are stored; 5xx and injected faults release ' +
      'the key.',
    schema: { type: 'string', minLength: 1, maxLength: IDEMPOTENCY_KEY_MAX_LENGTH },
  },
  Id: {
    name: 'id',
    in: 'path',
    required: true,
    schema: { type: 'string', minLength: 1 },
  },
  Ids: {
    name: 'ids',
    in: 'query',
    required: false,
    description:
      `Batch: comma-separated ids, at most ${MAX_BATCH_IDS} distinct (more is a 400 ` +
      'BATCH_TOO_LARGE; none is a 400 BAD_REQUEST). The answer holds the found records in the ' +
      'order asked, each once; unknown ids are simply missing. Cannot be combined with other ' +
      'parameters.',
    style: 'form',
    explode: false,
    schema: { type: 'array', minItems: 1, maxItems: MAX_BATCH_IDS, items: { type: 'string' } },
  },
  Limit: {
    name: 'limit',
    in: 'query',
    required: false,
    description: 'Page size.',
    schema: { type: 'integer', minimum: 1, maximum: MAX_PAGE_LIMIT, default: DEFAULT_PAGE_LIMIT },
  },
  Cursor: {
    name: 'cursor',
    in: 'query',
    required: false,
    description: CURSOR_SEMANTICS,
    schema: { type: 'string', minLength: 1, maxLength: 64 },
  },
  OwnerId: {
    name: 'ownerId',
    in: 'query',
    required: false,
    description: "Only this account's deliveries.",
    schema: { type: 'string', minLength: 1, maxLength: 64 },
  },
  DeliveryStatus: {
    name: 'status',
    in: 'query',
    required: false,
    description: 'Only deliveries in this status; combines with ownerId.',
    schema: { type: 'string', enum: DELIVERY_STATUSES },
  },
  DeliveryId: {
    name: 'deliveryId',
    in: 'query',
    required: false,
    description: "Only this delivery's charges.",
    schema: { type: 'string', minLength: 1, maxLength: 64 },
  },
};

const HEADERS: Record<string, Json> = {
  RequestId: {
    description: "The request's `x-request-id`, when it had one.",
    schema: { type: 'string' },
  },
  IdempotentReplayed: {
    description:
      '`true` when this is the stored answer of an earlier request with the same Idempotency-Key.',
    schema: { const: 'true' },
  },
  RetryAfter: {
    description: 'Seconds to wait, when the chaos sets `retryAfterS`.',
    schema: { type: 'string', pattern: '^[0-9]+$' },
  },
  PackageCacheControl: {
    description:
      'Packages never change once created: any cache, shared ones included, may keep these ' +
      'records for five minutes.',
    schema: { const: PACKAGE_CACHE_CONTROL },
  },
};

function errorResponse(description: string, extraHeaders: Record<string, Json> = {}): Json {
  return {
    description,
    headers: { 'x-request-id': ref('headers', 'RequestId'), ...extraHeaders },
    content: { 'application/json': { schema: schemaRef('Error') } },
  };
}

const RESPONSES: Record<string, Json> = {
  BadRequest: errorResponse(
    'BAD_REQUEST: a query parameter, path or body is invalid (unknown or repeated parameter, ' +
      'bad value, bad JSON, wrong body shape, Idempotency-Key over 255 characters); the message ' +
      'names the field.',
  ),
  BatchOrBadRequest: errorResponse(
    `BATCH_TOO_LARGE: over ${MAX_BATCH_IDS} distinct ids; BAD_REQUEST: any other invalid ` +
      'query (empty `ids`, `ids` with other parameters, a limit outside 1..100, an unknown status…).',
  ),
  NotFound: errorResponse('NOT_FOUND'),
  PayloadTooLarge: errorResponse(`PAYLOAD_TOO_LARGE: the body is over ${MAX_BODY_BYTES} bytes.`),
  IdempotencyKeyReused: errorResponse(
    'IDEMPOTENCY_KEY_REUSED: the Idempotency-Key was used with another method, path or body.',
  ),
  Internal: errorResponse('INTERNAL: a bug in the mock service.'),
  InjectedFault: errorResponse(
    'INJECTED_FAULT: answered by `/__chaos` (503 by default; `errorStatus` may choose another).',
    { 'retry-after': ref('headers', 'RetryAfter') },
  ),
};

// ---------------------------------------------------------------------------------------------
// Operations

interface Operation {
  operationId: string;
  summary: string;
  description?: string;
  parameters?: Json[];
  requestBody?: { schema: string; required: boolean };
  /** Status → a response ref name, or a response object. */
  responses: Record<string, string | Json>;
}

function okResponse(
  description: string,
  schema: Json | null,
  replayable: boolean,
  extraHeaders: Record<string, Json> = {},
): Json {
  const headers: Json = { 'x-request-id': ref('headers', 'RequestId'), ...extraHeaders };
  if (replayable) headers['idempotent-replayed'] = ref('headers', 'IdempotentReplayed');
  return {
    description,
    headers,
    ...(schema === null ? {} : { content: { 'application/json': { schema } } }),
  };
}

/** Every /v1 operation: request id and trace headers in, 400/500/503 possible. */
function v1(operation: Operation, write: boolean): Json {
  const parameters = [
    ref('parameters', 'RequestId'),
    ref('parameters', 'Traceparent'),
    ...(write ? [ref('parameters', 'IdempotencyKey')] : []),
    ...(operation.parameters ?? []),
  ];
  const responses: Record<string, string | Json> = {
    ...operation.responses,
    '500': 'Internal',
    '503': 'InjectedFault',
  };
  if (write) {
    responses['413'] = 'PayloadTooLarge';
    responses['422'] = 'IdempotencyKeyReused';
  }
  return build({ ...operation, parameters, responses });
}

function build(operation: Operation): Json {
  const { requestBody, responses, ...rest } = operation;
  const sorted = Object.keys(responses).sort();
  return {
    ...rest,
    ...(requestBody === undefined
      ? {}
      : {
          requestBody: {
            required: requestBody.required,
            content: { 'application/json': { schema: schemaRef(requestBody.schema) } },
          },
        }),
    responses: Object.fromEntries(
      sorted.map((status) => {
        const response = responses[status];
        return [status, typeof response === 'string' ? ref('responses', response) : response];
      }),
    ),
  };
}

interface Resource {
  path: string;
  record: string;
  noun: string;
  plural: string;
  /** The list's order and filter parameters, when the resource has a list. */
  list?: { order: 'ascending' | 'descending'; filters: string[] };
  /** The `Cache-Control` header of the reads by id (one and batch), by its name in HEADERS. */
  cacheControl?: string;
}

type Paths = Record<string, Record<string, Json>>;

/** `GET <path>/{id}` and `GET <path>` (batch, or list too), plus the resource's writes. */
function resourcePaths(resource: Resource, writes: Record<string, Json> = {}): Paths {
  const { path, record, noun, plural, list } = resource;
  const cached: Record<string, Json> =
    resource.cacheControl === undefined
      ? {}
      : { 'cache-control': ref('headers', resource.cacheControl) };
  const batch = schemaRef(`${record}Batch`);
  const page = schemaRef(`${record}Page`);
  const listParameters = list === undefined ? [] : [...list.filters, 'Limit', 'Cursor'];
  const paths: Paths = {
    [`${path}/{id}`]: {
      get: v1(
        {
          operationId: `get${record}`,
          summary: `One ${noun}.`,
          parameters: [ref('parameters', 'Id')],
          responses: {
            '200': okResponse(`The ${noun}.`, schemaRef(record), false, cached),
            '400': 'BadRequest',
            '404': 'NotFound',
          },
        },
        false,
      ),
    },
    [path]: {
      get: v1(
        list === undefined
          ? {
              operationId: `batch${plural}`,
              summary: `Many ${noun}s by id.`,
              description: 'Batch only: `ids` is required. Answers `{ data }`.',
              parameters: [ref('parameters', 'Ids')],
              responses: {
                '200': okResponse('The found records.', batch, false, cached),
                '400': 'BatchOrBadRequest',
              },
            }
          : {
              operationId: `batchOrList${plural}`,
              summary: `Many ${noun}s by id, or a page of them.`,
              description:
                'With `ids`: a batch, answering `{ data }`. Without: a list in id ' +
                `${list.order} order (${list.order === 'descending' ? 'newest' : 'oldest'} ` +
                `first), answering \`{ data, nextCursor }\`. ${CURSOR_SEMANTICS}`,
              parameters: ['Ids', ...listParameters].map((name) => ref('parameters', name)),
              responses: {
                '200': okResponse('A batch or a list page.', { oneOf: [batch, page] }, false),
                '400': 'BatchOrBadRequest',
              },
            },
        false,
      ),
    },
  };
  for (const [writePath, post] of Object.entries(writes)) {
    paths[writePath] = { ...paths[writePath], post };
  }
  return paths;
}

interface WriteSpec {
  operationId: string;
  summary: string;
  description?: string;
  body: string;
  /** @default true */
  bodyRequired?: boolean;
  /** The path has an `{id}`. */
  pathId?: boolean;
  status: 200 | 201;
  result: string;
  resultDescription: string;
  /** This route's own error answers, status → description (400, 409 IN_USE, 413, 422 always). */
  errors: Record<string, string>;
}

function writeOperation(spec: WriteSpec): Json {
  const inUse = 'IDEMPOTENCY_KEY_IN_USE: a request with this Idempotency-Key is in flight.';
  const responses: Record<string, string | Json> = {
    [String(spec.status)]: okResponse(spec.resultDescription, schemaRef(spec.result), true),
    '400': 'BadRequest',
    '409': errorResponse(
      spec.errors['409'] === undefined ? inUse : `${spec.errors['409']} ${inUse}`,
    ),
  };
  for (const [status, description] of Object.entries(spec.errors)) {
    if (status !== '409') responses[status] = errorResponse(description);
  }
  return v1(
    {
      operationId: spec.operationId,
      summary: spec.summary,
      ...(spec.description === undefined ? {} : { description: spec.description }),
      parameters: spec.pathId ? [ref('parameters', 'Id')] : [],
      requestBody: { schema: spec.body, required: spec.bodyRequired ?? true },
      responses,
    },
    true,
  );
}

const SERVICE_PATHS: Record<ServiceName, { description: string; paths: () => Paths }> = {
  accounts: {
    description: 'Customer accounts, and the development tokens the BFF verifies.',
    paths: () => ({
      ...resourcePaths(
        {
          path: '/v1/accounts',
          record: 'Account',
          noun: 'account',
          plural: 'Accounts',
          list: { order: 'ascending', filters: [] },
        },
        {
          '/v1/tokens': writeOperation({
            operationId: 'createToken',
            summary: 'Mint a development token.',
            body: 'TokenRequest',
            status: 201,
            result: 'TokenResponse',
            resultDescription: 'The token.',
            errors: { '404': 'NOT_FOUND: no such account.' },
          }),
        },
      ),
      '/.well-known/jwks.json': {
        get: build({
          operationId: 'getJwks',
          summary: 'The public keys that verify the tokens.',
          description: 'Not under /v1: never counted in /__stats, never touched by chaos.',
          responses: { '200': okResponse('The key set.', schemaRef('Jwks'), false) },
        }),
      },
    }),
  },
  deliveries: {
    description: 'Deliveries: lists by owner and status, scheduling, cancelling, marking paid.',
    paths: () =>
      resourcePaths(
        {
          path: '/v1/deliveries',
          record: 'Delivery',
          noun: 'delivery',
          plural: 'Deliveries',
          list: { order: 'descending', filters: ['OwnerId', 'DeliveryStatus'] },
        },
        {
          '/v1/deliveries': writeOperation({
            operationId: 'createDelivery',
            summary: 'Schedule a delivery.',
            description:
              'Answers the new delivery: status SCHEDULED, no drone, no charge, createdAt now, ' +
              'eta 45 minutes later, an id greater than every other.',
            body: 'DeliveryCreate',
            status: 201,
            result: 'Delivery',
            resultDescription: 'The new delivery.',
            errors: { '404': 'NOT_FOUND: no such owner account or package.' },
          }),
          '/v1/deliveries/{id}/cancel': writeOperation({
            operationId: 'cancelDelivery',
            summary: 'Cancel a delivery that no drone has taken yet.',
            description:
              'CREATED and SCHEDULED deliveries become CANCELLED, with no drone and no eta.',
            body: 'DeliveryCancel',
            bodyRequired: false,
            pathId: true,
            status: 200,
            result: 'Delivery',
            resultDescription: 'The cancelled delivery.',
            errors: {
              '404': 'NOT_FOUND: no such delivery.',
              '409': 'INVALID_STATE: the delivery is IN_TRANSIT, DELIVERED or CANCELLED.',
            },
          }),
          '/v1/deliveries/{id}/payment': writeOperation({
            operationId: 'markDeliveryPaid',
            summary: 'Record the charge that pays for a delivery.',
            description:
              'Naming the charge the delivery already has answers it unchanged. The charge ' +
              'must be one of this delivery (else 400).',
            body: 'DeliveryPayment',
            pathId: true,
            status: 200,
            result: 'Delivery',
            resultDescription: 'The paid delivery.',
            errors: {
              '404': 'NOT_FOUND: no such delivery or charge.',
              '409': 'INVALID_STATE: the delivery is CANCELLED or paid by another charge.',
            },
          }),
          '/v1/deliveries/{id}/payment/release': writeOperation({
            operationId: 'releaseDeliveryPayment',
            summary: 'Undo the link to a charge that was released.',
            description:
              'If the delivery is paid by this charge and not CANCELLED, its chargeId becomes ' +
              'null, so it can be paid again; otherwise it is answered unchanged (another ' +
              "charge's link is never undone, and a cancelled delivery keeps the charge it was " +
              'refunded for).',
            body: 'DeliveryPayment',
            pathId: true,
            status: 200,
            result: 'Delivery',
            resultDescription: 'The delivery.',
            errors: { '404': 'NOT_FOUND: no such delivery.' },
          }),
        },
      ),
  },
  packages: {
    description: 'Packages: what each delivery carries.',
    paths: () =>
      resourcePaths(
        {
          path: '/v1/packages',
          record: 'Package',
          noun: 'package',
          plural: 'Packages',
          cacheControl: 'PackageCacheControl',
        },
        {
          '/v1/packages': writeOperation({
            operationId: 'createPackage',
            summary: 'Register a package.',
            body: 'PackageCreate',
            status: 201,
            result: 'Package',
            resultDescription: 'The new package.',
            errors: {},
          }),
        },
      ),
  },
  drones: {
    description: 'Drones: read-only fleet state.',
    paths: () =>
      resourcePaths({ path: '/v1/drones', record: 'Drone', noun: 'drone', plural: 'Drones' }),
  },
  payments: {
    description: 'Charges for deliveries.',
    paths: () =>
      resourcePaths(
        {
          path: '/v1/charges',
          record: 'Charge',
          noun: 'charge',
          plural: 'Charges',
          list: { order: 'descending', filters: ['DeliveryId'] },
        },
        {
          '/v1/charges': writeOperation({
            operationId: 'createCharge',
            summary: 'Charge for a delivery.',
            description:
              'With `capture` true (the default) the charge takes the money at once ' +
              '(SUCCEEDED); with `capture: false` it is an authorization (PENDING) that holds ' +
              'no money until captured, and is released by a refund.',
            body: 'ChargeCreate',
            status: 201,
            result: 'Charge',
            resultDescription: 'The new charge.',
            errors: {
              '404': 'NOT_FOUND: no such delivery.',
              '409': 'INVALID_STATE: the delivery already has a SUCCEEDED charge.',
            },
          }),
          '/v1/charges/{id}/capture': writeOperation({
            operationId: 'captureCharge',
            summary: 'Capture an authorized charge.',
            description:
              'PENDING becomes SUCCEEDED; a SUCCEEDED charge is answered unchanged. Refused ' +
              'once the charge is REFUNDED (released) or FAILED, so a refund that comes first ' +
              'always wins.',
            body: 'ChargeAction',
            bodyRequired: false,
            pathId: true,
            status: 200,
            result: 'Charge',
            resultDescription: 'The captured charge.',
            errors: {
              '404': 'NOT_FOUND: no such charge.',
              '409':
                'INVALID_STATE: the charge is REFUNDED or FAILED, or its delivery already has ' +
                'another SUCCEEDED charge.',
            },
          }),
          '/v1/charges/{id}/refund': writeOperation({
            operationId: 'refundCharge',
            summary: 'Give a charge back in full, or release its authorization.',
            description:
              'A SUCCEEDED charge is refunded, a PENDING one released uncaptured: either ' +
              'becomes REFUNDED with amountRefundedCents equal to amountCents. A REFUNDED or ' +
              'FAILED charge holds no money and is answered unchanged.',
            body: 'ChargeAction',
            bodyRequired: false,
            pathId: true,
            status: 200,
            result: 'Charge',
            resultDescription: 'The refunded charge.',
            errors: { '404': 'NOT_FOUND: no such charge.' },
          }),
        },
      ),
  },
};

/** The test controls and the document itself: every service has them, off /v1. */
const CONTROL_PATHS: Paths = {
  '/__stats': {
    get: build({
      operationId: 'getStats',
      summary: 'What this service received since the last reset.',
      responses: { '200': okResponse('The stats.', schemaRef('Stats'), false) },
    }),
  },
  '/__reset': {
    post: build({
      operationId: 'reset',
      summary:
        'Zero the stats, return the data to its seed, empty the idempotency store, clear the chaos.',
      responses: { '204': okResponse('Reset.', null, false) },
    }),
  },
  '/__chaos': {
    get: build({
      operationId: 'getChaos',
      summary: 'The chaos in force.',
      responses: { '200': okResponse('The chaos in force.', schemaRef('ChaosSettings'), false) },
    }),
    put: build({
      operationId: 'setChaos',
      summary: 'Replace the chaos in force; `{}` clears it.',
      requestBody: { schema: 'ChaosInput', required: true },
      responses: {
        '200': okResponse('The chaos now in force.', schemaRef('ChaosSettings'), false),
        '400': 'BadRequest',
        '413': 'PayloadTooLarge',
      },
    }),
  },
  '/openapi.json': {
    get: build({
      operationId: 'getOpenApi',
      summary: 'This document.',
      responses: { '200': okResponse('This document.', { type: 'object' }, false) },
    }),
  },
};

const CONVENTIONS = [
  'A mock upstream of the Skyway BFF: seeded, deterministic data; fault injection for tests.',
  '',
  '- Ids are a prefix and a zero-padded number (`acc_0001`, `del_000001`), so string order is ' +
    'numeric order, which is creation order.',
  '- Errors answer `{ "error": { "code", "message" } }`. An unknown path is a 404 NOT_FOUND; a ' +
    'known path with another method is a 405 METHOD_NOT_ALLOWED with an `Allow` header.',
  '- Unknown or repeated query parameters are a 400.',
  '- `x-request-id` is echoed; `traceparent` is recorded in `/__stats`.',
  '- Test controls (`/__stats`, `/__reset`, `/__chaos`) are never counted and never chaotic.',
].join('\n');

type ComponentKind = 'schemas' | 'parameters' | 'responses' | 'headers';
const COMPONENTS: Record<ComponentKind, Record<string, Json>> = {
  schemas: SCHEMAS,
  parameters: PARAMETERS,
  responses: RESPONSES,
  headers: HEADERS,
};

export function openApiDocument(service: ServiceName): Json {
  const { description, paths } = SERVICE_PATHS[service];
  const allPaths = { ...paths(), ...CONTROL_PATHS };
  return {
    openapi: '3.1.0',
    info: {
      title: `Skyway ${service} service (mock)`,
      version: '1.0.0',
      description: `${description}\n\n${CONVENTIONS}`,
    },
    servers: [{ url: `http://127.0.0.1:${DEFAULT_PORTS[service]}` }],
    paths: allPaths,
    components: usedComponents(allPaths),
  };
}

/** The committed file's text: stable 2-space JSON with a final newline. */
export function openApiFileText(service: ServiceName): string {
  return `${JSON.stringify(openApiDocument(service), null, 2)}\n`;
}

/** The components `root` refers to, directly or through other components, in a stable order. */
function usedComponents(root: unknown): Record<ComponentKind, Record<string, Json>> {
  const used = new Set<string>();
  const visit = (value: unknown): void => {
    if (Array.isArray(value)) {
      for (const item of value) visit(item);
    } else if (typeof value === 'object' && value !== null) {
      for (const [key, item] of Object.entries(value)) {
        if (key === '$ref' && typeof item === 'string' && !used.has(item)) {
          used.add(item);
          const [, , kind, name] = item.split('/');
          visit(COMPONENTS[kind as ComponentKind]?.[name ?? '']);
        } else {
          visit(item);
        }
      }
    }
  };
  visit(root);
  const pick = (kind: ComponentKind) =>
    Object.fromEntries(
      Object.entries(COMPONENTS[kind]).filter(([name]) => used.has(`#/components/${kind}/${name}`)),
    );
  return {
    schemas: pick('schemas'),
    parameters: pick('parameters'),
    responses: pick('responses'),
    headers: pick('headers'),
  };
}
