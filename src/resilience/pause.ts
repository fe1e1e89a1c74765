/**
 * Waits `ms`, or less if `signal` aborts first; resolves true when the whole wait passed. On
 * the global timers rather than `timers/promises`' sleep, so tests drive it with
 * `vi.useFakeTimers()`, and it leaves no timer or listener behind either way.
 */
export function pause(ms: number, signal?: AbortSignal): Promise<boolean> {
  if (signal?.aborted) return Promise.resolve(false);
  return new Promise((resolve) => {
    const timer = setTimeout(() => end(true), ms);
    const onAbort = () => end(false);
    signal?.addEventListener('abort', onAbort, { once: true });
    function end(waited: boolean) {
      clearTimeout(timer);
      signal?.removeEventListener('abort', onAbort);
      resolve(waited);
    }
  });
}
