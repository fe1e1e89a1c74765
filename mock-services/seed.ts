// Deterministic seed data: the same options give byte-identical records. Everything random
// comes from one seeded Random, drawn in a fixed order, and every date from BASE_DATE.

import { z } from 'zod';
import type { SeedData } from './data.js';
import {
  emptySeedData,
  insertAccount,
  insertCharge,
  insertDelivery,
  insertDrone,
  insertPackage,
} from './data.js';
import { formatId, maxIdNumber } from './ids.js';
import { Random } from './random.js';
import type {
  Charge,
  DeliveryStatus,
  Drone,
  DroneStatus,
  Location,
  PackageSize,
} from './records.js';

export interface SeedOptions {
  /** PRNG seed. @default 42 */
  seed?: number;
  /** Number of accounts, at most 9,999. @default 1000 */
  accounts?: number;
  /** Number of drones, at most 999. @default 300 */
  drones?: number;
  /** Each account gets a uniform number of deliveries in [min, max]. @default 5 */
  minDeliveriesPerAccount?: number;
  /** @default 40 */
  maxDeliveriesPerAccount?: number;
}

export const DEFAULT_SEED_OPTIONS: Readonly<Required<SeedOptions>> = {
  seed: 42,
  accounts: 1000,
  drones: 300,
  minDeliveriesPerAccount: 5,
  maxDeliveriesPerAccount: 40,
};

/** The first delivery is created at this instant; later ones follow minutes apart. */
export const BASE_DATE = Date.parse('2026-01-01T00:00:00.000Z');

const seedOptionsSchema = z
  .strictObject({
    seed: z.int(),
    accounts: z.int().min(1).max(maxIdNumber('account')),
    drones: z.int().min(1).max(maxIdNumber('drone')),
    minDeliveriesPerAccount: z.int().min(0),
    maxDeliveriesPerAccount: z.int().min(0).max(100),
  })
  .refine((o) => o.minDeliveriesPerAccount <= o.maxDeliveriesPerAccount, {
    message: 'minDeliveriesPerAccount must not exceed maxDeliveriesPerAccount',
  });

export function resolveSeedOptions(options: SeedOptions = {}): Required<SeedOptions> {
  const defined = Object.fromEntries(Object.entries(options).filter(([, v]) => v !== undefined));
  return seedOptionsSchema.parse({ ...DEFAULT_SEED_OPTIONS, ...defined });
}

// Roughly the brief's mix; IN_TRANSIT at 25% gives thousands at the default size.
const DELIVERY_STATUS_WEIGHTS: Record<DeliveryStatus, number> = {
  CREATED: 10,
  SCHEDULED: 15,
  IN_TRANSIT: 25,
  DELIVERED: 40,
  CANCELLED: 10,
};
const DRONE_STATUS_WEIGHTS: Record<DroneStatus, number> = {
  IDLE: 30,
  EN_ROUTE: 40,
  CHARGING: 20,
  MAINTENANCE: 10,
};
const PACKAGE_SIZE_WEIGHTS: Record<PackageSize, number> = { SMALL: 50, MEDIUM: 35, LARGE: 15 };
const WEIGHT_KG: Record<PackageSize, [number, number]> = {
  SMALL: [0.1, 2],
  MEDIUM: [2, 8],
  LARGE: [8, 25],
};
const PRICE_CENTS: Record<PackageSize, [number, number]> = {
  SMALL: [499, 1499],
  MEDIUM: [999, 2999],
  LARGE: [1999, 5999],
};

const FIRST_NAMES = [
  'Ada',
  'Ben',
  'Clara',
  'David',
  'Elif',
  'Felix',
  'Greta',
  'Hamza',
  'Ines',
  'Jonas',
  'Katja',
  'Leon',
  'Mia',
  'Noah',
  'Olga',
  'Paul',
  'Rosa',
  'Sami',
  'Tara',
  'Yusuf',
] as const;
const LAST_NAMES = [
  'Bauer',
  'Cohen',
  'Demir',
  'Fischer',
  'Garcia',
  'Hoffmann',
  'Kowalski',
  'Lange',
  'Meyer',
  'Nguyen',
  'Novak',
  'Okafor',
  'Richter',
  'Schmidt',
  'Schulz',
  'Silva',
  'Wagner',
  'Weber',
] as const;
const DRONE_MODELS = [
  'Hopper S1',
  'Hopper S2',
  'Kestrel X4',
  'Albatross Cargo',
  'Wren Mini',
] as const;
const PACKAGE_TAGS = ['fragile', 'keep-upright', 'perishable', 'documents', 'gift'] as const;

