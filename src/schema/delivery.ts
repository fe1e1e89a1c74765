import type { GraphQLResolveInfo } from 'graphql';
import { isDispatcher, mayActFor } from '../auth/caller.js';
import type { Context } from '../context.js';
import { Weight } from '../cost/directives.js';
import { badUserInput, forbidden } from '../errors.js';
import {
  DELIVERY_STATUSES,
  type DeliveryRecord,
  type DeliveryStatus,
} from '../upstreams/records.js';
import { AccountRef } from './account.js';
import { loadVisible, requireCaller } from './authorize.js';
import { builder } from './builder.js';
import { ChargeRef } from './charge.js';
import { decodeCursor, encodeCursor } from './cursor.js';
import { DroneRef } from './drone.js';
import { LocationRef } from './location.js';
import { PackageRef } from './package.js';
import { selectedRowFields } from './row-selection.js';

export const DeliveryStatusEnum = builder.enumType('DeliveryStatus', { values: DELIVERY_STATUSES });

export const DeliveryRef = builder.objectRef<DeliveryRecord>('Delivery');

builder.node(DeliveryRef, {
  description: 'A delivery, from the deliveries service, joined with what the others know of it.',
  // One record read from the deliveries service, by id or as an item of a page.
  directives: { cost: { weight: Weight.UPSTREAM_RECORD } },
  id: { resolve: (delivery) => delivery.id },
  loadMany: (ids, ctx) =>
    loadVisible(ctx, ids, ctx.loaders.deliveries, (caller, delivery) =>
      mayActFor(caller, delivery.ownerId),
    ),
  fields: (t) => ({
    status: t.expose('status', { type: DeliveryStatusEnum }),
    createdAt: t.expose('createdAt', { type: 'DateTime' }),
    eta: t.expose('eta', { type: 'DateTime', nullable: true }),
    pickup: t.expose('pickup', { type: LocationRef }),
    dropoff: t.expose('dropoff', { type: LocationRef }),
    // Fields from other services are nullable on purpose: each is the error boundary of its
    // upstream, so a failing service nulls its fields and the rest of the answer survives.
    owner: t.field({
      type: AccountRef,
      nullable: true,
      description: 'From the accounts service.',
      resolve: (d, _args, ctx) => ctx.loaders.deliveryRows.owner(d),
    }),
    package: t.field({
      type: PackageRef,
      nullable: true,
      description: 'From the packages service.',
      resolve: (d, _args, ctx) => ctx.loaders.deliveryRows.package(d),
    }),
    drone: t.field({
      type: DroneRef,
      nullable: true,
      description: 'From the drones service; null until a drone is assigned.',
      resolve: (d, _args, ctx) => ctx.loaders.deliveryRows.drone(d),
    }),
    charge: t.field({
      type: ChargeRef,
      nullable: true,
      description: 'From the payments service; null until the delivery is paid for.',
      resolve: (d, _args, ctx) => ctx.loaders.deliveryRows.charge(d),
    }),
  }),
});

export const DeliveryConnectionRef = builder.connectionObject(
  { type: DeliveryRef, name: 'DeliveryConnection' },
  // An edge wraps a record of the page in hand; the record itself is priced as a Delivery.
  { name: 'DeliveryEdge', directives: { cost: { weight: Weight.LOCAL } } },
);

/** Page size when `first` is not given, and the most one page may ask for. */
export const DEFAULT_PAGE_SIZE = 20;
export const MAX_PAGE_SIZE = 100;

/**
 * What a page of deliveries costs: one list call, plus `first` (or 20) times what is selected
 * in each edge, whatever upstream reads that brings.
 */
const pageCost = {
  cost: { weight: Weight.UPSTREAM_LIST },
  listSize: {
    assumedSize: DEFAULT_PAGE_SIZE,
    slicingArguments: ['first'],
    sizedFields: ['edges'],
    requireOneSlicingArgument: false,
  },
};

const pageArgs = builder.args((t) => ({
  first: t.int({ description: `At most ${MAX_PAGE_SIZE}; ${DEFAULT_PAGE_SIZE} when omitted.` }),
  after: t.string(),
  status: t.field({ type: DeliveryStatusEnum }),
}));

interface PageArgs {
  first?: number | null;
  after?: string | null;
  status?: DeliveryStatus | null;
}

/**
 * One page of deliveries, newest first, as a Relay connection; what its rows need from the
 * other services is read as soon as the page is in, one call per service (`delivery-rows.ts`).
 */
async function deliveryPage(
  ctx: Context,
  ownerId: string | undefined,
  args: PageArgs,
  info: GraphQLResolveInfo,
) {
  const limit = args.first ?? DEFAULT_PAGE_SIZE;
  if (!Number.isInteger(limit) || limit < 1 || limit > MAX_PAGE_SIZE) {
    throw badUserInput(`\`first\` must be between 1 and ${MAX_PAGE_SIZE}; got ${limit}.`);
  }
  const after = args.after == null ? undefined : decodeCursor(args.after);
  const page = await ctx.loaders.deliveryPages.load({
    ownerId,
    status: args.status ?? undefined,
    limit,
    after,
  });
  await ctx.loaders.deliveryRows.lookAhead(page.data, selectedRowFields(info));
  const edges = page.data.map((node) => ({ cursor: encodeCursor(node.id), node }));
  return {
    edges,
    pageInfo: {
      hasNextPage: page.nextCursor !== null,
      // Keyset pages only go forward; a page reached through a cursor has one before it.
      hasPreviousPage: after !== undefined,
      startCursor: edges[0]?.cursor ?? null,
      endCursor: edges.at(-1)?.cursor ?? null,
    },
  };
}

builder.queryField('deliveries', (t) =>
  t.field({
    type: DeliveryConnectionRef,
    nullable: true,
    description: 'Every delivery, for dispatchers only (role DISPATCHER in the token).',
    args: pageArgs,
    directives: pageCost,
    resolve: (_root, args, ctx, info) => {
      const caller = requireCaller(ctx);
      if (!isDispatcher(caller)) throw forbidden('Only dispatchers may list every delivery.');
      return deliveryPage(ctx, undefined, args, info);
    },
  }),
);

builder.objectField(AccountRef, 'deliveries', (t) =>
  t.field({
    type: DeliveryConnectionRef,
    nullable: true,
    description: 'From the deliveries service.',
    args: pageArgs,
    directives: pageCost,
    resolve: (account, args, ctx, info) => {
      const caller = requireCaller(ctx);
      if (!mayActFor(caller, account.id)) throw forbidden("Another account's deliveries.");
      return deliveryPage(ctx, account.id, args, info);
    },
  }),
);
