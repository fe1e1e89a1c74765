/** What one call brings to the policy: its request's signal and deadline, and whether it may be repeated. */
export interface CallOptions {
  /** The request's signal: aborted when its budget runs out or its client goes away. */
  signal: AbortSignal;
  /** When the request's budget ends (epoch ms). */
  deadline: number;
  /** True only when repeating the call is safe: a GET, or a write with an idempotency key. */
  retryable: boolean;
}
