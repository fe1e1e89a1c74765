import { once } from 'node:events';
import { createServer } from 'node:net';
import { startBffProcess } from './bff-process.js';

/** A port on 127.0.0.1 that something already listens on, for the "port taken" messages. */
export async function takePort(): Promise<{ port: number; release(): Promise<void> }> {
  const blocker = createServer().listen(0, '127.0.0.1');
  await once(blocker, 'listening');
  return {
    port: (blocker.address() as { port: number }).port,
    release: () => new Promise<void>((resolve) => blocker.close(() => resolve())),
  };
}

/**
 * `npm run serve` started with `variable` set to a port something holds: the port, whether it
 * ever said it was listening, how it exited and everything it printed.
 */
export async function serveOnTakenPort(
  variable: string,
  env: Record<string, string>,
): Promise<{ port: number; listened: boolean; exitCode: number | null; output: string }> {
  const blocker = await takePort();
  try {
    const bff = startBffProcess({ ...env, [variable]: String(blocker.port) });
    const listened = await bff.url.then(
      () => true,
      () => false,
    );
    return { port: blocker.port, listened, exitCode: await bff.stop(), output: bff.output() };
  } finally {
    await blocker.release();
  }
}
