import { chromium } from 'playwright-core';
import { makeLongAnswer } from '../packages/react/src/streaming-message/story-fixtures.js';
import { chromiumArgs, chromiumPath } from '../vitest.shared.js';
import { serveBenchPage } from './_bench-page.js';
import { worstCaseDocuments } from './_worst-case.js';

const args = Object.fromEntries(
  process.argv.slice(2).map((arg) => {
    const [key, value = ''] = arg.replace(/^--/, '').split('=');
    return [key!, value];
  }),
);
// `pnpm bench render [--sizes=20,60] [--renderers=streaming-message,streamdown,react-markdown]
//  [--rounds=3] [--warm-up=5000] [--chars=4] [--worst-case=code-30kb,table-400,links-20kb|none] [--parts=20|none]`
// `--parts` streams a 20 KB answer as the last part of a response with reasoning and three tool calls, against
// the same text alone (target: at most 1.2x the text-only cost per token).
// `--sizes=none` skips the long answers and runs only the worst cases.
const sizes = args.sizes === 'none' ? [] : (args.sizes ?? '20,60').split(',').map(Number);
const worstCases =
  args['worst-case'] === 'none' ? [] : (args['worst-case'] ?? Object.keys(worstCaseDocuments).join(',')).split(',');
const partsKb = args.parts === 'none' ? 0 : Number(args.parts ?? 20);
const renderers = (args.renderers ?? 'streaming-message,streamdown,react-markdown').split(',');
const charsPerToken = Number(args.chars ?? 4);
// Each renderer streams each answer this many times (a fresh page each time) and the median counts:
// one run of a few seconds moves by tens of percent with whatever else the machine is doing. Rounds
// are interleaved (each round measures every renderer at every size, the sizes back to back) so
// that a slow minute on the machine hits every renderer, not one. react-markdown runs once: it takes
// minutes per run and is there for scale only.
const rounds = Math.max(1, Number(args.rounds ?? 3));
const roundsFor = (renderer: string) => (renderer === 'react-markdown' ? 1 : rounds);
// Warm-up answer size: long enough that the JIT has compiled every renderer's hot paths before
// the measured run.
const warmUpBytes = Number(args['warm-up'] ?? 5000);

interface BenchWindow {
  bench: {
    mount(name: string): void;
    run(
      text: string,
      charsPerToken: number,
    ): Promise<{
      tokens: number;
      longestTokenMs: number;
      longestTaskMs: number;
      totalTokenMs: number;
      tokenMs: number[];
      textLength: number;
    }>;
    reset(): void;
  };
}

interface Result {
  renderer: string;
  kb: number;
  tokens: number;
  scriptingMs: number;
  taskMs: number;
  longestTaskMs: number;
  longestTokenMs: number;
}

interface TraceEvent {
  name: string;
  ph: string;
  pid: number;
  tid: number;
  ts: number;
  dur?: number;
  tdur?: number;
  args?: { name?: string };
}

// A top-level task on the main thread ('toplevel' category; the more detailed timeline category
// would make a react-markdown trace at 60 KB too big to read back).
const TASK_EVENT = 'ThreadControllerImpl::RunTask';
const SCRIPT_EVENTS = new Set(['FunctionCall', 'EvaluateScript', 'RunMicrotasks', 'v8.evaluateModule', 'TimerFire']);

/**
 * Main-thread CPU time from a trace: thread time (`tdur`), so other processes competing for the
 * CPU do not inflate it. Scripting counts outermost script events only (nested ones are inside).
 */
