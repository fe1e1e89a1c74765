import type { Charge, Delivery } from '../../mock-services/index.js';

/**
 * Issue 13's invariant, read from the services as an auditor would: once things have settled,
 * every delivery is exactly one of
 * - paid: not CANCELLED, its chargeId names a SUCCEEDED charge, and no other charge keeps money;
 * - not paid: no charge keeps money (SUCCEEDED) and none is left PENDING in limbo.
 */
export type MoneyState = { state: 'paid'; chargeId: string } | { state: 'unpaid' };

export async function moneyStateOf(
  urls: { deliveries: string; payments: string },
  deliveryId: string,
): Promise<MoneyState> {
  const delivery = (await (
    await fetch(`${urls.deliveries}/v1/deliveries/${deliveryId}`)
  ).json()) as Delivery;
  const list = (await (
    await fetch(`${urls.payments}/v1/charges?deliveryId=${deliveryId}&limit=100`)
  ).json()) as { data: Charge[] };
  const kept = list.data.filter((charge) => charge.status === 'SUCCEEDED');
  const limbo = list.data.filter((charge) => charge.status === 'PENDING');
  const facts = `${deliveryId} ${delivery.status} chargeId=${delivery.chargeId} charges=${list.data
    .map((c) => `${c.id}:${c.status}`)
    .join(',')}`;
  if (limbo.length > 0) throw new Error(`a charge left PENDING: ${facts}`);
  if (kept.length === 0) return { state: 'unpaid' };
  const paidBy = kept[0];
  if (
    kept.length === 1 &&
    paidBy !== undefined &&
    delivery.status !== 'CANCELLED' &&
    delivery.chargeId === paidBy.id
  ) {
    return { state: 'paid', chargeId: paidBy.id };
  }
  throw new Error(`money kept without a paid delivery: ${facts}`);
}
