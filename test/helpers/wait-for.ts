/**
 * Polls `condition` every `everyMs` until it holds, for at most `tries` polls: a test that
 * waits for a state another process reaches, never for a fixed time.
 */
export async function waitFor(
  condition: () => Promise<boolean>,
  { tries = 150, everyMs = 100 }: { tries?: number; everyMs?: number } = {},
): Promise<void> {
  for (let i = 0; i < tries; i++) {
    if (await condition()) return;
    await new Promise((resolve) => setTimeout(resolve, everyMs));
  }
  throw new Error(`condition not reached after ${tries} polls of ${everyMs} ms`);
}
