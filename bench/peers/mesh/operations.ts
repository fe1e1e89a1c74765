import { encodeCursor, globalId } from '../../fixtures.js';

/**
 * The bench's three screens in the Mesh peer's schema, and its answers put in Skyway's shape
 * so that `correctness.ts` compares them with Skyway's as it does every other contender's.
 *
 * Mesh serves the services' own schema (see `mesh.config.ts`): raw ids instead of global IDs,
 * `{ data, nextCursor }` pages instead of connections, `getDelivery(id:)` instead of
 * `node(id:)`. Each operation selects the same fields from the same services as the app's
 * operation in `contract/operations/`, so the peer makes the same upstream calls (one per
 * service per screen); what it does not do is Skyway's encoding (global IDs, cursors) and
 * its visibility rules (who may see which delivery): those are done here, outside the timing,
 * only to compare the answers.
 */

export const MESH_OPERATIONS = {
  MyDeliveries: /* GraphQL */ `
    query MyDeliveries($first: Int = 20, $after: String) {
      viewer {
        id
        name
        deliveries(limit: $first, cursor: $after) {
          data {
            id
            status
            eta
            package { size weightKg }
            drone { id batteryPct location { lat lng } }
            charge { amountCents currency status }
          }
          nextCursor
        }
      }
    }`,
  DispatchBoard: /* GraphQL */ `
    query DispatchBoard(
      $first: PositiveInt = 100
      $after: Cursor_parameter
      $status: DeliveryStatus_parameter = IN_TRANSIT
    ) {
      batchOrListDeliveries(limit: $first, cursor: $after, status: $status) {
        data {
          id
          status
          eta
          owner { id name email }
          package { size weightKg }
          drone { id model status batteryPct location { lat lng } }
          charge { status }
        }
        nextCursor
      }
    }`,
  DeliveryDetail: /* GraphQL */ `
    query DeliveryDetail($id: NonEmptyString!) {
      getDelivery(id: $id) {
        id
        status
        createdAt
        eta
        pickup { lat lng }
        dropoff { lat lng }
        owner { id name }
        package { id size weightKg tag }
        drone { id model status batteryPct location { lat lng } }
        charge { id amountCents currency status createdAt }
      }
    }`,
} as const;

type Json = Record<string, unknown>;
type Page = { data: Json[]; nextCursor: string | null };

/** Skyway's `after` back to the delivery id it stands for: the peer pages by service ids. */
export const idFromCursor = (cursor: string) =>
  Buffer.from(cursor, 'base64url').toString('utf8').slice('c1:'.length);

/** `id` of the record (and of its linked records) as Skyway's global IDs. */
function withGlobalIds(typename: string, record: Json | null): Json | null {
  if (record === null) return null;
  const out: Json = { ...record };
  if (typeof record.id === 'string') out.id = globalId(typename, record.id);
  const links: [string, string][] = [
    ['owner', 'Account'],
    ['package', 'Package'],
    ['drone', 'Drone'],
    ['charge', 'Charge'],
  ];
  for (const [field, linked] of links) {
    if (field in record) out[field] = withGlobalIds(linked, record[field] as Json | null);
  }
  return out;
}

/** A page as Skyway's connection, with the fields the screens select. */
function connection(page: Page, withCursors: boolean) {
  const last = page.data.at(-1);
  return {
    edges: page.data.map((node) => ({
      ...(withCursors ? { cursor: encodeCursor(node.id as string) } : {}),
      node: withGlobalIds('Delivery', node),
    })),
    pageInfo: {
      hasNextPage: page.nextCursor !== null,
      endCursor: last === undefined ? null : encodeCursor(last.id as string),
    },
  };
}

/** The answer's `data` in Skyway's shape; an answer with errors is left as it is. */
function mapped(answer: unknown, map: (data: Json) => Json): unknown {
  const { data, errors } = (answer ?? {}) as { data?: Json | null; errors?: unknown };
  if (errors !== undefined || data == null) return answer;
  return { data: map(data) };
}

export const TO_SKYWAY = {
  MyDeliveries: (answer: unknown) =>
    mapped(answer, (data) => {
      const viewer = data.viewer as (Json & { deliveries: Page }) | null;
      if (viewer === null) return { viewer: null };
      return {
        viewer: {
          id: globalId('Account', viewer.id as string),
          name: viewer.name,
          deliveries: connection(viewer.deliveries, true),
        },
      };
    }),
  DispatchBoard: (answer: unknown) =>
    mapped(answer, (data) => ({
      deliveries: connection(data.batchOrListDeliveries as Page, false),
    })),
  DeliveryDetail: (answer: unknown) =>
    mapped(answer, (data) => ({
      node: withGlobalIds('Delivery', data.getDelivery as Json | null),
    })),
} as const;
