import { readdir, readFile } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import {
  GENERATED_DIRECTORY,
  GenerationError,
  generateUpstreams,
  readDocument,
} from '../../scripts/upstreams/generate.js';
import { DeliveryRecord } from '../../src/upstreams/records.js';

/**
 * The BFF's upstream types and validators are generated from the services' documents and
 * committed; these tests fail while the committed files are stale, and show what the
 * validators accept.
 */

describe('src/upstreams/generated', () => {
  it('is what `npm run upstreams:generate` makes of the documents today', async () => {
    const files = await generateUpstreams();
    const committed = (await readdir(GENERATED_DIRECTORY)).sort();
    expect(committed, 'run `npm run upstreams:generate`').toEqual([...files.keys()].sort());
    for (const [name, text] of files) {
      const onDisk = await readFile(new URL(name, GENERATED_DIRECTORY), 'utf8');
      expect(onDisk === text, `${name} is stale: run \`npm run upstreams:generate\``).toBe(true);
    }
  });

  it('refuses a document that lacks what the BFF uses, naming each gap', async () => {
    const deliveries = await readDocument('deliveries');
    const { schemas } = deliveries.components as {
      schemas: { Delivery: { properties: Record<string, unknown> } };
    };
    delete schemas.Delivery.properties.eta;
    delete (deliveries.paths as Record<string, unknown>)['/v1/deliveries/{id}/cancel'];
    const error = await generateUpstreams({ deliveries }).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(GenerationError);
    expect((error as GenerationError).problems).toEqual([
      'deliveries: read: no Delivery.eta',
      'deliveries: POST /v1/deliveries/{id}/cancel: no such route',
    ]);
  });
});

describe('a generated validator', () => {
  const delivery = {
    id: 'del_000001',
    ownerId: 'acc_0001',
    packageId: 'pkg_000001',
    droneId: null,
    chargeId: null,
    status: 'SCHEDULED',
    pickup: { lat: 52.5, lng: 13.4 },
    dropoff: { lat: 52.6, lng: 13.5 },
    createdAt: '2026-11-30T10:00:00.000Z',
    eta: '2026-11-30T10:45:00.000Z',
  };

  it('accepts a record as documented and drops what the BFF does not read', () => {
    const parsed = DeliveryRecord.safeParse({ ...delivery, addedLater: 1 });
    expect(parsed).toEqual({ success: true, data: delivery });
  });

  it('refuses an unknown enum value, a wrong type and a bad timestamp, naming the place', () => {
    for (const [change, path] of [
      [{ status: 'LOST' }, ['status']],
      [{ pickup: { lat: '52', lng: 13 } }, ['pickup', 'lat']],
      [{ createdAt: 'yesterday' }, ['createdAt']],
    ] as const) {
      const parsed = DeliveryRecord.safeParse({ ...delivery, ...change });
      expect(parsed.success, JSON.stringify(change)).toBe(false);
      if (!parsed.success) expect(parsed.error.issues[0]?.path).toEqual(path);
    }
  });
});
