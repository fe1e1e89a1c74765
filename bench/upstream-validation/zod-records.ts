import { z } from 'zod';

/**
 * The BFF's upstream records as they were before issue 19: hand-written zod schemas, kept in
 * step with the documents by tests. The product now validates with validators generated from
 * the documents (src/upstreams/generated/); this copy stays only as the "before" contender of
 * `bench/upstream-validation.ts`, so the comparison can be run again.
 */

const LocationRecord = z.object({
  lat: z.number().min(-90).max(90),
  lng: z.number().min(-180).max(180),
});

const timestamp = z.iso.datetime({ offset: true });

const AccountRecord = z.object({ id: z.string().min(1), name: z.string(), email: z.string() });

const DeliveryRecord = z.object({
  id: z.string().min(1),
  ownerId: z.string().min(1),
  packageId: z.string().min(1),
  droneId: z.string().min(1).nullable(),
  chargeId: z.string().min(1).nullable(),
  status: z.enum(['CREATED', 'SCHEDULED', 'IN_TRANSIT', 'DELIVERED', 'CANCELLED']),
  pickup: LocationRecord,
  dropoff: LocationRecord,
  createdAt: timestamp,
  eta: timestamp.nullable(),
});

const PackageRecord = z.object({
  id: z.string().min(1),
  size: z.enum(['SMALL', 'MEDIUM', 'LARGE']),
  weightKg: z.number().nonnegative(),
  tag: z.string().nullable(),
});

const DroneRecord = z.object({
  id: z.string().min(1),
  model: z.string(),
  status: z.enum(['IDLE', 'EN_ROUTE', 'CHARGING', 'MAINTENANCE']),
  batteryPct: z.number().int().min(0).max(100),
  location: LocationRecord,
});

const ChargeRecord = z.object({
  id: z.string().min(1),
  deliveryId: z.string().min(1),
  amountCents: z.number().int(),
  currency: z.string().length(3),
  status: z.enum(['PENDING', 'SUCCEEDED', 'FAILED', 'REFUNDED']),
  amountRefundedCents: z.number().int().min(0),
  createdAt: timestamp,
});

const batchOf = <T extends z.ZodType>(record: T) => z.object({ data: z.array(record) });

export const ZOD_ANSWERS = {
  DeliveryPage: z.object({
    data: z.array(DeliveryRecord),
    nextCursor: z.string().min(1).nullable(),
  }),
  AccountBatch: batchOf(AccountRecord),
  PackageBatch: batchOf(PackageRecord),
  DroneBatch: batchOf(DroneRecord),
  ChargeBatch: batchOf(ChargeRecord),
};
