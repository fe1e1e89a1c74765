import type { CallScope, UpstreamHttpClient } from './http-client.js';
import { ChargeRecord } from './records.js';
import type { BoundReader, ResourceReader } from './resource.js';

export interface NewCharge {
  deliveryId: string;
  amountCents: number;
  currency: string;
}

/**
 * The payments service, for one request: charges against deliveries. A charge is authorized (PENDING, no money
 * taken), captured (SUCCEEDED) or refunded (REFUNDED: money given back, or an authorization
 * released); payments orders capture and refund on the charge, so a refund that comes first
 * makes the capture fail instead of taking money nobody will keep.
 */
export class PaymentsClient {
  readonly charges: BoundReader<ChargeRecord>;

  constructor(
    private readonly http: UpstreamHttpClient,
    charges: ResourceReader<ChargeRecord>,
    private readonly scope: CallScope,
  ) {
    this.charges = charges.bind(scope);
  }

  /** `POST /v1/charges` with `capture: false`: a PENDING charge that holds no money yet. */
  authorize(input: NewCharge, idempotencyKey: string): Promise<ChargeRecord> {
    return this.http.send(
      {
        method: 'POST',
        route: 'POST /v1/charges',
        path: '/v1/charges',
        body: { ...input, capture: false },
        idempotencyKey,
      },
      ChargeRecord,
      this.scope,
    );
  }

  /** `POST /v1/charges/{id}/capture`; 409 INVALID_STATE once the charge was refunded. */
  capture(id: string, idempotencyKey: string): Promise<ChargeRecord> {
    return this.#action(id, 'capture', idempotencyKey);
  }

  /** `POST /v1/charges/{id}/refund`: the whole amount back, or the authorization released. */
  refund(id: string, idempotencyKey: string): Promise<ChargeRecord> {
    return this.#action(id, 'refund', idempotencyKey);
  }

  #action(id: string, action: 'capture' | 'refund', idempotencyKey: string): Promise<ChargeRecord> {
    return this.http.send(
      {
        method: 'POST',
        route: `POST /v1/charges/{id}/${action}`,
        path: `/v1/charges/${encodeURIComponent(id)}/${action}`,
        body: {},
        idempotencyKey,
      },
      ChargeRecord,
      this.scope,
    );
  }
}
