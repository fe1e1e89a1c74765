import { afterEach, describe, expect, it } from 'vitest';
import type { TestProject } from 'vitest/node';
import setup from './redis.js';

/** The run's Redis set-up, when there is none to be had. */

const saved = { PATH: process.env.PATH, REDIS_URL: process.env.REDIS_URL };
afterEach(() => {
  process.env.PATH = saved.PATH;
  if (saved.REDIS_URL === undefined) delete process.env.REDIS_URL;
  else process.env.REDIS_URL = saved.REDIS_URL;
});

const project = { provide: () => {} } as unknown as TestProject;

describe("the run's Redis", () => {
  it('says how to install redis-server when it is missing and REDIS_URL is unset', async () => {
    delete process.env.REDIS_URL;
    process.env.PATH = '/nonexistent';
    await expect(setup(project)).rejects.toThrow(/apt-get install -y redis-server.*REDIS_URL/);
  });

  it('names a REDIS_URL that does not answer', async () => {
    process.env.REDIS_URL = 'redis://127.0.0.1:1';
    await expect(setup(project)).rejects.toThrow(/REDIS_URL=redis:\/\/127.0.0.1:1 does not answer/);
  });
});
