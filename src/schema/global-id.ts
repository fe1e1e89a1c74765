import { badUserInput } from '../errors.js';

/**
 * Global IDs as Relay wants them: opaque to clients, naming the type and the service's id.
 * Base64url of `Type:id`. Decoding refuses anything else with BAD_USER_INPUT, so a made-up id
 * never reaches an upstream as a path segment.
 */

export const NODE_TYPES = ['Account', 'Delivery', 'Package', 'Drone', 'Charge'] as const;
export type NodeTypeName = (typeof NODE_TYPES)[number];

const SERVICE_ID = /^[A-Za-z0-9_-]{1,64}$/;

export function encodeGlobalId(typename: string, id: string | number | bigint): string {
  return Buffer.from(`${typename}:${id}`, 'utf8').toString('base64url');
}

export function decodeGlobalId(globalId: string): { typename: NodeTypeName; id: string } {
  const text = /^[A-Za-z0-9_-]{1,200}={0,2}$/.test(globalId)
    ? Buffer.from(globalId, 'base64url').toString('utf8')
    : '';
  const separator = text.indexOf(':');
  const typename = text.slice(0, separator);
  const id = text.slice(separator + 1);
  if (separator < 0 || !isNodeType(typename) || !SERVICE_ID.test(id)) {
    throw badUserInput(`"${truncate(globalId)}" is not a Skyway ID.`);
  }
  return { typename, id };
}

/** The service id inside a global ID of the expected type, or BAD_USER_INPUT. */
export function serviceIdOf(globalId: string, expected: NodeTypeName): string {
  const { typename, id } = decodeGlobalId(globalId);
  if (typename !== expected) {
    throw badUserInput(`"${truncate(globalId)}" is the ID of a ${typename}, not of a ${expected}.`);
  }
  return id;
}

function isNodeType(name: string): name is NodeTypeName {
  return (NODE_TYPES as readonly string[]).includes(name);
}

function truncate(text: string): string {
  return text.length > 60 ? `${text.slice(0, 60)}…` : text;
}
