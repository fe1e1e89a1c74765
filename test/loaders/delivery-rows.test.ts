import { describe, expect, it } from 'vitest';
import { createByIdLoader } from '../../src/loaders/by-id.js';
import { DeliveryRows, type RowField } from '../../src/loaders/delivery-rows.js';
import type { DeliveryRecord } from '../../src/upstreams/records.js';
import { deliveryRecord } from '../helpers/delivery-record.js';

/**
 * The batch reads are plain in-memory functions here, each recording the ids it was asked:
 * this tests the look-ahead's calls and what the row fields answer, not HTTP.
 */

function delivery(n: number, droneId: string | null, chargeId: string | null): DeliveryRecord {
  return deliveryRecord({
    id: `d${n}`,
    ownerId: `acc_${n % 2}`,
    packageId: `pkg_${n}`,
    droneId,
    chargeId,
    status: 'IN_TRANSIT',
  });
}

const ROWS = [
  delivery(1, 'drn_1', 'chg_1'),
  delivery(2, null, null),
  delivery(3, 'drn_1', 'chg_3'),
  delivery(4, 'drn_4', null),
];

const ALL: ReadonlySet<RowField> = new Set(['owner', 'package', 'drone', 'charge']);

function rows({ maxBatchSize = 100, batching = true, failing = '' } = {}) {
  const calls: Record<string, string[][]> = { accounts: [], packages: [], drones: [], charges: [] };
  const read =
    <T>(service: string, make: (id: string) => T) =>
    async (ids: readonly string[]) => {
      (calls[service] as string[][]).push([...ids]);
      if (service === failing) throw new Error(`${service} down`);
      // One id is unknown to its service: it is absent from the answer.
      return ids.filter((id) => id !== 'drn_4').map(make);
    };
  const reads = {
    accounts: read('accounts', (id) => ({ id, name: id, email: `${id}@example.com` })),
    packages: read('packages', (id) => ({ id, size: 'SMALL' as const, weightKg: 1, tag: null })),
    drones: read('drones', (id) => ({
      id,
      model: 'M1',
      status: 'EN_ROUTE' as const,
      batteryPct: 50,
      location: { lat: 1, lng: 2 },
    })),
    charges: read('charges', (id) => ({
      id,
      deliveryId: 'd1',
      amountCents: 100,
      currency: 'EUR',
      status: 'SUCCEEDED' as const,
      amountRefundedCents: 0,
      createdAt: '2026-01-01T00:00:00.000Z',
    })),
  };
  const loaders = {
    accounts: createByIdLoader(reads.accounts, maxBatchSize, batching),
    packages: createByIdLoader(reads.packages, maxBatchSize, batching),
    drones: createByIdLoader(reads.drones, maxBatchSize, batching),
    charges: createByIdLoader(reads.charges, maxBatchSize, batching),
  };
  return {
    rows: new DeliveryRows(loaders, reads, maxBatchSize, batching),
    calls,
  };
}

describe('DeliveryRows', () => {
  it('reads a page’s references in one call per service, and the rows answer without a promise', async () => {
    const { rows: page, calls } = rows();
    await page.lookAhead(ROWS, ALL);
    expect(calls).toEqual({
      accounts: [['acc_1', 'acc_0']],
      packages: [['pkg_1', 'pkg_2', 'pkg_3', 'pkg_4']],
      drones: [['drn_1', 'drn_4']],
      charges: [['chg_1', 'chg_3']],
    });
    const [first, second, , fourth] = ROWS as [
      DeliveryRecord,
      DeliveryRecord,
      DeliveryRecord,
      DeliveryRecord,
    ];
    expect(page.owner(first)).toEqual({ id: 'acc_1', name: 'acc_1', email: 'acc_1@example.com' });
    expect(page.package(second)).toMatchObject({ id: 'pkg_2' });
    expect(page.drone(first)).toMatchObject({ id: 'drn_1' });
    expect(page.drone(second)).toBeNull();
    expect(page.charge(second)).toBeNull();
    // Asked for and not answered: null, as a loader gives it.
    expect(page.drone(fourth)).toBeNull();
    // Nothing more was called to answer the fields.
    expect(Object.values(calls).flat()).toHaveLength(4);
  });

  it('reads only the selected fields; the others go through their loaders', async () => {
    const { rows: page, calls } = rows();
    await page.lookAhead(ROWS, new Set<RowField>(['package']));
    expect(calls.drones).toEqual([]);
    const first = ROWS[0] as DeliveryRecord;
    const drone = page.drone(first);
    expect(drone).toBeInstanceOf(Promise);
    expect(await drone).toMatchObject({ id: 'drn_1' });
    expect(calls.drones).toEqual([['drn_1']]);
    expect(calls.packages).toEqual([['pkg_1', 'pkg_2', 'pkg_3', 'pkg_4']]);
  });

  it('cuts a read at maxBatchSize ids, the calls at once', async () => {
    const { rows: page, calls } = rows({ maxBatchSize: 3 });
    await page.lookAhead(ROWS, new Set<RowField>(['package']));
    expect(calls.packages).toEqual([['pkg_1', 'pkg_2', 'pkg_3'], ['pkg_4']]);
  });

  it('gives a failed call’s one error to every field that needed it, and keeps the others', async () => {
    const { rows: page, calls } = rows({ failing: 'drones' });
    await page.lookAhead(ROWS, ALL);
    const [first, second, third] = ROWS as [DeliveryRecord, DeliveryRecord, DeliveryRecord];
    let firstError: unknown;
    try {
      page.drone(first);
    } catch (error) {
      firstError = error;
    }
    expect(firstError).toEqual(new Error('drones down'));
    expect(() => page.drone(third)).toThrow(firstError as Error);
    expect(page.drone(second)).toBeNull();
    expect(page.charge(first)).toMatchObject({ id: 'chg_1' });
    expect(calls.drones).toHaveLength(1);
  });

  it('reads nothing ahead with batching off (the benchmark’s naive contender)', async () => {
    const { rows: page, calls } = rows({ batching: false });
    await page.lookAhead(ROWS, ALL);
    expect(Object.values(calls).flat()).toEqual([]);
    await Promise.all(ROWS.map((row) => page.package(row)));
    expect(calls.packages).toEqual([['pkg_1'], ['pkg_2'], ['pkg_3'], ['pkg_4']]);
  });

  it('answers rows of another page (or none) through the loaders', async () => {
    const { rows: page, calls } = rows();
    await page.lookAhead(ROWS.slice(0, 2), new Set<RowField>(['package']));
    const other = ROWS[2] as DeliveryRecord;
    expect(await page.package(other)).toMatchObject({ id: 'pkg_3' });
    expect(calls.packages).toEqual([['pkg_1', 'pkg_2'], ['pkg_3']]);
  });
});
