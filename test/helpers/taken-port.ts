import { once } from 'node:events';
import { createServer } from 'node:net';

/** A port on 127.0.0.1 that something already listens on, for the "port taken" messages. */
export async function takePort(): Promise<{ port: number; release(): Promise<void> }> {
  const blocker = createServer().listen(0, '127.0.0.1');
  await once(blocker, 'listening');
  return {
    port: (blocker.address() as { port: number }).port,
    release: () => new Promise<void>((resolve) => blocker.close(() => resolve())),
  };
}
