// The request bodies the services accept. The same zod schemas validate requests and, through
// z.toJSONSchema, write the request bodies of the OpenAPI documents, so the two cannot drift.

import { z } from 'zod';
import { idSchema } from './ids.js';
import { PACKAGE_SIZES, TOKEN_ROLES } from './records.js';
import { DEFAULT_TOKEN_TTL_S } from './tokens.js';

const MAX_TOKEN_TTL_S = 86_400; // a day, either way

export const tokenRequestSchema = z.strictObject({
  accountId: idSchema,
  role: z.enum(TOKEN_ROLES),
  ttlS: z
    .int()
    .min(-MAX_TOKEN_TTL_S)
    .max(MAX_TOKEN_TTL_S)
    .default(DEFAULT_TOKEN_TTL_S)
    .describe('Lifetime in seconds; negative mints an already expired token (for tests).'),
});

export const packageCreateSchema = z.strictObject({
  size: z.enum(PACKAGE_SIZES),
  weightKg: z.number().positive().max(25),
  tag: z.string().max(64).nullable().default(null),
});

const locationInputSchema = z.strictObject({
  lat: z.number().min(-90).max(90),
  lng: z.number().min(-180).max(180),
});

export const deliveryCreateSchema = z.strictObject({
  ownerId: idSchema,
  packageId: idSchema,
  pickup: locationInputSchema,
  dropoff: locationInputSchema,
});

/** Cancel takes no body, or `{}`. */
export const deliveryCancelSchema = z.strictObject({}).optional();

export const deliveryPaymentSchema = z.strictObject({
  chargeId: idSchema,
});

export const chargeCreateSchema = z.strictObject({
  deliveryId: idSchema,
  amountCents: z.int().min(1).max(10_000_000),
  currency: z.string().regex(/^[A-Z]{3}$/, 'must be three uppercase letters (ISO 4217)'),
  capture: z
    .boolean()
    .default(true)
    .describe(
      'false authorizes only: the charge stays PENDING, holding no money, until captured or released.',
    ),
});

/** Capture and refund take no body, or `{}`. */
export const chargeActionSchema = z.strictObject({}).optional();
