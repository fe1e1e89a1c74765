import { type DestinationStream, type Logger, pino } from 'pino';

/**
 * Structured JSON logs (pino), one object per line. Secrets never reach a line: bearer tokens,
 * idempotency keys and e-mail addresses are redacted wherever they appear in a logged object.
 */

export const REDACTED_PATHS = [
  'authorization',
  '*.authorization',
  'headers.authorization',
  'token',
  '*.token',
  'idempotencyKey',
  '*.idempotencyKey',
  '*.*.idempotencyKey',
  'email',
  '*.email',
  '*.*.email',
];

export function createLogger(level: string, destination?: DestinationStream): Logger {
  return pino(
    {
      level,
      base: { service: 'skyway', pid: process.pid },
      timestamp: pino.stdTimeFunctions.isoTime,
      redact: { paths: REDACTED_PATHS, censor: '[redacted]' },
      formatters: { level: (label) => ({ level: label }) },
    },
    destination,
  );
}

export type { Logger };
