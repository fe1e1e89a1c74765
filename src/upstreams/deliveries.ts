import type { CallScope, UpstreamHttpClient } from './http-client.js';
import {
  DeliveryPage,
  DeliveryRecord,
  type DeliveryStatus,
  type Location,
  type Page,
} from './records.js';
import { type BoundReader, queryString, type ResourceReader } from './resource.js';

export interface DeliveryPageQuery {
  ownerId?: string;
  status?: DeliveryStatus;
  limit: number;
  /** The id of the last delivery already seen: the page starts right after it. */
  after?: string;
}

export interface NewDelivery {
  ownerId: string;
  packageId: string;
  pickup: Location;
  dropoff: Location;
}

/** The deliveries service, for one request: deliveries, their lists, and their life-cycle writes. */
export class DeliveriesClient {
  readonly deliveries: BoundReader<DeliveryRecord>;

  constructor(
    private readonly http: UpstreamHttpClient,
    deliveries: ResourceReader<DeliveryRecord>,
    private readonly scope: CallScope,
  ) {
    this.deliveries = deliveries.bind(scope);
  }

  /**
   * `GET /v1/deliveries?ownerId=&status=&limit=&cursor=`: newest first, keyset-paginated.
   * More records than `limit` is a BAD_RESPONSE; a record outside the filter asked for (another
   * owner's delivery in a customer's list) is dropped, as a batch drops ids not asked for.
   */
  async list(query: DeliveryPageQuery): Promise<Page<DeliveryRecord>> {
    const path = `/v1/deliveries${queryString({
      ownerId: query.ownerId,
      status: query.status,
      limit: query.limit,
      cursor: query.after,
    })}`;
    const page = await this.http.send(
      { method: 'GET', route: 'GET /v1/deliveries', path, maxRecords: query.limit },
      DeliveryPage,
      this.scope,
    );
    const asked = page.data.filter(
      (delivery) =>
        (query.ownerId === undefined || delivery.ownerId === query.ownerId) &&
        (query.status === undefined || delivery.status === query.status),
    );
    return asked.length === page.data.length ? page : { ...page, data: asked };
  }

  /** `POST /v1/deliveries`: a new SCHEDULED delivery. */
  create(input: NewDelivery, idempotencyKey: string): Promise<DeliveryRecord> {
    return this.http.send(
      {
        method: 'POST',
        route: 'POST /v1/deliveries',
        path: '/v1/deliveries',
        body: input,
        idempotencyKey,
      },
      DeliveryRecord,
      this.scope,
    );
  }

  /** `POST /v1/deliveries/{id}/cancel`; 409 INVALID_STATE once it is in transit or done. */
  cancel(id: string, idempotencyKey: string): Promise<DeliveryRecord> {
    return this.http.send(
      {
        method: 'POST',
        route: 'POST /v1/deliveries/{id}/cancel',
        path: `/v1/deliveries/${encodeURIComponent(id)}/cancel`,
        body: {},
        idempotencyKey,
      },
      DeliveryRecord,
      this.scope,
    );
  }

  /** `POST /v1/deliveries/{id}/payment`: records the charge that paid for the delivery. */
  markPaid(id: string, chargeId: string, idempotencyKey: string): Promise<DeliveryRecord> {
    return this.http.send(
      {
        method: 'POST',
        route: 'POST /v1/deliveries/{id}/payment',
        path: `/v1/deliveries/${encodeURIComponent(id)}/payment`,
        body: { chargeId },
        idempotencyKey,
      },
      DeliveryRecord,
      this.scope,
    );
  }

  /**
   * `POST /v1/deliveries/{id}/payment/release`: unlinks `chargeId` if it is still the
   * delivery's and the delivery is not cancelled; else answers the delivery unchanged.
   */
  unlinkPayment(id: string, chargeId: string, idempotencyKey: string): Promise<DeliveryRecord> {
    return this.http.send(
      {
        method: 'POST',
        route: 'POST /v1/deliveries/{id}/payment/release',
        path: `/v1/deliveries/${encodeURIComponent(id)}/payment/release`,
        body: { chargeId },
        idempotencyKey,
      },
      DeliveryRecord,
      this.scope,
    );
  }
}
