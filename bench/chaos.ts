// `pnpm bench chaos [--runs 500] [--concurrency 25] [--first-seed 1] [--cpu-pressure 0] [--react 18|19]`:
// the chaos test of packages/react at scale. Every schedule must end with every viewer showing exactly
// the agent's text; failures print their seed and where their trace was written.
// `pnpm bench chaos --repro <seed> [--repeat 5] [--concurrency 25]` replays one seed under the same
// concurrency it failed in: each round starts it together with the seeds around it.
import { spawnSync } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const args = process.argv.slice(2);
const option = (name: string, fallback: string) => {
  const index = args.indexOf(`--${name}`);
  return index >= 0 && args[index + 1] ? args[index + 1]! : fallback;
};
const runs = Number(option('runs', '500'));
const concurrency = Number(option('concurrency', '25'));
const firstSeed = Number(option('first-seed', '1'));
const cpuPressure = Number(option('cpu-pressure', '0'));
const repro = option('repro', '');
const repeat = Number(option('repeat', '5'));
const project = option('react', '19') === '18' ? 'react-18' : 'react';
const valid =
  runs >= 1 &&
  concurrency >= 1 &&
  Number.isInteger(firstSeed) &&
  Number.isInteger(cpuPressure) &&
  cpuPressure >= 0 &&
  cpuPressure <= 8 &&
  repeat >= 1 &&
  (repro === '' || (Number.isInteger(Number(repro)) && Number(repro) >= 1));
if (!valid) {
  console.error(
    'usage: pnpm bench chaos [--runs N>=1] [--concurrency N>=1] [--first-seed N] [--cpu-pressure 0..8] [--react 18|19]\n' +
      '       pnpm bench chaos --repro SEED [--repeat N>=1] [--concurrency N>=1] [--cpu-pressure 0..8]',
  );
  process.exit(2);
}

console.log(
  repro
    ? `chaos: seed ${repro} ${repeat} times, each with ${concurrency - 1} others at once, ${cpuPressure} CPU pressure threads, on ${project}`
    : `chaos: ${runs} schedules from seed ${firstSeed}, ${concurrency} at a time, ${cpuPressure} CPU pressure threads, on ${project}`,
);
const started = Date.now();
const result = spawnSync(
  process.execPath,
  [
    join(root, 'node_modules/vitest/vitest.mjs'),
    'run',
    '--project',
    project,
    'packages/react/test/chaos.test.tsx',
    '--reporter',
    'dot',
  ],
  {
    cwd: root,
    encoding: 'utf8',
    env: {
      ...process.env,
      CHAOS_RUNS: String(runs),
      CHAOS_CONCURRENCY: String(concurrency),
      CHAOS_FIRST_SEED: String(firstSeed),
      CHAOS_CPU_PRESSURE: String(cpuPressure),
      ...(repro ? { CHAOS_REPRO_SEED: repro, CHAOS_REPEAT: String(repeat) } : {}),
      FORCE_COLOR: '0',
      NO_COLOR: '1',
    },
    maxBuffer: 64 * 1024 * 1024,
  },
);
const output = `${result.stdout ?? ''}\n${result.stderr ?? ''}`;
const lines = output.split('\n').filter((line) => /chaos: |FAILED seed|^ {2}viewer|threw/.test(line));
for (const line of lines) console.log(line.trim());
const seconds = ((Date.now() - started) / 1000).toFixed(0);
if (result.status === 0) console.log(`chaos: every schedule exact (${seconds} s wall)`);
else {
  if (lines.length === 0) console.log(output.slice(-4000));
  console.log(
    `chaos: FAILED (${seconds} s wall); replay one under load with pnpm bench chaos --repro <seed> --concurrency ${concurrency}`,
  );
}
process.exit(result.status ?? 1);
