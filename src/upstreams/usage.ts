import type { UpstreamName } from '../config.js';

/**
 * What the BFF uses of each service's OpenAPI document (mock-services/openapi/): the routes it
 * calls, the parameters and body properties it sends, and the record properties it reads.
 * This is the consumer's side of the contract, written by hand because only the code knows it.
 * `npm run upstreams:generate` cuts each document down to it (the BFF's view, committed in
 * `generated/`) and generates the record types and answer validators from that view;
 * `npm run upstreams:check` compares a document with the view and names what would break.
 *
 * Keep it in step with the clients: a route a client calls that is not listed here has no
 * validator (the client does not compile), and a property read but not listed is absent from
 * the generated type (the resolver does not compile).
 */

/** One way the BFF calls a route. */
export interface RouteUse {
  method: 'GET' | 'POST';
  /** The document's path template, e.g. `/v1/deliveries/{id}`. */
  path: string;
  /** Query parameters sent (any of them, on some call). Path parameters are the template's. */
  query?: readonly string[];
  /** Header parameters sent and relied on (`Idempotency-Key` makes a write retryable). */
  headers?: readonly string[];
  /** The request body's schema in the document, and the properties the BFF sends in it. */
  body?: { schema: string; sends: readonly string[] };
  /**
   * The component schema the 2xx answer is read as, validated by a generated validator of
   * that name; absent when something else reads the answer (jose reads the key set).
   */
  answer?: string;
}

export interface UpstreamUse {
  routes: readonly RouteUse[];
  /**
   * Component schema → the properties the BFF reads. A property listed references another
   * component (a `Location`) only if that component is listed too.
   */
  reads: Readonly<Record<string, readonly string[]>>;
}

/** Headers sent on every call (`http-client.ts`); the documents call them optional. */
const TRACED = ['x-request-id', 'traceparent'] as const;
const WRITE = [...TRACED, 'Idempotency-Key'] as const;

/** `GET <collection>/{id}` and `GET <collection>?ids=` (`resource.ts`). */
function byIdReads(collection: string, record: string): RouteUse[] {
  return [
    { method: 'GET', path: `${collection}/{id}`, headers: TRACED, answer: record },
    { method: 'GET', path: collection, query: ['ids'], headers: TRACED, answer: `${record}Batch` },
  ];
}

const LOCATION = ['lat', 'lng'] as const;

export const UPSTREAM_USE: Record<UpstreamName, UpstreamUse> = {
  accounts: {
    routes: [
      ...byIdReads('/v1/accounts', 'Account'),
      // The token verifier's key set (jose checks its shape) and `npm start`'s development
      // tokens (src/dev.ts): their routes must stay, their answers are not validated here.
      { method: 'GET', path: '/.well-known/jwks.json' },
      {
        method: 'POST',
        path: '/v1/tokens',
        body: { schema: 'TokenRequest', sends: ['accountId', 'role', 'ttlS'] },
      },
    ],
    reads: {
      Account: ['id', 'name', 'email'],
      AccountBatch: ['data'],
    },
  },
  deliveries: {
    routes: [
      ...byIdReads('/v1/deliveries', 'Delivery'),
      {
        method: 'GET',
        path: '/v1/deliveries',
        query: ['ownerId', 'status', 'limit', 'cursor'],
        headers: TRACED,
        answer: 'DeliveryPage',
      },
      {
        method: 'POST',
        path: '/v1/deliveries',
        headers: WRITE,
        body: { schema: 'DeliveryCreate', sends: ['ownerId', 'packageId', 'pickup', 'dropoff'] },
        answer: 'Delivery',
      },
      {
        method: 'POST',
        path: '/v1/deliveries/{id}/cancel',
        headers: WRITE,
        body: { schema: 'DeliveryCancel', sends: [] },
        answer: 'Delivery',
      },
      {
        method: 'POST',
        path: '/v1/deliveries/{id}/payment',
        headers: WRITE,
        body: { schema: 'DeliveryPayment', sends: ['chargeId'] },
        answer: 'Delivery',
      },
      {
        method: 'POST',
        path: '/v1/deliveries/{id}/payment/release',
        headers: WRITE,
        body: { schema: 'DeliveryPayment', sends: ['chargeId'] },
        answer: 'Delivery',
      },
    ],
    reads: {
      Delivery: [
        'id',
        'ownerId',
        'packageId',
        'droneId',
        'chargeId',
        'status',
        'pickup',
        'dropoff',
        'createdAt',
        'eta',
      ],
      DeliveryBatch: ['data'],
      DeliveryPage: ['data', 'nextCursor'],
      Location: LOCATION,
    },
  },
  packages: {
    routes: [
      ...byIdReads('/v1/packages', 'Package'),
      {
        method: 'POST',
        path: '/v1/packages',
        headers: WRITE,
        body: { schema: 'PackageCreate', sends: ['size', 'weightKg', 'tag'] },
        answer: 'Package',
      },
    ],
    reads: {
      Package: ['id', 'size', 'weightKg', 'tag'],
      PackageBatch: ['data'],
    },
  },
  drones: {
    routes: byIdReads('/v1/drones', 'Drone'),
    reads: {
      Drone: ['id', 'model', 'status', 'batteryPct', 'location'],
      DroneBatch: ['data'],
      Location: LOCATION,
    },
  },
  payments: {
    routes: [
      ...byIdReads('/v1/charges', 'Charge'),
      {
        method: 'POST',
        path: '/v1/charges',
        headers: WRITE,
        body: {
          schema: 'ChargeCreate',
          sends: ['deliveryId', 'amountCents', 'currency', 'capture'],
        },
        answer: 'Charge',
      },
      ...(['capture', 'refund'] as const).map(
        (action): RouteUse => ({
          method: 'POST',
          path: `/v1/charges/{id}/${action}`,
          headers: WRITE,
          body: { schema: 'ChargeAction', sends: [] },
          answer: 'Charge',
        }),
      ),
    ],
    reads: {
      Charge: [
        'id',
        'deliveryId',
        'amountCents',
        'currency',
        'status',
        'amountRefundedCents',
        'createdAt',
      ],
      ChargeBatch: ['data'],
    },
  },
};
