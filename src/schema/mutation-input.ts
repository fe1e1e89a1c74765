import { badUserInput } from '../errors.js';
import { MAX_IDEMPOTENCY_KEY_LENGTH } from '../idempotency/keys.js';
import type { Location } from '../upstreams/records.js';

/**
 * Checks of mutation input that the schema's types cannot express. They run before any
 * upstream call, so bad input changes nothing and costs nothing downstream.
 */

export function checkIdempotencyKey(key: string): string {
  if (key.trim() === '' || key.length > MAX_IDEMPOTENCY_KEY_LENGTH) {
    throw badUserInput(
      `idempotencyKey must be 1 to ${MAX_IDEMPOTENCY_KEY_LENGTH} characters (a UUID per user intent).`,
    );
  }
  return key;
}

export function checkLocation(location: Location, field: string): Location {
  const { lat, lng } = location;
  if (!(lat >= -90 && lat <= 90) || !(lng >= -180 && lng <= 180)) {
    throw badUserInput(`${field} must have lat in [-90, 90] and lng in [-180, 180].`);
  }
  return { lat, lng };
}

/** The packages service carries up to 25 kg. */
export const MAX_WEIGHT_KG = 25;
export const MAX_TAG_LENGTH = 64;

export function checkPackage(pkg: { weightKg: number; tag?: string | null }): void {
  if (!(pkg.weightKg > 0 && pkg.weightKg <= MAX_WEIGHT_KG)) {
    throw badUserInput(`package.weightKg must be above 0 and at most ${MAX_WEIGHT_KG}.`);
  }
  if (pkg.tag != null && pkg.tag.length > MAX_TAG_LENGTH) {
    throw badUserInput(`package.tag must be at most ${MAX_TAG_LENGTH} characters.`);
  }
}

export const MAX_AMOUNT_CENTS = 10_000_000;

export function checkAmount(amountCents: number, currency: string): void {
  if (!Number.isInteger(amountCents) || amountCents < 1 || amountCents > MAX_AMOUNT_CENTS) {
    throw badUserInput(`amountCents must be a whole number from 1 to ${MAX_AMOUNT_CENTS}.`);
  }
  if (!/^[A-Z]{3}$/.test(currency)) {
    throw badUserInput('currency must be an ISO 4217 code in capitals, such as EUR.');
  }
}
