// The records the five services hold, as they travel on the wire (JSON, camelCase).
// Records are immutable: a change replaces the record in its map, so the pristine seed can be
// shared by shallow copies (see data.ts) instead of being deep-cloned on every reset.

export const DELIVERY_STATUSES = [
  'CREATED',
  'SCHEDULED',
  'IN_TRANSIT',
  'DELIVERED',
  'CANCELLED',
] as const;
export type DeliveryStatus = (typeof DELIVERY_STATUSES)[number];

export const PACKAGE_SIZES = ['SMALL', 'MEDIUM', 'LARGE'] as const;
export type PackageSize = (typeof PACKAGE_SIZES)[number];

export const DRONE_STATUSES = ['IDLE', 'EN_ROUTE', 'CHARGING', 'MAINTENANCE'] as const;
export type DroneStatus = (typeof DRONE_STATUSES)[number];

export const CHARGE_STATUSES = ['PENDING', 'SUCCEEDED', 'FAILED', 'REFUNDED'] as const;
export type ChargeStatus = (typeof CHARGE_STATUSES)[number];

export const TOKEN_ROLES = ['CUSTOMER', 'DISPATCHER'] as const;
export type TokenRole = (typeof TOKEN_ROLES)[number];

export interface Location {
  readonly lat: number;
  readonly lng: number;
}

/** `acc_0001` */
export interface Account {
  readonly id: string;
  readonly name: string;
  readonly email: string;
}

/** `del_000001`; ids ascend with `createdAt`. */
export interface Delivery {
  readonly id: string;
  readonly ownerId: string;
  readonly packageId: string;
  readonly droneId: string | null;
  readonly chargeId: string | null;
  readonly status: DeliveryStatus;
  readonly pickup: Location;
  readonly dropoff: Location;
  /** ISO-8601, UTC. */
  readonly createdAt: string;
  /** ISO-8601, UTC; set while SCHEDULED or IN_TRANSIT, else null. */
  readonly eta: string | null;
}

/** `pkg_000001` */
export interface Package {
  readonly id: string;
  readonly size: PackageSize;
  readonly weightKg: number;
  readonly tag: string | null;
}

/** `drn_001` */
export interface Drone {
  readonly id: string;
  readonly model: string;
  readonly status: DroneStatus;
  /** Integer 0..100. */
  readonly batteryPct: number;
  readonly location: Location;
}

/** `chg_000001` */
export interface Charge {
  readonly id: string;
  readonly deliveryId: string;
  /** Integer, in the currency's minor unit. */
  readonly amountCents: number;
  /** ISO 4217, three uppercase letters. */
  readonly currency: string;
  /**
   * PENDING: authorized, not captured (holds no money yet); SUCCEEDED: captured; FAILED:
   * declined; REFUNDED: its money given back, or its authorization released uncaptured.
   */
  readonly status: ChargeStatus;
  /** What was given back: the whole amount once REFUNDED, else 0. */
  readonly amountRefundedCents: number;
  readonly createdAt: string;
}
