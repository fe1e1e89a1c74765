import { describe, expect, it } from 'vitest';
import {
  DEFAULT_SEED_OPTIONS,
  DELIVERY_STATUSES,
  type Delivery,
  generateSeed,
  type SeedData,
} from '../../mock-services/index.js';
import { OpenApiChecker } from './helpers.js';

const seeded = generateSeed();
const deliveries = [...seeded.deliveries.values()];

function json(data: SeedData): string {
  return JSON.stringify([
    [...data.accounts.values()],
    [...data.deliveries.values()],
    [...data.packages.values()],
    [...data.drones.values()],
    [...data.charges.values()],
  ]);
}

function count(predicate: (delivery: Delivery) => boolean): number {
  return deliveries.filter(predicate).length;
}

describe('determinism', () => {
  it('gives byte-identical data for the same options', () => {
    const options = { seed: 7, accounts: 100, drones: 20 };
    const first = generateSeed(options);
    const second = generateSeed(options);
    expect(json(first)).toBe(json(second));
    expect(first).toEqual(second);
  });

  it('gives other data for another seed', () => {
    const options = { accounts: 100, drones: 20 };
    expect(json(generateSeed({ ...options, seed: 1 }))).not.toBe(
      json(generateSeed({ ...options, seed: 2 })),
    );
  });

  it('seeds the default size: every account and drone, a package per delivery, a charge per charged one', () => {
    expect(seeded.accounts.size).toBe(DEFAULT_SEED_OPTIONS.accounts);
    expect(seeded.drones.size).toBe(DEFAULT_SEED_OPTIONS.drones);
    const { minDeliveriesPerAccount: min, maxDeliveriesPerAccount: max } = DEFAULT_SEED_OPTIONS;
    expect(deliveries.length).toBeGreaterThanOrEqual(min * DEFAULT_SEED_OPTIONS.accounts);
    expect(deliveries.length).toBeLessThanOrEqual(max * DEFAULT_SEED_OPTIONS.accounts);
    expect(seeded.packages.size).toBe(deliveries.length);
    expect(seeded.charges.size).toBe(count((d) => d.chargeId !== null));
  });
});

describe('sizes', () => {
  it('follows the options', () => {
    const small = generateSeed({
      accounts: 30,
      drones: 7,
      minDeliveriesPerAccount: 2,
      maxDeliveriesPerAccount: 4,
    });
    expect(small.accounts.size).toBe(30);
    expect(small.drones.size).toBe(7);
    expect(small.deliveryIdsByOwner.size).toBe(30);
    for (const ids of small.deliveryIdsByOwner.values()) {
      expect(ids.length).toBeGreaterThanOrEqual(2);
      expect(ids.length).toBeLessThanOrEqual(4);
    }
    expect(small.packages.size).toBe(small.deliveries.size);
  });

  it('defaults to 1,000 accounts with 5 to 40 deliveries each and 300 drones', () => {
    expect(DEFAULT_SEED_OPTIONS).toMatchObject({ seed: 42, accounts: 1000, drones: 300 });
    expect(seeded.accounts.size).toBe(1000);
    expect(seeded.drones.size).toBe(300);
    const perOwner = [...seeded.deliveryIdsByOwner.values()].map((ids) => ids.length);
    expect(Math.min(...perOwner)).toBeGreaterThanOrEqual(5);
    expect(Math.max(...perOwner)).toBeLessThanOrEqual(40);
    expect(perOwner.filter((n) => n > 20).length).toBeGreaterThan(100);
  });

  it('refuses options it cannot honour', () => {
    expect(() => generateSeed({ accounts: 0 })).toThrow();
    expect(() => generateSeed({ accounts: 10_000 })).toThrow();
    expect(() =>
      generateSeed({ minDeliveriesPerAccount: 5, maxDeliveriesPerAccount: 4 }),
    ).toThrow();
    expect(() => generateSeed({ seed: 1.5 })).toThrow();
  });
});

