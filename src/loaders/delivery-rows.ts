import type DataLoader from 'dataloader';
import type {
  AccountRecord,
  ChargeRecord,
  DeliveryRecord,
  DroneRecord,
  PackageRecord,
} from '../upstreams/records.js';
import { type FoundById, fetchByIds } from './by-id.js';

/** The fields of a delivery row that come from another service. */
export type RowField = 'owner' | 'package' | 'drone' | 'charge';

/** The by-id loaders a row's fields fall back to. */
export interface RowLoaders {
  accounts: DataLoader<string, AccountRecord | null>;
  packages: DataLoader<string, PackageRecord | null>;
  drones: DataLoader<string, DroneRecord | null>;
  charges: DataLoader<string, ChargeRecord | null>;
}

/** The batch reads behind those loaders (one request's service clients). */
export interface RowReads {
  accounts: (ids: readonly string[]) => Promise<AccountRecord[]>;
  packages: (ids: readonly string[]) => Promise<PackageRecord[]>;
  drones: (ids: readonly string[]) => Promise<DroneRecord[]>;
  charges: (ids: readonly string[]) => Promise<ChargeRecord[]>;
}

/** What one page's look-ahead found, per service it asked. */
interface PageFound {
  accounts?: FoundById<AccountRecord>;
  packages?: FoundById<PackageRecord>;
  drones?: FoundById<DroneRecord>;
  charges?: FoundById<ChargeRecord>;
}

/**
 * The records the rows of a page of deliveries point to (owner, package, drone, charge), for
 * one request. Resolved row by row, each of these fields was a DataLoader `load`: a promise,
 * its continuations and a cache entry per row and field (400 on a board of 100), and the calls
 * went out only once the executor had walked every row. Instead, as soon as a page is in,
 * `lookAhead` reads what the operation selects of its rows in one step: one batch call per
 * service (per `maxBatchSize` ids), straight to the loaders' batch reads; the row fields then
 * answer at once, without a promise.
 *
 * Found records are kept for the rows of that page only (by row object), not by id for the
 * request: a record read later in the request (after a mutation changed it, say) still goes
 * through the loaders, which mutations clear and prime. A field the look-ahead did not read
 * (not selected, deferred, under a directive) falls back to its loader, as does everything
 * when batching is off (the benchmark's naive contender). A failed call gives its error to
 * each field that needed it, as a failed loader batch does.
 */
export class DeliveryRows {
  /** Made by the first look-ahead: most requests read no page. */
  #found: WeakMap<DeliveryRecord, PageFound> | undefined;

  constructor(
    private readonly loaders: RowLoaders,
    private readonly reads: RowReads,
    private readonly maxBatchSize: number,
    /** False: no look-ahead, every field through its loader. */
    private readonly enabled: boolean,
  ) {}

  /** Reads what `fields` need of every row of a page, one step for all; never rejects. */
  async lookAhead(rows: readonly DeliveryRecord[], fields: ReadonlySet<RowField>): Promise<void> {
    if (!this.enabled || rows.length === 0 || fields.size === 0) return;
    const found: PageFound = {};
    const steps: Promise<void>[] = [];
    const read = <T extends { id: string }>(
      fetchMany: (ids: readonly string[]) => Promise<T[]>,
      ids: string[],
      keep: (byId: FoundById<T>) => void,
    ) => {
      if (ids.length > 0) steps.push(fetchByIds(fetchMany, ids, this.maxBatchSize).then(keep));
    };
    const { reads } = this;
    if (fields.has('owner')) {
      read(
        reads.accounts,
        rows.map((row) => row.ownerId),
        (byId) => (found.accounts = byId),
      );
    }
    if (fields.has('package')) {
      read(
        reads.packages,
        rows.map((row) => row.packageId),
        (byId) => (found.packages = byId),
      );
    }
    if (fields.has('drone')) {
      read(reads.drones, idsOf(rows, 'droneId'), (byId) => (found.drones = byId));
    }
    if (fields.has('charge')) {
      read(reads.charges, idsOf(rows, 'chargeId'), (byId) => (found.charges = byId));
    }
    await Promise.all(steps);
    this.#found ??= new WeakMap();
    for (const row of rows) this.#found.set(row, found);
  }

  owner(row: DeliveryRecord): AccountRecord | null | Promise<AccountRecord | null> {
    return pick(this.#found?.get(row)?.accounts, row.ownerId, this.loaders.accounts);
  }

  package(row: DeliveryRecord): PackageRecord | null | Promise<PackageRecord | null> {
    return pick(this.#found?.get(row)?.packages, row.packageId, this.loaders.packages);
  }

  drone(row: DeliveryRecord): DroneRecord | null | Promise<DroneRecord | null> {
    if (row.droneId === null) return null;
    return pick(this.#found?.get(row)?.drones, row.droneId, this.loaders.drones);
  }

  charge(row: DeliveryRecord): ChargeRecord | null | Promise<ChargeRecord | null> {
    if (row.chargeId === null) return null;
    return pick(this.#found?.get(row)?.charges, row.chargeId, this.loaders.charges);
  }
}

/** The non-null ids a page's rows hold in one of their nullable reference fields. */
function idsOf(rows: readonly DeliveryRecord[], field: 'droneId' | 'chargeId'): string[] {
  const ids: string[] = [];
  for (const row of rows) {
    const id = row[field];
    if (id !== null) ids.push(id);
  }
  return ids;
}

/** The looked-ahead record (its call's error thrown), or the loader's when none was read. */
function pick<T>(
  found: FoundById<T> | undefined,
  id: string,
  loader: DataLoader<string, T | null>,
): T | null | Promise<T | null> {
  const value = found?.get(id);
  if (value === undefined) return loader.load(id);
  if (value instanceof Error) throw value;
  return value;
}
