// The in-memory store the five services share: a Map by id per record type, plus ascending id
// indexes so that reads are lookups and pages are slices, never scans. Each service owns the
// fields of one record type (see DATA_PARTS) and a reset restores only those.
//
// Records are frozen; a change replaces the record in its map (replaceDelivery), so restoring
// a part from the pristine seed is a shallow copy of maps and arrays, not a deep clone.

import type { Account, Charge, Delivery, DeliveryStatus, Drone, Package } from './records.js';
import { DELIVERY_STATUSES } from './records.js';
import { insertSorted, removeSorted } from './sorted.js';

/**
 * What the services hold. `reset()` replaces the fields of this object (never the object
 * itself), so read through it (`data.deliveries.get(id)`) rather than keeping a field around.
 */
export interface SeedData {
  accounts: Map<string, Account>;
  /** Every account id, ascending. */
  accountIds: string[];

  deliveries: Map<string, Delivery>;
  /** Every delivery id, ascending, which is createdAt order. */
  deliveryIds: string[];
  /** Delivery ids of each owner that has any, ascending. */
  deliveryIdsByOwner: Map<string, string[]>;
  /** Delivery ids in each status, ascending. */
  deliveryIdsByStatus: Record<DeliveryStatus, string[]>;

  packages: Map<string, Package>;
  /** Every package id, ascending. */
  packageIds: string[];

  drones: Map<string, Drone>;
  /** Every drone id, ascending. */
  droneIds: string[];

  charges: Map<string, Charge>;
  /** Every charge id, ascending. */
  chargeIds: string[];
  /** Charge ids of each delivery that has any, ascending. */
  chargeIdsByDelivery: Map<string, string[]>;
}

/** A record type with its indexes: what one service owns and resets. */
export type DataPart = 'accounts' | 'deliveries' | 'packages' | 'drones' | 'charges';

export function emptySeedData(): SeedData {
  return {
    accounts: new Map(),
    accountIds: [],
    deliveries: new Map(),
    deliveryIds: [],
    deliveryIdsByOwner: new Map(),
    deliveryIdsByStatus: {
      CREATED: [],
      SCHEDULED: [],
      IN_TRANSIT: [],
      DELIVERED: [],
      CANCELLED: [],
    },
    packages: new Map(),
    packageIds: [],
    drones: new Map(),
    droneIds: [],
    charges: new Map(),
    chargeIds: [],
    chargeIdsByDelivery: new Map(),
  };
}

/** Copies one part of `from` into `into`: fresh maps and arrays, the same frozen records. */
export function restorePart(from: SeedData, into: SeedData, part: DataPart): void {
  switch (part) {
    case 'accounts':
      into.accounts = new Map(from.accounts);
      into.accountIds = [...from.accountIds];
      break;
    case 'deliveries': {
      const byStatus = { ...from.deliveryIdsByStatus };
      for (const status of DELIVERY_STATUSES) byStatus[status] = [...byStatus[status]];
      into.deliveries = new Map(from.deliveries);
      into.deliveryIds = [...from.deliveryIds];
      into.deliveryIdsByOwner = copyIndex(from.deliveryIdsByOwner);
      into.deliveryIdsByStatus = byStatus;
      break;
    }
    case 'packages':
      into.packages = new Map(from.packages);
      into.packageIds = [...from.packageIds];
      break;
    case 'drones':
      into.drones = new Map(from.drones);
      into.droneIds = [...from.droneIds];
      break;
    case 'charges':
      into.charges = new Map(from.charges);
      into.chargeIds = [...from.chargeIds];
      into.chargeIdsByDelivery = copyIndex(from.chargeIdsByDelivery);
      break;
  }
}

export function copySeedData(from: SeedData): SeedData {
  const copy = emptySeedData();
  for (const part of ['accounts', 'deliveries', 'packages', 'drones', 'charges'] as const) {
    restorePart(from, copy, part);
  }
  return copy;
}

function copyIndex(index: Map<string, string[]>): Map<string, string[]> {
  const copy = new Map<string, string[]>();
  for (const [key, ids] of index) copy.set(key, [...ids]);
  return copy;
}

function addToIndex(index: Map<string, string[]>, key: string, id: string): void {
  const ids = index.get(key);
  if (ids === undefined) index.set(key, [id]);
  else insertSorted(ids, id);
}

/** Freezes a record and its nested locations, so no one can change it behind the indexes. */
function freeze<T extends object>(record: T): T {
  for (const value of Object.values(record)) {
    if (typeof value === 'object' && value !== null) Object.freeze(value);
  }
  return Object.freeze(record);
}

export function insertAccount(data: SeedData, account: Account): void {
  data.accounts.set(account.id, freeze(account));
  insertSorted(data.accountIds, account.id);
}

export function insertPackage(data: SeedData, pkg: Package): void {
  data.packages.set(pkg.id, freeze(pkg));
  insertSorted(data.packageIds, pkg.id);
}

export function insertDrone(data: SeedData, drone: Drone): void {
  data.drones.set(drone.id, freeze(drone));
  insertSorted(data.droneIds, drone.id);
}

export function insertDelivery(data: SeedData, delivery: Delivery): void {
  data.deliveries.set(delivery.id, freeze(delivery));
  insertSorted(data.deliveryIds, delivery.id);
  addToIndex(data.deliveryIdsByOwner, delivery.ownerId, delivery.id);
  insertSorted(data.deliveryIdsByStatus[delivery.status], delivery.id);
}

/** Replaces a delivery by a changed copy, moving it between status indexes when needed. */
export function replaceDelivery(data: SeedData, next: Delivery): void {
  const previous = data.deliveries.get(next.id);
  if (previous === undefined) throw new Error(`replaceDelivery: no delivery ${next.id}`);
  if (previous.ownerId !== next.ownerId) throw new Error('replaceDelivery: ownerId is fixed');
  data.deliveries.set(next.id, freeze(next));
  if (previous.status !== next.status) {
    removeSorted(data.deliveryIdsByStatus[previous.status], next.id);
    insertSorted(data.deliveryIdsByStatus[next.status], next.id);
  }
}

/** Replaces a charge by a changed copy (its delivery is fixed). */
export function replaceCharge(data: SeedData, next: Charge): void {
  const previous = data.charges.get(next.id);
  if (previous === undefined) throw new Error(`replaceCharge: no charge ${next.id}`);
  if (previous.deliveryId !== next.deliveryId)
    throw new Error('replaceCharge: deliveryId is fixed');
  data.charges.set(next.id, freeze(next));
}

export function insertCharge(data: SeedData, charge: Charge): void {
  data.charges.set(charge.id, freeze(charge));
  insertSorted(data.chargeIds, charge.id);
  addToIndex(data.chargeIdsByDelivery, charge.deliveryId, charge.id);
}
