import { z } from 'zod';

/**
 * The upstream services' records as their OpenAPI documents describe them. Every answer is
 * parsed through these schemas at the boundary, so a resolver never sees an unchecked value.
 * Objects are not strict: a field an upstream adds later is ignored, not an outage.
 */

export const LocationRecord = z.object({
  lat: z.number().min(-90).max(90),
  lng: z.number().min(-180).max(180),
});

const timestamp = z.iso.datetime({ offset: true });

export const AccountRecord = z.object({
  id: z.string().min(1),
  name: z.string(),
  email: z.string(),
});

export const DELIVERY_STATUSES = [
  'CREATED',
  'SCHEDULED',
  'IN_TRANSIT',
  'DELIVERED',
  'CANCELLED',
] as const;

export const DeliveryRecord = z.object({
  id: z.string().min(1),
  ownerId: z.string().min(1),
  packageId: z.string().min(1),
  droneId: z.string().min(1).nullable(),
  chargeId: z.string().min(1).nullable(),
  status: z.enum(DELIVERY_STATUSES),
  pickup: LocationRecord,
  dropoff: LocationRecord,
  createdAt: timestamp,
  eta: timestamp.nullable(),
});

export const PACKAGE_SIZES = ['SMALL', 'MEDIUM', 'LARGE'] as const;

export const PackageRecord = z.object({
  id: z.string().min(1),
  size: z.enum(PACKAGE_SIZES),
  weightKg: z.number().nonnegative(),
  tag: z.string().nullable(),
});

export const DRONE_STATUSES = ['IDLE', 'EN_ROUTE', 'CHARGING', 'MAINTENANCE'] as const;

export const DroneRecord = z.object({
  id: z.string().min(1),
  model: z.string(),
  status: z.enum(DRONE_STATUSES),
  batteryPct: z.number().int().min(0).max(100),
  location: LocationRecord,
});

export const CHARGE_STATUSES = ['PENDING', 'SUCCEEDED', 'FAILED', 'REFUNDED'] as const;

export const ChargeRecord = z.object({
  id: z.string().min(1),
  deliveryId: z.string().min(1),
  amountCents: z.number().int(),
  currency: z.string().length(3),
  status: z.enum(CHARGE_STATUSES),
  /** The whole amount once REFUNDED (a refund, or an authorization released), else 0. */
  amountRefundedCents: z.number().int().min(0),
  createdAt: timestamp,
});

/** `{ data: [records] }`: the answer of a batch get (`?ids=`). */
export const batchOf = <T extends z.ZodType>(record: T) => z.object({ data: z.array(record) });

/** `{ data: [records], nextCursor }`: one page of a keyset-paginated list. */
export const pageOf = <T extends z.ZodType>(record: T) =>
  z.object({ data: z.array(record), nextCursor: z.string().min(1).nullable() });

/** `{ error: { code, message } }`: how every service says no. */
export const ErrorBody = z.object({
  error: z.object({ code: z.string(), message: z.string().optional() }),
});

export type Location = z.infer<typeof LocationRecord>;
export type AccountRecord = z.infer<typeof AccountRecord>;
export type DeliveryRecord = z.infer<typeof DeliveryRecord>;
export type DeliveryStatus = DeliveryRecord['status'];
export type PackageRecord = z.infer<typeof PackageRecord>;
export type PackageSize = PackageRecord['size'];
export type DroneRecord = z.infer<typeof DroneRecord>;
export type ChargeRecord = z.infer<typeof ChargeRecord>;
export interface Page<T> {
  data: T[];
  nextCursor: string | null;
}
