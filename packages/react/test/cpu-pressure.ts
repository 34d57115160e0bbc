// Background CPU load for the chaos schedules: timing races show up when the machine is busy, as real
// browsers on busy laptops are. Each worker thread spins in short bursts until stopped, and stops by
// itself after `maxMs` whatever happens to the test.
import { Worker } from 'node:worker_threads';

const SPIN = `
const { workerData } = require('node:worker_threads');
const until = Date.now() + workerData.maxMs;
const flag = new Int32Array(workerData.stop);
(function burst() {
  if (Atomics.load(flag, 0) === 1 || Date.now() > until) return;
  const end = Date.now() + workerData.burstMs;
  while (Date.now() < end) {}
  setTimeout(burst, workerData.restMs);
})();
`;

/**
 * Start `threads` spinning workers (each busy `busyShare` of the time); returns the function that stops them.
 *
 * @example
 * ```ts
 * const stop = startCpuPressure(1, { maxMs: 120_000 });
 * try { await runChaos(...); } finally { await stop(); }
 * ```
 */
export function startCpuPressure(threads: number, options: { maxMs: number; busyShare?: number }): () => Promise<void> {
  const stop = new SharedArrayBuffer(4);
  const burstMs = 20;
  const share = Math.min(1, Math.max(0.05, options.busyShare ?? 0.8));
  const restMs = Math.round((burstMs * (1 - share)) / share);
  const workers = Array.from(
    { length: Math.max(0, Math.floor(threads)) },
    () => new Worker(SPIN, { eval: true, workerData: { stop, maxMs: options.maxMs, burstMs, restMs } }),
  );
  return async () => {
    Atomics.store(new Int32Array(stop), 0, 1);
    await Promise.all(workers.map((worker) => worker.terminate()));
  };
}
