import { subscribe } from 'node:diagnostics_channel';
import { writeFileSync } from 'node:fs';
import { Session } from 'node:inspector';
import { timelineFile } from './timeline-file.js';

/**
 * Preloaded into a contender (`--import bench/probe/timeline.ts`) for one-at-a-time runs only:
 * each request's timeline from Node's own diagnostics channels (the HTTP server's request start
 * and response finish; undici's request create, the write of its headers to the socket, the
 * answer's headers and end), so that where a request's
 * time goes can be read for any contender without touching its code. With requests one at a
 * time there is one request in flight, so every upstream event belongs to it. On SIGUSR2 it
 * writes the medians of the steps since the last SIGUSR2 to `timelineFile(pid)`.
 *
 * Finer steps inside Skyway come from a temporary patch: `globalThis.__skywayMark?.(name)` at
 * any line marks a step, and `globalThis.__skywayMarkPlugin(tag)` is a Yoga plugin marking
 * each of its hooks (put one first and one last in the plugin list, or one after each).
 * Nothing of the kind is committed in `src/`.
 */

interface Timeline {
  start: number;
  marks: [string, number][];
  creates: number[];
  /** When undici wrote each call's request line and headers to its socket. */
  sends: number[];
  headers: number[];
  ends: number[];
  finish: number;
}

const done: Timeline[] = [];
let current: Timeline | null = null;

subscribe('http.server.request.start', (message) => {
  const { request } = message as { request: { url?: string } };
  if (request.url !== '/graphql') return;
  current = {
    start: performance.now(),
    marks: [],
    creates: [],
    sends: [],
    headers: [],
    ends: [],
    finish: 0,
  };
});
subscribe('http.server.response.finish', () => {
  if (current === null) return;
  current.finish = performance.now();
  done.push(current);
  current = null;
});
subscribe('undici:request:create', () => current?.creates.push(performance.now()));
subscribe('undici:client:sendHeaders', () => current?.sends.push(performance.now()));
subscribe('undici:request:headers', () => current?.headers.push(performance.now()));
subscribe('undici:request:trailers', () => current?.ends.push(performance.now()));

const mark = (name: string) => current?.marks.push([name, performance.now()]);
(globalThis as Record<string, unknown>).__skywayMark = mark;
const HOOKS = [
  'onRequest',
  'onRequestParse',
  'onParams',
  'onParse',
  'onValidate',
  'onContextBuilding',
  'onExecute',
  'onResultProcess',
  'onResponse',
];
(globalThis as Record<string, unknown>).__skywayMarkPlugin = (tag: string) =>
  Object.fromEntries(
    HOOKS.map((hook) => [
      hook,
      () => {
        mark(`${tag}:${hook}`);
        if (hook === 'onParse') return () => mark(`${tag}:onParse done`);
        if (hook === 'onValidate') return () => mark(`${tag}:onValidate done`);
        if (hook === 'onContextBuilding') return () => mark(`${tag}:onContextBuilding done`);
        if (hook === 'onExecute') return { onExecuteDone: () => mark(`${tag}:onExecuteDone`) };
        return undefined;
      },
    ]),
  );

const median = (values: number[]) => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] ?? Number.NaN;
};

/** With TIMELINE_PROFILE=<dir>: a CPU profile from one SIGUSR2 to the next. */
const profileDir = process.env.TIMELINE_PROFILE;
let session: Session | null = null;
let profiles = 0;
const toggleProfile = () => {
  if (profileDir === undefined) return;
  if (session === null) {
    session = new Session();
    session.connect();
    session.post('Profiler.enable');
    session.post('Profiler.setSamplingInterval', { interval: 50 });
    session.post('Profiler.start');
    return;
  }
  const open = session;
  session = null;
  open.post('Profiler.stop', (error, result) => {
    if (error === null) {
      profiles += 1;
      writeFileSync(
        `${profileDir}/${process.pid}-${profiles}.cpuprofile`,
        JSON.stringify(result.profile),
      );
    }
    open.disconnect();
    toggleProfile();
  });
};

process.on('SIGUSR2', () => {
  toggleProfile();
  const recent = done.splice(0);
  const phases: Record<string, number[]> = {};
  const add = (name: string, value: number) => {
    phases[name] ??= [];
    phases[name].push(value);
  };
  for (const t of recent) {
    const creates = [...t.creates].sort((a, b) => a - b);
    const ends = [...t.ends].sort((a, b) => a - b);
    if (creates.length === 0 || ends.length === 0) continue;
    const events: [string, number][] = [
      ...t.marks,
      ...creates.map((c, i) => [`» call ${i + 1} created`, c] as [string, number]),
      ...[...t.sends]
        .sort((a, b) => a - b)
        .map((s, i) => [`» call ${i + 1} sent`, s] as [string, number]),
      ...[...t.headers]
        .sort((a, b) => a - b)
        .map((h, i) => [`« call ${i + 1} headers in`, h] as [string, number]),
      ...ends.map((e, i) => [`« call ${i + 1} answered`, e] as [string, number]),
      ['finish', t.finish],
    ];
    const counts = new Map<string, number>();
    for (const [name, at] of events.sort((a, b) => a[1] - b[1])) {
      const n = (counts.get(name) ?? 0) + 1;
      counts.set(name, n);
      add(`@ ${name}${n > 1 ? ` #${n}` : ''}`, at - t.start);
    }
    add('arrival → first call', (creates[0] ?? 0) - t.start);
    // Levels: a call created after some call ended belongs to a later level.
    const firstEnd = ends[0] ?? 0;
    const later = creates.filter((c) => c > firstEnd);
    const level1Ends = ends.filter((e) => e < (later[0] ?? Number.POSITIVE_INFINITY));
    if (later.length > 0) {
      add('level 1: first call → last answer', (level1Ends.at(-1) ?? 0) - (creates[0] ?? 0));
      add('last level-1 answer → first level-2 call', (later[0] ?? 0) - (level1Ends.at(-1) ?? 0));
      add('level 2: first call → last answer', (ends.at(-1) ?? 0) - (later[0] ?? 0));
    }
    add('last answer → response finished', t.finish - (ends.at(-1) ?? 0));
    add('total', t.finish - t.start);
    add('calls', creates.length);
  }
  const lines = Object.entries(phases)
    .sort((a, b) =>
      a[0].startsWith('@') && b[0].startsWith('@') ? median(a[1]) - median(b[1]) : 0,
    )
    .map(
      ([name, values]) =>
        `  ${name.padEnd(42)} ${median(values).toFixed(3)}${values.length < recent.length / 2 ? ` (${values.length})` : ''}`,
    );
  writeFileSync(
    timelineFile(process.pid),
    `timeline (${recent.length} requests, medians in ms)\n${lines.join('\n')}\n`,
  );
});
