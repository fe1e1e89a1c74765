import { z } from 'zod';
import type { components as accounts } from './generated/accounts.js';
import type { components as deliveries } from './generated/deliveries.js';
import type { components as drones } from './generated/drones.js';
import * as generated from './generated/index.js';
import type { components as packages } from './generated/packages.js';
import type { components as payments } from './generated/payments.js';

/**
 * The upstream services' records, as their OpenAPI documents describe them (mock-services/
 * openapi/), cut to what the BFF reads (`usage.ts`). Types and validators are generated
 * (`npm run upstreams:generate`), not written here: every answer is validated at the boundary,
 * so a resolver never sees an unchecked value. A property an upstream adds later is dropped,
 * not an outage.
 */

export type Location = deliveries['schemas']['Location'];

export const AccountRecord = generated.Account;
export type AccountRecord = accounts['schemas']['Account'];
export const AccountBatch = generated.AccountBatch;

export const DeliveryRecord = generated.Delivery;
export type DeliveryRecord = deliveries['schemas']['Delivery'];
export type DeliveryStatus = DeliveryRecord['status'];
export const DELIVERY_STATUSES = generated.ENUMS.Delivery.status;
export const DeliveryBatch = generated.DeliveryBatch;
export const DeliveryPage = generated.DeliveryPage;

export const PackageRecord = generated.Package;
export type PackageRecord = packages['schemas']['Package'];
export type PackageSize = PackageRecord['size'];
export const PACKAGE_SIZES = generated.ENUMS.Package.size;
export const PackageBatch = generated.PackageBatch;

export const DroneRecord = generated.Drone;
export type DroneRecord = drones['schemas']['Drone'];
export const DRONE_STATUSES = generated.ENUMS.Drone.status;
export const DroneBatch = generated.DroneBatch;

export const ChargeRecord = generated.Charge;
export type ChargeRecord = payments['schemas']['Charge'];
export const CHARGE_STATUSES = generated.ENUMS.Charge.status;
export const ChargeBatch = generated.ChargeBatch;

/**
 * `{ error: { code, message } }`: how every service says no. Read by `http-client.ts` for any
 * status of any service, so it accepts any code (the documents list theirs): a code added
 * later is passed on as a rejection, not mistaken for a broken answer.
 */
export const ErrorBody = z.object({
  error: z.object({ code: z.string(), message: z.string().optional() }),
});

export interface Page<T> {
  data: T[];
  nextCursor: string | null;
}
