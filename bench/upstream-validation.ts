// `node --import tsx bench/upstream-validation.ts [--sets N] [--rounds N]`: what it costs the
// BFF to validate the upstream answers of one DispatchBoard (first 100, IN_TRANSIT): the
// deliveries page and the accounts, packages, drones and charges batches it causes, built from
// the mocks' default seed. Compared: the hand-written zod schemas the BFF used before issue 19
// (`upstream-validation/zod-records.ts`) and the validators generated from the services'
// documents (src/upstreams/generated/). Each round validates `sets` answer sets after a warm-up,
// the contenders' rounds taking turns so that a busy moment of the machine falls on both; the
// median and the fastest round are reported, in microseconds per board. In-process and
// single-threaded: compare the figures of one run, not figures of two runs.

import { parseArgs } from 'node:util';
import { generateSeed } from '../mock-services/index.js';
import type { AnswerSchema } from '../src/upstreams/answer-schema.js';
import * as generated from '../src/upstreams/generated/index.js';
import { ZOD_ANSWERS } from './upstream-validation/zod-records.js';

const { values } = parseArgs({
  options: { sets: { type: 'string', default: '2000' }, rounds: { type: 'string', default: '7' } },
});
const SETS = Number(values.sets);
const ROUNDS = Number(values.rounds);

type AnswerName = keyof typeof ZOD_ANSWERS;

/** The five answers of one board, as JSON text: what arrives from the services. */
function boardAnswers(): Record<AnswerName, string> {
  const data = generateSeed();
  const ids = data.deliveryIdsByStatus.IN_TRANSIT.slice(-100).reverse();
  const deliveries = ids.flatMap((id) => data.deliveries.get(id) ?? []);
  const pick = <T>(map: Map<string, T>, keys: (string | null)[]) =>
    [...new Set(keys)].flatMap((key) => (key === null ? [] : (map.get(key) ?? [])));
  return {
    DeliveryPage: JSON.stringify({ data: deliveries, nextCursor: ids.at(-1) ?? null }),
    AccountBatch: JSON.stringify({
      data: pick(
        data.accounts,
        deliveries.map((d) => d.ownerId),
      ),
    }),
    PackageBatch: JSON.stringify({
      data: pick(
        data.packages,
        deliveries.map((d) => d.packageId),
      ),
    }),
    DroneBatch: JSON.stringify({
      data: pick(
        data.drones,
        deliveries.map((d) => d.droneId),
      ),
    }),
    ChargeBatch: JSON.stringify({
      data: pick(
        data.charges,
        deliveries.map((d) => d.chargeId),
      ),
    }),
  };
}

const answers = boardAnswers();
const names = Object.keys(answers) as AnswerName[];
// Parsed once per set, as the BFF parses each body once; parsing is not what is compared.
const parsedSets = Array.from({ length: SETS }, () =>
  names.map((name) => JSON.parse(answers[name]) as unknown),
);

const contenders: Record<string, Record<AnswerName, AnswerSchema<unknown>>> = {
  'zod (hand-written, before)': ZOD_ANSWERS,
  'generated (Ajv standalone, after)': generated,
};

function round(schemas: Record<AnswerName, AnswerSchema<unknown>>): number {
  const started = process.hrtime.bigint();
  for (const set of parsedSets) {
    for (const [index, name] of names.entries()) {
      if (!schemas[name].safeParse(set[index]).success) throw new Error(`${name} did not validate`);
    }
  }
  return Number(process.hrtime.bigint() - started) / 1000 / SETS;
}

console.log(
  `DispatchBoard answer set: ${names.map((n) => `${n} ${JSON.parse(answers[n]).data.length}`).join(', ')}; ` +
    `${SETS} sets x ${ROUNDS} rounds, Node ${process.version}`,
);
const rounds = new Map<string, number[]>();
for (const schemas of Object.values(contenders)) round(schemas); // warm-up: compile, optimise
for (let turn = 0; turn < ROUNDS; turn += 1) {
  for (const [label, schemas] of Object.entries(contenders)) {
    rounds.set(label, [...(rounds.get(label) ?? []), round(schemas)]);
  }
}
for (const [label, times] of rounds) {
  times.sort((a, b) => a - b);
  const median = times[Math.floor(times.length / 2)] ?? 0;
  console.log(
    `${label}: median ${median.toFixed(1)} µs per board, fastest ${times[0]?.toFixed(1)}, slowest ${times.at(-1)?.toFixed(1)}`,
  );
}
