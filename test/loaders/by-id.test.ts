import { describe, expect, it } from 'vitest';
import { createByIdLoader } from '../../src/loaders/by-id.js';

/** The batch function is a plain in-memory function here: this tests DataLoader's use, not HTTP. */
function recordingLoader(records: Array<{ id: string }>, maxBatchSize = 100, fail = false) {
  const calls: string[][] = [];
  const loader = createByIdLoader(async (ids) => {
    calls.push([...ids]);
    if (fail) throw new Error('service down');
    // Answer out of order, as a service may.
    return records.filter((record) => ids.includes(record.id)).reverse();
  }, maxBatchSize);
  return { loader, calls };
}

const records = ['a', 'b', 'c', 'd', 'e'].map((id) => ({ id, name: id.toUpperCase() }));

describe('createByIdLoader', () => {
  it('batches the loads of one tick into one call, de-duplicated', async () => {
    const { loader, calls } = recordingLoader(records);
    await Promise.all(['a', 'b', 'a', 'c'].map((id) => loader.load(id)));
    expect(calls).toEqual([['a', 'b', 'c']]);
  });

  it('splits a batch at the maximum size', async () => {
    const { loader, calls } = recordingLoader(records, 2);
    await loader.loadMany(['a', 'b', 'c', 'd', 'e']);
    expect(calls).toEqual([['a', 'b'], ['c', 'd'], ['e']]);
  });

  it('puts answers back in key order and gives null for a missing id', async () => {
    const { loader } = recordingLoader(records);
    const loaded = await loader.loadMany(['c', 'zz', 'a']);
    expect(loaded).toEqual([{ id: 'c', name: 'C' }, null, { id: 'a', name: 'A' }]);
  });

  it('rejects every key of a failed batch with the same error', async () => {
    const { loader } = recordingLoader(records, 100, true);
    const loaded = await loader.loadMany(['a', 'b']);
    expect(loaded[0]).toBeInstanceOf(Error);
    expect(loaded[1]).toBe(loaded[0]);
  });

  it('does not call again for an id it already loaded', async () => {
    const { loader, calls } = recordingLoader(records);
    await loader.load('a');
    await loader.load('a');
    expect(calls).toEqual([['a']]);
  });
});

describe('createByIdLoader without batching', () => {
  it('calls once per id (the benchmark’s naive contender)', async () => {
    const calls: string[][] = [];
    const loader = createByIdLoader(
      async (ids) => {
        calls.push([...ids]);
        return records.filter((record) => ids.includes(record.id));
      },
      100,
      false,
    );
    await Promise.all(['a', 'b'].map((id) => loader.load(id)));
    expect(calls).toEqual([['a'], ['b']]);
  });
});
