import { describe, expect, it } from 'vitest';
import { createByIdLoader } from '../../src/loaders/by-id.js';
import { createDeliveryPagesLoader } from '../../src/loaders/delivery-pages.js';
import type { DeliveryPageQuery } from '../../src/upstreams/deliveries.js';
import type { DeliveryRecord, Page } from '../../src/upstreams/records.js';
import { deliveryRecord } from '../helpers/delivery-record.js';

/**
 * The page function and the by-id batch function are plain in-memory functions here: this
 * tests DataLoader's use (one call per distinct page, priming), not HTTP.
 */

function delivery(id: string, ownerId: string): DeliveryRecord {
  return deliveryRecord({ id, ownerId });
}

const DELIVERIES = [
  delivery('d1', 'acc_1'),
  delivery('d2', 'acc_1'),
  delivery('d3', 'acc_1'),
  delivery('d4', 'acc_2'),
];

function recordingLoaders(failOwner?: string) {
  const pageCalls: DeliveryPageQuery[] = [];
  const byIdCalls: string[][] = [];
  const deliveriesById = createByIdLoader<DeliveryRecord>(async (ids) => {
    byIdCalls.push([...ids]);
    return DELIVERIES.filter((record) => ids.includes(record.id));
  }, 100);
  const pages = createDeliveryPagesLoader(async (query): Promise<Page<DeliveryRecord>> => {
    pageCalls.push(query);
    if (query.ownerId === failOwner) throw new Error('deliveries down');
    const owned = DELIVERIES.filter((record) => record.ownerId === query.ownerId);
    const start = query.after === undefined ? 0 : owned.findIndex((d) => d.id === query.after) + 1;
    const data = owned.slice(start, start + query.limit);
    const last = data.at(-1);
    const more = start + query.limit < owned.length;
    return { data, nextCursor: more && last !== undefined ? last.id : null };
  }, deliveriesById);
  return { pages, deliveriesById, pageCalls, byIdCalls };
}

describe('createDeliveryPagesLoader', () => {
  it('calls once per distinct page of one tick, in the order asked', async () => {
    const { pages, pageCalls } = recordingLoaders();
    await Promise.all([
      pages.load({ ownerId: 'acc_1', limit: 2 }),
      pages.load({ ownerId: 'acc_2', limit: 2 }),
      pages.load({ ownerId: 'acc_1', limit: 2, after: 'd2' }),
    ]);
    expect(pageCalls).toEqual([
      { ownerId: 'acc_1', limit: 2 },
      { ownerId: 'acc_2', limit: 2 },
      { ownerId: 'acc_1', limit: 2, after: 'd2' },
    ]);
  });

  it('fetches the same page asked twice once, whatever the order of its fields', async () => {
    const { pages, pageCalls } = recordingLoaders();
    const [first, twin] = await Promise.all([
      pages.load({ ownerId: 'acc_1', status: 'SCHEDULED', limit: 2 }),
      pages.load({ limit: 2, status: 'SCHEDULED', ownerId: 'acc_1' }),
    ]);
    expect(twin).toBe(first);
    await pages.load({ ownerId: 'acc_1', status: 'SCHEDULED', limit: 2 }); // a later tick
    expect(pageCalls).toHaveLength(1);
  });

  it('tells pages apart by owner, status, size and cursor', async () => {
    const { pages, pageCalls } = recordingLoaders();
    await pages.loadMany([
      { ownerId: 'acc_1', limit: 2 },
      { ownerId: 'acc_1', limit: 3 },
      { ownerId: 'acc_1', limit: 2, status: 'SCHEDULED' },
      { ownerId: 'acc_1', limit: 2, after: 'd1' },
      { limit: 2 },
    ]);
    expect(pageCalls).toHaveLength(5);
  });

  it('primes the by-id loader with every delivery of a page, so reading one costs no call', async () => {
    const { pages, deliveriesById, byIdCalls } = recordingLoaders();
    const page = await pages.load({ ownerId: 'acc_1', limit: 2 });
    expect(page).toEqual({ data: [DELIVERIES[0], DELIVERIES[1]], nextCursor: 'd2' });
    expect(await deliveriesById.loadMany(['d1', 'd2'])).toEqual([DELIVERIES[0], DELIVERIES[1]]);
    expect(byIdCalls).toEqual([]);
    // One not on the page is still fetched, alone.
    expect(await deliveriesById.load('d3')).toEqual(DELIVERIES[2]);
    expect(byIdCalls).toEqual([['d3']]);
  });

  it('fails only the page whose call failed, and primes nothing from it', async () => {
    const { pages, deliveriesById, byIdCalls } = recordingLoaders('acc_2');
    const [good, failed] = await pages.loadMany([
      { ownerId: 'acc_1', limit: 10 },
      { ownerId: 'acc_2', limit: 10 },
    ]);
    expect(good).toEqual({ data: DELIVERIES.slice(0, 3), nextCursor: null });
    expect(failed).toBeInstanceOf(Error);
    expect((failed as Error).message).toBe('deliveries down');
    expect(await deliveriesById.load('d4')).toEqual(DELIVERIES[3]);
    expect(byIdCalls).toEqual([['d4']]);
  });
});
