// 500 seeded chaos schedules, 25 at a time, on every run; `pnpm bench chaos` runs more, with more
// concurrency or CPU pressure, or replays one seed under load:
//   CHAOS_SEED=<seed>              that schedule alone
//   CHAOS_REPRO_SEED=<seed>        that schedule CHAOS_REPEAT times (default 5), each time started together
//                                  with the CHAOS_CONCURRENCY - 1 seeds around it, as when it failed
//   CHAOS_CPU_PRESSURE=<threads>   spinning worker threads in the background
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ChaosResult, describeSchedule, runChaos } from './chaos-harness.js';
import { startCpuPressure } from './cpu-pressure.js';
import { closeClients, type Emulator, startTestEmulator } from './helpers.js';

const RUNS = Number(process.env.CHAOS_RUNS ?? 500);
const FIRST_SEED = Number(process.env.CHAOS_FIRST_SEED ?? 1);
const CONCURRENCY = Number(process.env.CHAOS_CONCURRENCY ?? 25);
const CPU_PRESSURE = Number(process.env.CHAOS_CPU_PRESSURE ?? 0);
const REPRO_SEED = process.env.CHAOS_REPRO_SEED ? Number(process.env.CHAOS_REPRO_SEED) : undefined;
const REPEAT = Number(process.env.CHAOS_REPEAT ?? 5);

/** Batches of seeds started together. */
function plan(): number[][] {
  if (process.env.CHAOS_SEED) return [[Number(process.env.CHAOS_SEED)]];
  if (REPRO_SEED !== undefined) {
    const before = Math.floor((CONCURRENCY - 1) / 2);
    const company = Array.from({ length: CONCURRENCY }, (_, i) => REPRO_SEED - before + i).filter(
      (seed) => seed !== REPRO_SEED && seed >= 1,
    );
    const batch = [REPRO_SEED, ...company.slice(0, CONCURRENCY - 1)];
    return Array.from({ length: REPEAT }, () => batch);
  }
  return [Array.from({ length: RUNS }, (_, i) => FIRST_SEED + i)];
}

const batches = plan();
const total = batches.reduce((sum, batch) => sum + batch.length, 0);

let emulator: Emulator;

beforeAll(async () => {
  // A short state TTL turns the longer outages (over 1.5 s) into state loss and re-hydration.
  emulator = await startTestEmulator({ connectionStateTtl: 1500 });
});
afterAll(async () => {
  closeClients();
  await emulator?.stop();
});

const timeoutMs = batches.reduce((sum, batch) => sum + Math.ceil(batch.length / CONCURRENCY) * 90_000, 30_000);

describe('chaos', () => {
  it(
    `renders the agent's text exactly through ${total} seeded schedules of outages, refreshes and late joins`,
    async () => {
      const started = Date.now();
      const stopPressure = startCpuPressure(CPU_PRESSURE, { maxMs: timeoutMs });
      const results: ChaosResult[] = [];
      try {
        for (const [round, batch] of batches.entries()) {
          const batchResults = await runChaos(emulator, batch, CONCURRENCY);
          results.push(...batchResults);
          if (REPRO_SEED !== undefined) {
            const target = batchResults.find((r) => r.schedule.seed === REPRO_SEED);
            console.log(
              `chaos: repro round ${round + 1}/${batches.length}: seed ${REPRO_SEED} ${target?.ok ? 'exact' : 'FAILED'}`,
            );
          }
        }
      } finally {
        await stopPressure();
      }
      const failures = results.filter((r) => !r.ok);
      const durations = results.map((r) => r.ms).sort((a, b) => a - b);
      console.log(
        `chaos: ${results.length - failures.length}/${results.length} schedules exact in ${((Date.now() - started) / 1000).toFixed(1)} s ` +
          `(${CONCURRENCY} at a time, ${CPU_PRESSURE} CPU pressure threads; per schedule p50 ${durations[Math.floor(durations.length / 2)]} ms, max ${durations.at(-1)} ms)`,
      );
      for (const failure of failures) console.log(`FAILED ${describeSchedule(failure.schedule)}\n  ${failure.detail}`);
      expect(failures.map((f) => `${describeSchedule(f.schedule)} -> ${f.detail}`)).toEqual([]);
    },
    timeoutMs,
  );
});
