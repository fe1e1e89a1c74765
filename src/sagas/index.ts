import { z } from 'zod';
import { ROLES } from '../auth/caller.js';
import { cancelDelivery } from './cancel-delivery.js';
import { payForDelivery } from './pay-for-delivery.js';
import { SAGA_NAMES, type Saga, type SagaName } from './saga.js';
import { scheduleDelivery } from './schedule-delivery.js';

/** Every saga by name: what the completer runs for a record it claims. */
export const SAGAS: Record<SagaName, Saga<unknown>> = {
  scheduleDelivery,
  payForDelivery,
  cancelDelivery,
};

/**
 * What an idempotency record keeps so the completer can finish its saga without the client:
 * the saga, who asked, the client's key (the upstream keys derive from both), and the saga's
 * input. Versioned, and validated when read back, like any other boundary.
 */
export const ResumeData = z.object({
  v: z.literal(1),
  saga: z.enum(SAGA_NAMES),
  /** Who asked: the upstream keys derive from the account, and the services are told it. */
  caller: z.object({ accountId: z.string().min(1), role: z.enum(ROLES) }),
  clientKey: z.string().min(1),
  input: z.unknown(),
});
export type ResumeData = z.infer<typeof ResumeData>;

export type { Saga, SagaName, SagaRun, SagaWrites } from './saga.js';
export { UNSEEN } from './saga.js';
export { cancelDelivery, payForDelivery, scheduleDelivery };
