import {
  type AugmentedRequest,
  type DataSourceConfig,
  RESTDataSource,
} from '@apollo/datasource-rest';
import DataLoader from 'dataloader';

/**
 * The five services as Apollo's documentation has a team write them: one RESTDataSource
 * subclass per service, made anew for every request in the context function (so its request
 * de-duplication and its DataLoaders live as long as the request), with a DataLoader per
 * resource over the batch route (`?ids=`), as in Apollo's "batching" recipe. The recipe puts
 * the answer back in key order with `find`; here a Map does it, as in Skyway.
 */

export interface Location {
  lat: number;
  lng: number;
}
export interface Account {
  id: string;
  name: string;
  email: string;
}
export interface Delivery {
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
export interface Package {
  id: string;
  size: string;
  weightKg: number;
  tag: string | null;
}
export interface Drone {
  id: string;
  model: string;
  status: string;
  batteryPct: number;
  location: Location;
}
export interface Charge {
  id: string;
  deliveryId: string;
  amountCents: number;
  currency: string;
  status: string;
  createdAt: string;
}
export interface Page<T> {
  data: T[];
  nextCursor: string | null;
}

export interface DataSourceOptions {
  baseURL: string;
  cache: DataSourceConfig['cache'];
  /** The verified caller's account id, forwarded as Skyway does. */
  callerId: string | null;
}

/** A service with one batchable resource: `GET /v1/<resource>?ids=a,b,c`. */
abstract class BatchingDataSource<T extends { id: string }> extends RESTDataSource {
  protected abstract readonly resource: string;
  readonly #callerId: string | null;

  constructor(options: DataSourceOptions) {
    super({ cache: options.cache });
    this.baseURL = options.baseURL;
    this.#callerId = options.callerId;
  }

  override willSendRequest(_path: string, request: AugmentedRequest): void {
    if (this.#callerId !== null) request.headers['x-skyway-caller'] = this.#callerId;
  }

  readonly #byId = new DataLoader<string, T | null>(
    async (ids) => {
      const { data } = await this.get<{ data: T[] }>(`v1/${this.resource}`, {
        params: { ids: ids.join(',') },
      });
      const byId = new Map(data.map((record) => [record.id, record]));
      return ids.map((id) => byId.get(id) ?? null);
    },
    { maxBatchSize: 100 },
  );

  load(id: string): Promise<T | null> {
    return this.#byId.load(id);
  }
}

export class AccountsAPI extends BatchingDataSource<Account> {
  protected readonly resource = 'accounts';
}

export class PackagesAPI extends BatchingDataSource<Package> {
  protected readonly resource = 'packages';
}

export class DronesAPI extends BatchingDataSource<Drone> {
  protected readonly resource = 'drones';
}

export class PaymentsAPI extends BatchingDataSource<Charge> {
  protected readonly resource = 'charges';
}

export interface DeliveryPageQuery {
  ownerId?: string;
  status?: string;
  limit: number;
  cursor?: string;
}

export class DeliveriesAPI extends BatchingDataSource<Delivery> {
  protected readonly resource = 'deliveries';

  /** `GET /v1/deliveries?ownerId=&status=&limit=&cursor=`, newest first. */
  page(query: DeliveryPageQuery): Promise<Page<Delivery>> {
    const params: Record<string, string> = { limit: String(query.limit) };
    if (query.ownerId !== undefined) params.ownerId = query.ownerId;
    if (query.status !== undefined) params.status = query.status;
    if (query.cursor !== undefined) params.cursor = query.cursor;
    return this.get<Page<Delivery>>('v1/deliveries', { params });
  }
}

export interface DataSources {
  accounts: AccountsAPI;
  deliveries: DeliveriesAPI;
  packages: PackagesAPI;
  drones: DronesAPI;
  payments: PaymentsAPI;
}