// Around Berlin.
function cityLocation(random: Random): Location {
  return { lat: random.float(52.3, 52.7, 5), lng: random.float(13.1, 13.7, 5) };
}

const MINUTE_MS = 60_000;

export function generateSeed(options: SeedOptions = {}): SeedData {
  const o = resolveSeedOptions(options);
  const random = new Random(o.seed);
  const data = emptySeedData();

  for (let n = 1; n <= o.accounts; n++) {
    const first = random.pick(FIRST_NAMES);
    const last = random.pick(LAST_NAMES);
    insertAccount(data, {
      id: formatId('account', n),
      name: `${first} ${last}`,
      email: `${first}.${last}.${n}@example.com`.toLowerCase(),
    });
  }

  const enRouteDrones: string[] = [];
  for (let n = 1; n <= o.drones; n++) {
    const drone = makeDrone(random, n);
    insertDrone(data, drone);
    if (drone.status === 'EN_ROUTE') enRouteDrones.push(drone.id);
  }
  const allDrones = data.droneIds;

  // One slot per delivery to make, shuffled so that owners interleave in id order.
  const owners: number[] = [];
  for (let n = 1; n <= o.accounts; n++) {
    const count = random.int(o.minDeliveriesPerAccount, o.maxDeliveriesPerAccount);
    for (let i = 0; i < count; i++) owners.push(n);
  }
  random.shuffle(owners);

  let createdMs = BASE_DATE;
  let chargeNumber = 0;
  owners.forEach((owner, index) => {
    const n = index + 1;
    const id = formatId('delivery', n);
    const status = random.weighted(DELIVERY_STATUS_WEIGHTS);
    const size = random.weighted(PACKAGE_SIZE_WEIGHTS);
    const [minKg, maxKg] = WEIGHT_KG[size];
    const packageId = formatId('package', n);
    insertPackage(data, {
      id: packageId,
      size,
      weightKg: Math.max(0.1, random.float(minKg, maxKg, 1)),
      tag: random.chance(0.4) ? random.pick(PACKAGE_TAGS) : null,
    });

    let droneId: string | null = null;
    if (status === 'IN_TRANSIT') {
      // Drones carrying a delivery are mostly the ones flying.
      const pool = enRouteDrones.length > 0 && random.chance(0.9) ? enRouteDrones : allDrones;
      droneId = random.pick(pool);
    } else if (status === 'DELIVERED' || (status === 'SCHEDULED' && random.chance(0.5))) {
      droneId = random.pick(allDrones);
    }

    let chargeStatus: Charge['status'] | null = null;
    if (status === 'SCHEDULED' || status === 'IN_TRANSIT' || status === 'DELIVERED') {
      chargeStatus = 'SUCCEEDED';
    } else if (status === 'CANCELLED' && random.chance(0.5)) {
      chargeStatus = 'REFUNDED';
    }
    let chargeId: string | null = null;
    if (chargeStatus !== null) {
      const [minCents, maxCents] = PRICE_CENTS[size];
      chargeNumber += 1;
      chargeId = formatId('charge', chargeNumber);
      const amountCents = random.int(minCents, maxCents);
      insertCharge(data, {
        id: chargeId,
        deliveryId: id,
        amountCents,
        currency: random.chance(0.95) ? 'EUR' : 'USD',
        status: chargeStatus,
        amountRefundedCents: chargeStatus === 'REFUNDED' ? amountCents : 0,
        // Paid half a minute after ordering; deliveries are at least a minute apart, so
        // charge ids ascend with createdAt too.
        createdAt: new Date(createdMs + 30_000).toISOString(),
      });
    }

    const hasEta = status === 'SCHEDULED' || status === 'IN_TRANSIT';
    insertDelivery(data, {
      id,
      ownerId: formatId('account', owner),
      packageId,
      droneId,
      chargeId,
      status,
      pickup: cityLocation(random),
      dropoff: cityLocation(random),
      createdAt: new Date(createdMs).toISOString(),
      eta: hasEta ? new Date(createdMs + random.int(30, 90) * MINUTE_MS).toISOString() : null,
    });
    createdMs += random.int(60, 540) * 1000;
  });

  return data;
}

function makeDrone(random: Random, n: number): Drone {
  const status = random.weighted(DRONE_STATUS_WEIGHTS);
  return {
    id: formatId('drone', n),
    model: random.pick(DRONE_MODELS),
    status,
    batteryPct: status === 'CHARGING' ? random.int(5, 60) : random.int(20, 100),
    location: cityLocation(random),
  };
}