function mainThreadCpu(events: TraceEvent[]): { scriptingMs: number; taskMs: number; longestTaskMs: number } {
  const mains = events.filter((e) => e.ph === 'M' && e.name === 'thread_name' && e.args?.name === 'CrRendererMain');
  let best = { scriptingMs: 0, taskMs: 0, longestTaskMs: 0 };
  for (const main of mains) {
    const own = events
      .filter((e) => e.pid === main.pid && e.tid === main.tid && e.ph === 'X' && e.tdur !== undefined)
      .sort((a, b) => a.ts - b.ts);
    let taskMs = 0;
    let longestTaskMs = 0;
    let scriptingMs = 0;
    let scriptEnd = -1;
    for (const e of own) {
      if (e.name === TASK_EVENT) {
        taskMs += e.tdur! / 1000;
        longestTaskMs = Math.max(longestTaskMs, e.tdur! / 1000);
      } else if (SCRIPT_EVENTS.has(e.name) && e.ts >= scriptEnd) {
        scriptingMs += e.tdur! / 1000;
        scriptEnd = e.ts + (e.dur ?? 0);
      }
    }
    if (taskMs > best.taskMs) best = { scriptingMs, taskMs, longestTaskMs };
  }
  return best;
}

console.log('building the bench page…');
const benchPage = await serveBenchPage('_render-page.html');
const browser = await chromium.launch({ executablePath: chromiumPath, args: chromiumArgs });
const results: Result[] = [];
try {
  const texts = new Map(sizes.map((kb) => [kb, makeLongAnswer(kb * 1000)]));
  const runs = new Map<string, Result[]>();
  for (let round = 0; round < rounds; round++) {
    for (const renderer of renderers) {
      if (round >= roundsFor(renderer)) continue;
      for (const kb of sizes) {
        const run = await measure(renderer, kb, texts.get(kb)!);
        console.log(`  round ${round + 1}: ${renderer} ${kb} KB scripting ${run.scriptingMs.toFixed(0)} ms`);
        runs.set(`${renderer}@${kb}`, [...(runs.get(`${renderer}@${kb}`) ?? []), run]);
      }
    }
  }
  console.log('');
  for (const kb of sizes) {
    for (const renderer of renderers) {
      const all = runs.get(`${renderer}@${kb}`)!;
      const result = median(all);
      results.push(result);
      const spread = all.length > 1 ? `  (rounds: ${all.map((r) => r.scriptingMs.toFixed(0)).join(', ')})` : '';
      console.log(
        `${renderer.padEnd(18)} ${String(kb).padStart(3)} KB  ${String(result.tokens).padStart(6)} tokens  ` +
          `scripting ${result.scriptingMs.toFixed(0).padStart(7)} ms  main thread ${result.taskMs.toFixed(0).padStart(7)} ms  ` +
          `longest token ${result.longestTokenMs.toFixed(1).padStart(6)} ms  longest task ${result.longestTaskMs.toFixed(0).padStart(4)} ms${spread}`,
      );
    }
  }
  if (partsKb > 0) await runPartsCase();
  if (worstCases.length > 0) await runWorstCases();
} finally {
  await browser.close();
  await benchPage.close();
}

/** Mean of the per-token times in `[from, to)` of the run, as fractions of its tokens. */
function meanOf(tokenMs: readonly number[], from: number, to: number): number {
  const part = tokenMs.slice(Math.floor(tokenMs.length * from), Math.ceil(tokenMs.length * to));
  return part.reduce((sum, ms) => sum + ms, 0) / Math.max(1, part.length);
}

/**
 * Stream each worst-case document (one block open for the whole answer) and compare the cost of a
 * streaming token in the last tenth with one in the first: a flat cost gives 1x, a re-parse of the whole
 * open block on every token gives a ratio that grows with the block. The completing token is shown on its
 * own. Median over the rounds.
 */