describe('the default seed', () => {
  it('mixes statuses roughly 10/15/25/40/10, with at least 100 IN_TRANSIT', () => {
    const share = (status: string) => count((d) => d.status === status) / deliveries.length;
    expect(count((d) => d.status === 'IN_TRANSIT')).toBeGreaterThanOrEqual(100);
    const expected = {
      CREATED: 0.1,
      SCHEDULED: 0.15,
      IN_TRANSIT: 0.25,
      DELIVERED: 0.4,
      CANCELLED: 0.1,
    };
    for (const status of DELIVERY_STATUSES)
      expect(Math.abs(share(status) - expected[status])).toBeLessThan(0.02);
  });

  it('gives ids that ascend with createdAt and interleave owners', () => {
    const outOfOrder = deliveries.filter((d, i) => {
      const before = deliveries[i - 1];
      return before !== undefined && !(before.id < d.id && before.createdAt < d.createdAt);
    });
    expect(outOfOrder).toEqual([]);
    const firstOwners = new Set(deliveries.slice(0, 50).map((d) => d.ownerId));
    expect(firstOwners.size).toBeGreaterThan(40);
  });

  it('assigns drones, charges and etas by status', () => {
    const withDrone = (status: string) => count((d) => d.status === status && d.droneId !== null);
    const total = (status: string) => count((d) => d.status === status);
    expect(withDrone('IN_TRANSIT')).toBe(total('IN_TRANSIT'));
    expect(withDrone('DELIVERED')).toBe(total('DELIVERED'));
    expect(withDrone('CREATED') + withDrone('CANCELLED')).toBe(0);
    expect(withDrone('SCHEDULED') / total('SCHEDULED')).toBeGreaterThan(0.4);
    expect(withDrone('SCHEDULED') / total('SCHEDULED')).toBeLessThan(0.6);

    // One expect for the lot: 22,000 expects would take a second.
    const problems = deliveries.flatMap((d) => {
      const charge = d.chargeId === null ? undefined : seeded.charges.get(d.chargeId);
      const chargeOk =
        d.status === 'CREATED'
          ? d.chargeId === null
          : d.status === 'CANCELLED'
            ? d.chargeId === null || charge?.status === 'REFUNDED'
            : charge?.status === 'SUCCEEDED';
      const checks = {
        charge: chargeOk && (charge === undefined || charge.deliveryId === d.id),
        eta: (d.eta !== null) === (d.status === 'SCHEDULED' || d.status === 'IN_TRANSIT'),
        package: seeded.packages.has(d.packageId),
        owner: seeded.accounts.has(d.ownerId),
        drone: d.droneId === null || seeded.drones.has(d.droneId),
      };
      return Object.entries(checks).flatMap(([what, ok]) => (ok ? [] : [`${d.id}: ${what}`]));
    });
    expect(problems).toEqual([]);
    const refunded = count((d) => d.status === 'CANCELLED' && d.chargeId !== null);
    expect(refunded / total('CANCELLED')).toBeGreaterThan(0.4);
    expect(refunded / total('CANCELLED')).toBeLessThan(0.6);
  });

  it('mostly flies IN_TRANSIT deliveries with EN_ROUTE drones', () => {
    const inTransit = deliveries.filter((d) => d.status === 'IN_TRANSIT');
    const enRoute = inTransit.filter(
      (d) => seeded.drones.get(d.droneId ?? '')?.status === 'EN_ROUTE',
    );
    expect(enRoute.length / inTransit.length).toBeGreaterThan(0.8);
  });

  it('keeps its indexes in step with the maps', () => {
    expect(seeded.deliveryIds).toEqual([...seeded.deliveries.keys()].sort());
    for (const status of DELIVERY_STATUSES) {
      expect(seeded.deliveryIdsByStatus[status]).toEqual(
        deliveries.filter((d) => d.status === status).map((d) => d.id),
      );
    }
    const owner = 'acc_0001';
    expect(seeded.deliveryIdsByOwner.get(owner)).toEqual(
      deliveries.filter((d) => d.ownerId === owner).map((d) => d.id),
    );
    for (const [deliveryId, chargeIds] of seeded.chargeIdsByDelivery) {
      for (const id of chargeIds) expect(seeded.charges.get(id)?.deliveryId).toBe(deliveryId);
    }
  });

  it('freezes records so nothing changes them behind the indexes', () => {
    const delivery = deliveries[0] as Delivery;
    expect(Object.isFrozen(delivery) && Object.isFrozen(delivery.pickup)).toBe(true);
  });

  it('holds only records that match the OpenAPI schemas', () => {
    const cases = [
      ['accounts', 'Account', seeded.accounts],
      ['deliveries', 'Delivery', seeded.deliveries],
      ['packages', 'Package', seeded.packages],
      ['drones', 'Drone', seeded.drones],
      ['payments', 'Charge', seeded.charges],
    ] as const;
    for (const [service, schema, records] of cases) {
      const validate = new OpenApiChecker(service).schema(schema);
      const invalid = [...records.values()].filter((record) => !validate(record));
      expect(invalid.slice(0, 3), schema).toEqual([]);
    }
  });
});
