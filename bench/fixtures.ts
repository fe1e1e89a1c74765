import type { Mocks } from './mocks.js';

/**
 * The variables the load is made of, read from the mock services before any timing: tokens
 * for every account, and pools of accounts, deliveries and page positions chosen so that
 * every request needs every service (a drone and a charge somewhere in each answer). Requests
 * take the pools in a shuffled order, so consecutive requests never repeat a variable.
 */

interface AccountRecord {
  id: string;
  name: string;
}

interface DeliveryRecord {
  id: string;
  ownerId: string;
  status: string;
  droneId: string | null;
  chargeId: string | null;
}

export interface Fixtures {
  /** Customer token by account id. */
  customerTokens: Map<string, string>;
  /** A dispatcher token per account, taken in a shuffled order (per-caller limits see many callers). */
  dispatcherTokens: string[];
  /** Accounts whose first page of 20 deliveries holds a drone and a charge. */
  myDeliveriesAccounts: string[];
  /** Deliveries with a drone and a charge, with their owner. */
  detailDeliveries: { id: string; ownerId: string }[];
  /** `after` positions in the IN_TRANSIT list (null: the first page) that leave a full page of 100. */
  boardCursors: (string | null)[];
  /** Ids in the pools, for the report. */
  sizes: Record<string, number>;
}

const TOKEN_TTL_S = 6 * 60 * 60; // longer than any run
const MY_DELIVERIES_PAGE = 20;
const BOARD_PAGE = 100;

export async function loadFixtures(mocks: Mocks, seed = 7): Promise<Fixtures> {
  const [accounts, deliveries] = await Promise.all([
    mocks.listAll<AccountRecord>('accounts', '/v1/accounts'),
    mocks.listAll<DeliveryRecord>('deliveries', '/v1/deliveries'), // newest first
  ]);
  const random = mulberry32(seed);

  const byOwner = new Map<string, DeliveryRecord[]>();
  for (const delivery of deliveries) {
    const list = byOwner.get(delivery.ownerId) ?? [];
    list.push(delivery);
    byOwner.set(delivery.ownerId, list);
  }
  const needsEveryService = (list: DeliveryRecord[]) =>
    list.some((d) => d.droneId !== null) && list.some((d) => d.chargeId !== null);

  const myDeliveriesAccounts = shuffle(
    accounts
      .map((a) => a.id)
      .filter((id) => needsEveryService((byOwner.get(id) ?? []).slice(0, MY_DELIVERIES_PAGE))),
    random,
  );
  const detailDeliveries = shuffle(
    deliveries
      .filter((d) => d.droneId !== null && d.chargeId !== null)
      .map(({ id, ownerId }) => ({ id, ownerId })),
    random,
  );
  const inTransit = deliveries.filter((d) => d.status === 'IN_TRANSIT');
  const boardCursors: (string | null)[] = [null];
  for (let i = 0; i + BOARD_PAGE < inTransit.length; i += 1) {
    const page = inTransit.slice(i + 1, i + 1 + BOARD_PAGE);
    if (needsEveryService(page))
      boardCursors.push(encodeCursor((inTransit[i] as DeliveryRecord).id));
  }

  const customerTokens = new Map<string, string>();
  const dispatcherTokens: string[] = [];
  await inBatches(shuffle(accounts, random), 16, async (account) => {
    customerTokens.set(account.id, await mocks.token(account.id, 'CUSTOMER', TOKEN_TTL_S));
    dispatcherTokens.push(await mocks.token(account.id, 'DISPATCHER', TOKEN_TTL_S));
  });

  return {
    customerTokens,
    dispatcherTokens,
    myDeliveriesAccounts,
    detailDeliveries,
    boardCursors: shuffle(boardCursors, random),
    sizes: {
      accounts: accounts.length,
      deliveries: deliveries.length,
      myDeliveriesAccounts: myDeliveriesAccounts.length,
      detailDeliveries: detailDeliveries.length,
      boardPages: boardCursors.length,
      dispatcherTokens: dispatcherTokens.length,
    },
  };
}

/** Skyway's cursor format (`c1:` + delivery id, base64url): the bench builds `after` itself. */
export function encodeCursor(deliveryId: string): string {
  return Buffer.from(`c1:${deliveryId}`, 'utf8').toString('base64url');
}

/** A Relay global ID: base64url of `Type:id`. */
export function globalId(typename: string, id: string): string {
  return Buffer.from(`${typename}:${id}`, 'utf8').toString('base64url');
}

async function inBatches<T>(items: T[], size: number, work: (item: T) => Promise<void>) {
  for (let i = 0; i < items.length; i += size) {
    await Promise.all(items.slice(i, i + size).map(work));
  }
}

function shuffle<T>(items: T[], random: () => number): T[] {
  const copy = [...items];
  for (let i = copy.length - 1; i > 0; i -= 1) {
    const j = Math.floor(random() * (i + 1));
    [copy[i], copy[j]] = [copy[j] as T, copy[i] as T];
  }
  return copy;
}

/** A small seeded PRNG, so two runs send the same requests in the same order. */
function mulberry32(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}
