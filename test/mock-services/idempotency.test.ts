import { describe, expect, it } from 'vitest';
import {
  canonicalJson,
  fingerprint,
  IdempotencyStore,
} from '../../mock-services/http/idempotency.js';

const DAY_MS = 24 * 60 * 60 * 1000;
const created = { status: 201, body: { id: 'pkg_000001' } };

describe('IdempotencyStore', () => {
  it('forgets keys after 24 hours', () => {
    let now = 0;
    const store = new IdempotencyStore(DAY_MS, () => now);
    const first = store.reserve('k', 'f1');
    if (first.kind !== 'new') throw new Error('expected a new reservation');
    first.ticket.complete(created);
    now = DAY_MS - 1;
    expect(store.reserve('k', 'f1')).toMatchObject({ kind: 'answered', reply: { status: 201 } });
    now = DAY_MS;
    expect(store.reserve('k', 'f2').kind).toBe('new');
  });

  it('lets a ticket from before a clear touch nothing', () => {
    const store = new IdempotencyStore();
    const old = store.reserve('k', 'f1');
    store.clear();
    const fresh = store.reserve('k', 'f1');
    if (old.kind !== 'new' || fresh.kind !== 'new') throw new Error('expected new reservations');
    old.ticket.release();
    expect(store.reserve('k', 'f1')).toMatchObject({ reply: { status: 409 } });
  });

  it('releases the key on a 5xx answer', () => {
    const store = new IdempotencyStore();
    const first = store.reserve('k', 'f1');
    if (first.kind !== 'new') throw new Error('expected a new reservation');
    first.ticket.complete({ status: 500 });
    expect(store.reserve('k', 'f1').kind).toBe('new');
  });
});

describe('fingerprints', () => {
  it('ignore key order and whitespace, not values, method or path', () => {
    expect(canonicalJson({ b: [1, { d: 2, c: 3 }], a: null })).toBe(
      '{"a":null,"b":[1,{"c":3,"d":2}]}',
    );
    const base = fingerprint('POST', '/v1/packages', '{"a":1,"b":2}');
    expect(fingerprint('POST', '/v1/packages', '{ "b": 2, "a": 1 }')).toBe(base);
    expect(fingerprint('POST', '/v1/packages', '{"a":1,"b":3}')).not.toBe(base);
    expect(fingerprint('POST', '/v1/charges', '{"a":1,"b":2}')).not.toBe(base);
    expect(fingerprint('POST', '/v1/packages', '{oops')).not.toBe(
      fingerprint('POST', '/v1/packages', '{oops!'),
    );
  });
});
