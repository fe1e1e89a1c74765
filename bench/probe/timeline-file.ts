import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** Where `timeline.ts` in process `pid` writes its medians, for `alone.ts` to read. */
export const timelineFile = (pid: number) => join(tmpdir(), `skyway-timeline-${pid}.txt`);