async function runWorstCases(): Promise<void> {
  console.log('\nworst cases (one block open for the whole answer), per-token ms, first 10% vs last 10%:');
  for (const name of worstCases) {
    const text = worstCaseDocuments[name];
    if (!text) throw new Error(`unknown worst case ${name}; known: ${Object.keys(worstCaseDocuments).join(', ')}`);
    for (const renderer of renderers) {
      if (renderer === 'react-markdown') continue; // minutes per run, and not a streaming renderer
      const runs: Array<{ first: number; last: number; completing: number }> = [];
      for (let round = 0; round < rounds; round++) {
        const { tokenMs } = await streamOnce(renderer, text);
        // The completing token does one-off work (a closed fence is highlighted once the highlighter has
        // loaded): it is reported on its own, not averaged into the streaming tokens of the last tenth.
        const streaming = tokenMs.slice(0, -1);
        runs.push({
          first: meanOf(streaming, 0, 0.1),
          last: meanOf(streaming, 0.9, 1),
          completing: tokenMs[tokenMs.length - 1] ?? 0,
        });
      }
      runs.sort((a, b) => a.last / a.first - b.last / b.first);
      const { first, last, completing } = runs[Math.floor(runs.length / 2)]!;
      const ratio = last / first;
      const verdict = renderer === 'streaming-message' ? `  target <= 1.5x: ${ratio <= 1.5 ? 'met' : 'MISSED'}` : '';
      console.log(
        `  ${name.padEnd(11)} ${renderer.padEnd(18)} ${(text.length / 1000).toFixed(0).padStart(3)} KB  ` +
          `first ${first.toFixed(3)} ms  last ${last.toFixed(3)} ms  last/first ${ratio.toFixed(2)}x` +
          `  completing token ${completing.toFixed(1)} ms${verdict}`,
      );
    }
  }
}

/**
 * A response with reasoning and three tool calls before its text costs, per token, what the text alone costs:
 * a token re-renders its own part only. Rounds interleave the two so a slow minute hits both.
 */
async function runPartsCase(): Promise<void> {
  const text = makeLongAnswer(partsKb * 1000);
  const byRenderer = new Map<string, Result[]>();
  for (let round = 0; round < rounds; round++) {
    for (const renderer of ['streaming-message', 'streaming-message-parts']) {
      const run = await measure(renderer, partsKb, text);
      byRenderer.set(renderer, [...(byRenderer.get(renderer) ?? []), run]);
    }
  }
  const perToken = (renderer: string) => {
    const result = median(byRenderer.get(renderer)!);
    return { ms: result.scriptingMs / result.tokens, tokens: result.tokens };
  };
  const alone = perToken('streaming-message');
  const withParts = perToken('streaming-message-parts');
  const ratio = withParts.ms / alone.ms;
  console.log(
    `\nparts: ${partsKb} KB of text after reasoning + 3 tool calls, scripting per token ${withParts.ms.toFixed(3)} ms ` +
      `vs text alone ${alone.ms.toFixed(3)} ms (${alone.tokens} tokens): ${ratio.toFixed(2)}x  ` +
      `target <= 1.2x: ${ratio <= 1.2 ? 'met' : 'MISSED'}`,
  );
}

/** Stream `text` into `renderer` on a fresh page (after the warm-up) and return the per-token times. */
async function streamOnce(renderer: string, text: string): Promise<{ tokenMs: number[] }> {
  const page = await browser.newPage();
  try {
    await page.goto(`${benchPage.url}/`);
    await page.waitForFunction(() => 'bench' in window);
    await page.evaluate((name) => (window as unknown as BenchWindow).bench.mount(name), renderer);
    await page.evaluate(([t, c]) => (window as unknown as BenchWindow).bench.run(t, c), [
      makeLongAnswer(warmUpBytes),
      charsPerToken,
    ] as const);
    await page.evaluate(() => (window as unknown as BenchWindow).bench.reset());
    return await page.evaluate(([t, c]) => (window as unknown as BenchWindow).bench.run(t, c), [
      text,
      charsPerToken,
    ] as const);
  } finally {
    await page.close();
  }
}

/** The run with the median scripting time. */
function median(runs: Result[]): Result {
  return [...runs].sort((a, b) => a.scriptingMs - b.scriptingMs)[Math.floor(runs.length / 2)]!;
}

