import type { Caller } from '../shared/verify-token.js';
import type { Upstreams } from './upstreams.js';

/**
 * The three screens, hand-aggregated: each level of dependency is one Promise.all of at most
 * one call per service, and the answer is built field by field in the order the operation
 * selects them, exactly as Skyway answers (global IDs, cursors, nulls).
 */

interface Location {
  lat: number;
  lng: number;
}
interface Account {
  id: string;
  name: string;
  email: string;
}
interface Delivery {
  id: string;
  ownerId: string;
  packageId: string;
  droneId: string | null;
  chargeId: string | null;
  status: string;
  pickup: Location;
  dropoff: Location;
  createdAt: string;
  eta: string | null;
}
interface Package {
  id: string;
  size: string;
  weightKg: number;
  tag: string | null;
}
interface Drone {
  id: string;
  model: string;
  status: string;
  batteryPct: number;
  location: Location;
}
interface Charge {
  id: string;
  amountCents: number;
  currency: string;
  status: string;
  createdAt: string;
}
interface Page {
  data: Delivery[];
  nextCursor: string | null;
}

export type Variables = Record<string, unknown>;
export type Operation = (
  up: Upstreams,
  caller: Caller | null,
  variables: Variables,
) => Promise<unknown>;

const globalId = (typename: string, id: string) =>
  Buffer.from(`${typename}:${id}`, 'utf8').toString('base64url');
const cursorOf = (id: string) => Buffer.from(`c1:${id}`, 'utf8').toString('base64url');
const idFromCursor = (cursor: string) => Buffer.from(cursor, 'base64url').toString('utf8').slice(3);

function pagePath(ownerId: string | null, status: string | null, limit: number, after: unknown) {
  let path = `/v1/deliveries?limit=${limit}`;
  if (ownerId !== null) path += `&ownerId=${ownerId}`;
  if (status !== null) path += `&status=${status}`;
  if (typeof after === 'string') path += `&cursor=${idFromCursor(after)}`;
  return path;
}

/** The second level: every record the deliveries point to, one call per service needed. */
async function related(up: Upstreams, deliveries: Delivery[], owners: boolean) {
  const drones: string[] = [];
  const charges: string[] = [];
  for (const d of deliveries) {
    if (d.droneId !== null) drones.push(d.droneId);
    if (d.chargeId !== null) charges.push(d.chargeId);
  }
  const [accountsById, packagesById, dronesById, chargesById] = await Promise.all([
    owners
      ? up.accounts.many<Account>(
          '/v1/accounts',
          deliveries.map((d) => d.ownerId),
        )
      : new Map<string, Account>(),
    up.packages.many<Package>(
      '/v1/packages',
      deliveries.map((d) => d.packageId),
    ),
    up.drones.many<Drone>('/v1/drones', drones),
    up.payments.many<Charge>('/v1/charges', charges),
  ]);
  return {
    owner: (d: Delivery) => accountsById.get(d.ownerId) ?? null,
    pkg: (d: Delivery) => packagesById.get(d.packageId) ?? null,
    drone: (d: Delivery) => (d.droneId === null ? null : (dronesById.get(d.droneId) ?? null)),
    charge: (d: Delivery) => (d.chargeId === null ? null : (chargesById.get(d.chargeId) ?? null)),
  };
}

const location = (l: Location) => ({ lat: l.lat, lng: l.lng });

function pageInfo(page: Page) {
  const last = page.data.at(-1);
  return { hasNextPage: page.nextCursor !== null, endCursor: last ? cursorOf(last.id) : null };
}

