import type { DeliveryRecord } from '../../src/upstreams/records.js';

/** A delivery as the deliveries service answers it, for tests that feed loaders by hand. */
export function deliveryRecord(
  fields: Pick<DeliveryRecord, 'id'> & Partial<DeliveryRecord>,
): DeliveryRecord {
  return {
    ownerId: 'acc_1',
    packageId: `pkg_${fields.id}`,
    droneId: null,
    chargeId: null,
    status: 'SCHEDULED',
    pickup: { lat: 52.5, lng: 13.4 },
    dropoff: { lat: 52.4, lng: 13.3 },
    createdAt: '2026-01-01T00:00:00.000Z',
    eta: null,
    ...fields,
  };
}