/** Stream `text` into `renderer` on a fresh page and measure the main thread from a trace. */
async function measure(renderer: string, kb: number, text: string): Promise<Result> {
  const page = await browser.newPage();
  try {
    await page.goto(`${benchPage.url}/`);
    await page.waitForFunction(() => 'bench' in window);
    await page.evaluate((name) => (window as unknown as BenchWindow).bench.mount(name), renderer);
    await page.evaluate(([t, c]) => (window as unknown as BenchWindow).bench.run(t, c), [
      makeLongAnswer(warmUpBytes),
      charsPerToken,
    ] as const);
    await page.evaluate(() => (window as unknown as BenchWindow).bench.reset());
    await browser.startTracing(page, {
      categories: ['devtools.timeline', 'toplevel', 'v8.execute', '__metadata'],
    });
    const run = await page.evaluate(([t, c]) => (window as unknown as BenchWindow).bench.run(t, c), [
      text,
      charsPerToken,
    ] as const);
    // Let deferred work (idle callbacks, lazy highlighting) finish inside the measurement.
    await page.waitForTimeout(1500);
    const raw = await browser.stopTracing();
    if (raw.length >= 0x1fffffe8)
      throw new Error(`the ${renderer} trace at ${kb} KB is too big to read back; try a smaller size`);
    const trace = JSON.parse(raw.toString('utf8'));
    if (process.env.RENDER_TRACE)
      (await import('node:fs')).writeFileSync(process.env.RENDER_TRACE, JSON.stringify(trace));
    const cpu = mainThreadCpu(trace.traceEvents);
    if (run.textLength < text.length * 0.5) throw new Error(`${renderer} rendered only ${run.textLength} characters`);
    return {
      renderer,
      kb,
      tokens: run.tokens,
      scriptingMs: cpu.scriptingMs,
      taskMs: cpu.taskMs,
      longestTaskMs: cpu.longestTaskMs,
      longestTokenMs: run.longestTokenMs,
    };
  } finally {
    await page.close();
  }
}

const find = (renderer: string, kb: number) => results.find((r) => r.renderer === renderer && r.kb === kb);
const times = (a: number, b: number) => `${(a / b).toFixed(1)}x`;
console.log('\nratios (scripting ms; whole main thread, with style, layout and paint, in brackets):');
for (const kb of sizes) {
  const ours = find('streaming-message', kb);
  for (const peer of ['streamdown', 'react-markdown']) {
    const other = find(peer, kb);
    if (ours && other)
      console.log(
        `  ${peer} / streaming-message at ${kb} KB: ${times(other.scriptingMs, ours.scriptingMs)} ` +
          `(${times(other.taskMs, ours.taskMs)})`,
      );
  }
}
if (sizes.length >= 2) {
  const [small, large] = [Math.min(...sizes), Math.max(...sizes)];
  for (const renderer of renderers) {
    const a = find(renderer, small);
    const b = find(renderer, large);
    if (a && b) {
      console.log(
        `  ${renderer} ${large} KB / ${small} KB: ${(b.scriptingMs / a.scriptingMs).toFixed(2)}x ` +
          `(${(b.taskMs / a.taskMs).toFixed(2)}x)`,
      );
    }
  }
}
const ours60 = find('streaming-message', 60);
const streamdown60 = find('streamdown', 60);
const ours20 = find('streaming-message', 20);
if (ours60 && streamdown60)
  console.log(
    `targets: streamdown / ours at 60 KB >= 10x: ${streamdown60.scriptingMs / ours60.scriptingMs >= 10 ? 'met' : 'MISSED'}`,
  );
if (ours60 && ours20)
  console.log(
    `targets: ours 60 KB / 20 KB <= 3.6x: ${ours60.scriptingMs / ours20.scriptingMs <= 3.6 ? 'met' : 'MISSED'}`,
  );