export const myDeliveries: Operation = async (up, caller, variables) => {
  if (caller === null) return { viewer: null };
  const limit = typeof variables.first === 'number' ? variables.first : 20;
  // The viewer and its page do not depend on each other: the first level asks both at once.
  const [accounts, page] = await Promise.all([
    up.accounts.many<Account>('/v1/accounts', [caller.accountId]),
    up.deliveries.get<Page>(pagePath(caller.accountId, null, limit, variables.after)),
  ]);
  const viewer = accounts.get(caller.accountId);
  if (viewer === undefined) return { viewer: null };
  const r = await related(up, page.data, false);
  return {
    viewer: {
      id: globalId('Account', viewer.id),
      name: viewer.name,
      deliveries: {
        edges: page.data.map((d) => {
          const p = r.pkg(d);
          const drone = r.drone(d);
          const charge = r.charge(d);
          return {
            cursor: cursorOf(d.id),
            node: {
              id: globalId('Delivery', d.id),
              status: d.status,
              eta: d.eta,
              package: p && { size: p.size, weightKg: p.weightKg },
              drone: drone && {
                id: globalId('Drone', drone.id),
                batteryPct: drone.batteryPct,
                location: location(drone.location),
              },
              charge: charge && {
                amountCents: charge.amountCents,
                currency: charge.currency,
                status: charge.status,
              },
            },
          };
        }),
        pageInfo: pageInfo(page),
      },
    },
  };
};

export const dispatchBoard: Operation = async (up, caller, variables) => {
  if (caller?.role !== 'DISPATCHER') return { deliveries: null };
  const limit = typeof variables.first === 'number' ? variables.first : 100;
  const status = typeof variables.status === 'string' ? variables.status : 'IN_TRANSIT';
  const page = await up.deliveries.get<Page>(pagePath(null, status, limit, variables.after));
  const r = await related(up, page.data, true);
  return {
    deliveries: {
      edges: page.data.map((d) => {
        const owner = r.owner(d);
        const p = r.pkg(d);
        const drone = r.drone(d);
        const charge = r.charge(d);
        return {
          node: {
            id: globalId('Delivery', d.id),
            status: d.status,
            eta: d.eta,
            owner: owner && {
              id: globalId('Account', owner.id),
              name: owner.name,
              email: owner.email,
            },
            package: p && { size: p.size, weightKg: p.weightKg },
            drone: drone && {
              id: globalId('Drone', drone.id),
              model: drone.model,
              status: drone.status,
              batteryPct: drone.batteryPct,
              location: location(drone.location),
            },
            charge: charge && { status: charge.status },
          },
        };
      }),
      pageInfo: pageInfo(page),
    },
  };
};

export const deliveryDetail: Operation = async (up, caller, variables) => {
  const text = Buffer.from(String(variables.id), 'base64url').toString('utf8');
  if (caller === null || !text.startsWith('Delivery:')) return { node: null };
  const deliveryId = text.slice('Delivery:'.length);
  const d = (await up.deliveries.many<Delivery>('/v1/deliveries', [deliveryId])).get(deliveryId);
  if (d === undefined) return { node: null };
  if (caller.role !== 'DISPATCHER' && caller.accountId !== d.ownerId) return { node: null };
  const r = await related(up, [d], true);
  const owner = r.owner(d);
  const p = r.pkg(d);
  const drone = r.drone(d);
  const charge = r.charge(d);
  return {
    node: {
      id: globalId('Delivery', d.id),
      status: d.status,
      createdAt: d.createdAt,
      eta: d.eta,
      pickup: location(d.pickup),
      dropoff: location(d.dropoff),
      owner: owner && { id: globalId('Account', owner.id), name: owner.name },
      package: p && {
        id: globalId('Package', p.id),
        size: p.size,
        weightKg: p.weightKg,
        tag: p.tag,
      },
      drone: drone && {
        id: globalId('Drone', drone.id),
        model: drone.model,
        status: drone.status,
        batteryPct: drone.batteryPct,
        location: location(drone.location),
      },
      charge: charge && {
        id: globalId('Charge', charge.id),
        amountCents: charge.amountCents,
        currency: charge.currency,
        status: charge.status,
        createdAt: charge.createdAt,
      },
    },
  };
};

export const OPERATIONS: Record<string, Operation> = {
  MyDeliveries: myDeliveries,
  DispatchBoard: dispatchBoard,
  DeliveryDetail: deliveryDetail,
};
