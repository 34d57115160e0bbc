// At least 50 seeded chaos schedules on every run; `pnpm bench chaos --runs 500` runs more.
// Reproduce one failure with CHAOS_SEED=<seed> pnpm vitest run --project react test/chaos.test.tsx
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { describeSchedule, runChaos } from './chaos-harness.js';
import { closeClients, type Emulator, startTestEmulator } from './helpers.js';

const RUNS = Number(process.env.CHAOS_RUNS ?? 50);
const FIRST_SEED = Number(process.env.CHAOS_FIRST_SEED ?? 1);
const CONCURRENCY = Number(process.env.CHAOS_CONCURRENCY ?? 25);
const seeds = process.env.CHAOS_SEED
  ? [Number(process.env.CHAOS_SEED)]
  : Array.from({ length: RUNS }, (_, i) => FIRST_SEED + i);

let emulator: Emulator;

beforeAll(async () => {
  // A short state TTL turns the longer outages (over 1.5 s) into state loss and re-hydration.
  emulator = await startTestEmulator({ connectionStateTtl: 1500 });
});
afterAll(async () => {
  closeClients();
  await emulator?.stop();
});

describe('chaos', () => {
  it(
    `renders the agent's text exactly through ${seeds.length} seeded schedules of outages, refreshes and late joins`,
    async () => {
      const started = Date.now();
      const results = await runChaos(emulator, seeds, CONCURRENCY);
      const failures = results.filter((r) => !r.ok);
      const durations = results.map((r) => r.ms).sort((a, b) => a - b);
      console.log(
        `chaos: ${results.length - failures.length}/${results.length} schedules exact in ${((Date.now() - started) / 1000).toFixed(1)} s ` +
          `(per schedule p50 ${durations[Math.floor(durations.length / 2)]} ms, max ${durations.at(-1)} ms)`,
      );
      for (const failure of failures) console.log(`FAILED ${describeSchedule(failure.schedule)}\n  ${failure.detail}`);
      expect(failures.map((f) => `${describeSchedule(f.schedule)} -> ${f.detail}`)).toEqual([]);
    },
    Math.ceil(seeds.length / CONCURRENCY) * 90_000 + 30_000,
  );
});
