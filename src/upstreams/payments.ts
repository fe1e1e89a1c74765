import type { CallContext, UpstreamHttpClient } from './http-client.js';
import { ChargeRecord } from './records.js';
import { ResourceReader } from './resource.js';

export interface NewCharge {
  deliveryId: string;
  amountCents: number;
  currency: string;
}

/** The payments service: charges against deliveries. */
export class PaymentsClient {
  readonly charges: ResourceReader<ChargeRecord>;

  constructor(private readonly http: UpstreamHttpClient) {
    this.charges = new ResourceReader(http, '/v1/charges', ChargeRecord);
  }

  /** `POST /v1/charges`; 409 INVALID_STATE when the delivery already has a successful charge. */
  create(input: NewCharge, idempotencyKey: string, call: CallContext): Promise<ChargeRecord> {
    return this.http.send(
      {
        method: 'POST',
        route: 'POST /v1/charges',
        path: '/v1/charges',
        body: input,
        idempotencyKey,
      },
      ChargeRecord,
      call,
    );
  }
}
