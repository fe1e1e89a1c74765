import { type GraphQLResolveInfo, isInterfaceType, isObjectType } from 'graphql';
import { describe, expect, it } from 'vitest';
import { encodeGlobalId, NODE_TYPES } from '../../src/schema/global-id.js';
import { schema } from '../../src/schema/index.js';

describe('node ids', () => {
  it.each(NODE_TYPES)('%s.id is encoded at once, not through a promise', (typename) => {
    const type = schema.getType(typename);
    if (!isObjectType(type)) throw new Error(`${typename} is not an object type`);
    const resolve = type.getFields().id?.resolve;
    expect(resolve).toBeTypeOf('function');
    const id = resolve?.({ id: 'svc_42' }, {}, {}, {} as GraphQLResolveInfo);
    expect(id).toBe(encodeGlobalId(typename, 'svc_42'));
  });

  it.each(NODE_TYPES)(
    '%s.id is the global ID the relay plugin would have given',
    async (typename) => {
      const type = schema.getType(typename);
      if (!isObjectType(type)) throw new Error(`${typename} is not an object type`);
      const field = type.getFields().id;
      const original = field?.extensions.pothosOriginalResolve as
        | ((...args: unknown[]) => unknown)
        | undefined;
      expect(original).toBeTypeOf('function');
      const sample = { id: 'svc_42' };
      expect(await original?.(sample, {}, {}, {})).toBe(
        field?.resolve?.(sample, {}, {}, {} as GraphQLResolveInfo),
      );
    },
  );

  it('covers every type that implements Node', () => {
    const node = schema.getType('Node');
    if (!isInterfaceType(node)) throw new Error('no Node interface');
    const implementations = schema.getImplementations(node).objects.map((type) => type.name);
    expect(implementations.sort()).toEqual([...NODE_TYPES].sort());
  });
});
