import { GraphQLError } from 'graphql';
import type { Caller } from '../../shared/verify-token.js';
import type { Account, DataSources, Delivery } from './data-sources.js';

/**
 * Resolvers for Skyway's schema (`schema.graphql`, read as SDL), with Skyway's rules: global
 * IDs (base64url of `Type:id`), cursors (`c1:` + delivery id), who may see what, and the
 * errors the read operations can raise. Mutations are not served: the bench times reads.
 */

export interface PeerContext {
  caller: Caller | null;
  dataSources: DataSources;
}

interface PageArgs {
  first?: number | null;
  after?: string | null;
  status?: string | null;
}

const globalId = (typename: string, id: string) =>
  Buffer.from(`${typename}:${id}`, 'utf8').toString('base64url');
const cursorOf = (id: string) => Buffer.from(`c1:${id}`, 'utf8').toString('base64url');

function coded(code: string, message: string): GraphQLError {
  return new GraphQLError(message, { extensions: { code } });
}

function requireCaller(ctx: PeerContext): Caller {
  if (ctx.caller === null) throw coded('UNAUTHENTICATED', 'This field needs a caller.');
  return ctx.caller;
}

const mayActFor = (caller: Caller, accountId: string) =>
  caller.accountId === accountId || caller.role === 'DISPATCHER';

function decodeCursor(cursor: string): string {
  const text = Buffer.from(cursor, 'base64url').toString('utf8');
  const id = text.slice(3);
  if (!text.startsWith('c1:') || !/^[A-Za-z0-9_-]{1,64}$/.test(id)) {
    throw coded('BAD_USER_INPUT', '`after` is not a cursor this API gave out.');
  }
  return id;
}

async function deliveryPage(ctx: PeerContext, ownerId: string | undefined, args: PageArgs) {
  const limit = args.first ?? 20;
  if (!Number.isInteger(limit) || limit < 1 || limit > 100) {
    throw coded('BAD_USER_INPUT', `\`first\` must be between 1 and 100; got ${limit}.`);
  }
  const after = args.after == null ? undefined : decodeCursor(args.after);
  const page = await ctx.dataSources.deliveries.page({
    ownerId,
    status: args.status ?? undefined,
    limit,
    cursor: after,
  });
  const edges = page.data.map((node) => ({ cursor: cursorOf(node.id), node }));
  return {
    edges,
    pageInfo: {
      hasNextPage: page.nextCursor !== null,
      hasPreviousPage: after !== undefined,
      startCursor: edges[0]?.cursor ?? null,
      endCursor: edges.at(-1)?.cursor ?? null,
    },
  };
}

/** `node(id:)`: the record tagged with its type, null when absent, an error when not visible. */
async function loadNode(ctx: PeerContext, id: string) {
  const caller = requireCaller(ctx);
  const text = Buffer.from(id, 'base64url').toString('utf8');
  const separator = text.indexOf(':');
  const typename = text.slice(0, separator);
  const serviceId = text.slice(separator + 1);
  const { accounts, deliveries, packages, drones, payments } = ctx.dataSources;
  const visible = async <T>(record: T | null, may: (r: T) => boolean | Promise<boolean>) => {
    if (record === null) return null;
    if (!(await may(record))) throw coded('FORBIDDEN', 'The caller may not see or change this.');
    return { __typename: typename, ...record };
  };
  switch (typename) {
    case 'Delivery':
      return visible(await deliveries.load(serviceId), (d) => mayActFor(caller, d.ownerId));
    case 'Account':
      return visible(await accounts.load(serviceId), (a) => mayActFor(caller, a.id));
    case 'Package':
      return visible(await packages.load(serviceId), () => caller.role === 'DISPATCHER');
    case 'Drone':
      return visible(await drones.load(serviceId), () => true);
    case 'Charge':
      return visible(await payments.load(serviceId), async (c) => {
        const delivery = await deliveries.load(c.deliveryId);
        return delivery !== null && mayActFor(caller, delivery.ownerId);
      });
    default:
      throw coded('BAD_USER_INPUT', `"${id}" is not a Skyway ID.`);
  }
}

const idOf =
  (typename: string) =>
  (record: { id: string }): string =>
    globalId(typename, record.id);

export const resolvers = {
  Query: {
    viewer: (_root: unknown, _args: unknown, ctx: PeerContext) =>
      ctx.caller === null ? null : ctx.dataSources.accounts.load(ctx.caller.accountId),
    deliveries: (_root: unknown, args: PageArgs, ctx: PeerContext) => {
      const caller = requireCaller(ctx);
      if (caller.role !== 'DISPATCHER') {
        throw coded('FORBIDDEN', 'Only dispatchers may list every delivery.');
      }
      return deliveryPage(ctx, undefined, args);
    },
    node: (_root: unknown, args: { id: string }, ctx: PeerContext) => loadNode(ctx, args.id),
    nodes: (_root: unknown, args: { ids: string[] }, ctx: PeerContext) =>
      args.ids.map((id) => loadNode(ctx, id).catch((error: unknown) => error)),
  },
  Node: {
    __resolveType: (record: { __typename: string }) => record.__typename,
  },
  Account: {
    id: idOf('Account'),
    deliveries: (account: Account, args: PageArgs, ctx: PeerContext) => {
      const caller = requireCaller(ctx);
      if (!mayActFor(caller, account.id)) throw coded('FORBIDDEN', "Another account's deliveries.");
      return deliveryPage(ctx, account.id, args);
    },
  },
  Delivery: {
    id: idOf('Delivery'),
    owner: (d: Delivery, _args: unknown, ctx: PeerContext) =>
      ctx.dataSources.accounts.load(d.ownerId),
    package: (d: Delivery, _args: unknown, ctx: PeerContext) =>
      ctx.dataSources.packages.load(d.packageId),
    drone: (d: Delivery, _args: unknown, ctx: PeerContext) =>
      d.droneId === null ? null : ctx.dataSources.drones.load(d.droneId),
    charge: (d: Delivery, _args: unknown, ctx: PeerContext) =>
      d.chargeId === null ? null : ctx.dataSources.payments.load(d.chargeId),
  },
  Package: { id: idOf('Package') },
  Drone: { id: idOf('Drone') },
  Charge: { id: idOf('Charge') },
};
