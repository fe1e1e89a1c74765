import { createServer, type Server } from 'node:net';
import type { Config } from './config.js';

/**
 * The ports the BFF listens on, and the line a person needs when one is taken: which
 * listener, where, and the variable that moves it. A second `npm start` or `npm run serve`
 * holds every port at once, so each is named on its own line, not the public port for all.
 */

/** A port the BFF listens on, as a person names it. */
export interface Listener {
  /** What listens there, as the start of a sentence: "the BFF". */
  what: string;
  /** The variable that moves it. */
  variable: string;
  host: string;
  port: number;
}

/** The public port and the metrics port. */
export function bffListeners(config: Config): { graphql: Listener; metrics: Listener } {
  return {
    graphql: { what: 'the BFF', variable: 'PORT', host: config.host, port: config.port },
    metrics: {
      what: "the BFF's metrics endpoint",
      variable: 'METRICS_PORT',
      host: config.metrics.host,
      port: config.metrics.port,
    },
  };
}

/** A listener could not take its port because something else holds it. */
export class PortTakenError extends Error {
  override readonly name = 'PortTakenError';

  constructor(readonly listener: Listener) {
    super(
      `${listener.what} cannot listen on ${listener.host}:${listener.port}: the port is taken; set ${listener.variable} to another port (0 picks a free one)`,
    );
  }
}

/** `error` as a PortTakenError of `listener` when it says the port is in use, else as it is. */
export function asPortTaken(error: unknown, listener: Listener): unknown {
  return (error as NodeJS.ErrnoException | undefined)?.code === 'EADDRINUSE'
    ? new PortTakenError(listener)
    : error;
}

/** The line a person needs for a taken port, or undefined for any other failure. */
export function portTakenLine(error: unknown): string | undefined {
  return error instanceof PortTakenError ? error.message : undefined;
}

/**
 * Whether something holds the port now (port 0 never is taken). Only a check before starting:
 * the port may be taken between this and the real listen, which then reports it itself. Any
 * failure other than "in use" (an address not on this machine) is left to the real listen.
 */
export async function isPortTaken(host: string, port: number): Promise<boolean> {
  if (port === 0) return false;
  const probe: Server = createServer();
  const failure = await new Promise<unknown>((resolve) => {
    probe.once('error', resolve);
    probe.listen(port, host, () => probe.close(() => resolve(undefined)));
  });
  return (failure as NodeJS.ErrnoException | undefined)?.code === 'EADDRINUSE';
}

/** The line of each listener whose port is taken now, in order. */
export async function takenPortLines(listeners: Listener[]): Promise<string[]> {
  const lines: string[] = [];
  for (const listener of listeners) {
    if (await isPortTaken(listener.host, listener.port)) {
      lines.push(new PortTakenError(listener).message);
    }
  }
  return lines;
}
