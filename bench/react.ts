import * as Ably from 'ably';
import { type Browser, chromium } from 'playwright-core';
import { streamResponse } from '../packages/agent/src/index.js';
import type { ResponsePattern } from '../packages/core/src/index.js';
import { startEmulator } from '../packages/emulator/src/index.js';
import { chromiumArgs, chromiumPath } from '../vitest.shared.js';
import { type BenchPage, serveBenchPage } from './_bench-page.js';
import type { BenchState } from './_react-page.js';

const args = Object.fromEntries(
  process.argv.slice(2).map((arg) => {
    const [key, value = ''] = arg.replace(/^--/, '').split('=');
    return [key!, value];
  }),
);
const tokenCount = Number(args.tokens ?? 2000);
const tokensPerSecond = Number(args.rate ?? 1000);
if (!(tokenCount > 0 && tokensPerSecond > 0)) {
  console.error('usage: pnpm bench react [--tokens=2000] [--rate=1000]');
  process.exit(2);
}

/** Tokens at a steady rate: each millisecond tick releases the tokens that are due by then. */
async function* atRate(tokens: readonly string[], perSecond: number): AsyncIterable<string> {
  const started = performance.now();
  for (let i = 0; i < tokens.length; i++) {
    const due = started + (i * 1000) / perSecond;
    const wait = due - performance.now();
    if (wait > 1) await new Promise((resolve) => setTimeout(resolve, wait));
    yield tokens[i]!;
  }
}

interface Measurement {
  commitsPerSecond: number;
  mainThreadMsPer1000: number;
  renderMsPer1000: number;
  commits: number;
  seconds: number;
}

async function measure(
  browser: Browser,
  baseUrl: string,
  emulator: Awaited<ReturnType<typeof startEmulator>>,
  variant: 'ours' | 'naive',
  pattern: ResponsePattern,
): Promise<Measurement> {
  const channelName = `ai:bench-${variant}-${pattern}-${Date.now()}`;
  // The page gets a token, never the key (the emulator refuses its built-in key from web pages).
  const { key, ...withoutKey } = emulator.clientOptions({ clientId: 'viewer' });
  const { token } = await new Ably.Rest({ key, ...withoutKey, logLevel: 0 }).auth.requestToken({ clientId: 'viewer' });
  const options = Buffer.from(JSON.stringify({ ...withoutKey, token })).toString('base64');
  const page = await browser.newPage();
  await page.goto(`${baseUrl}/?variant=${variant}&channel=${encodeURIComponent(channelName)}&options=${options}`);
  await page.waitForFunction(() => (window as unknown as { __bench: BenchState }).__bench.ready, undefined, {
    timeout: 20_000,
  });
  const cdp = await page.context().newCDPSession(page);
  await cdp.send('Performance.enable');
  const taskDuration = async () => {
    const { metrics } = await cdp.send('Performance.getMetrics');
    return metrics.find((m) => m.name === 'TaskDuration')?.value ?? 0;
  };

  const agent = new Ably.Realtime({
    ...(emulator.clientOptions({ clientId: 'agent' }) as Ably.ClientOptions),
    echoMessages: false,
    logLevel: 0,
    // Every token its own message, as a model at this rate would send without rollup.
    transportParams: { appendRollupWindow: 0 },
  });
  const tokens = Array.from({ length: tokenCount }, (_, i) => `w${i % 97} `);
  const expected = tokens.join('');
  const before = await taskDuration();
  const commitsBefore = await page.evaluate(() => (window as unknown as { __bench: BenchState }).__bench.commits);
  const renderBefore = await page.evaluate(() => (window as unknown as { __bench: BenchState }).__bench.renderMs);
  const started = performance.now();
  await streamResponse(agent.channels.get(channelName), atRate(tokens, tokensPerSecond), { pattern });
  // Resolved by the page itself when the text is complete: no polling tasks on its main thread.
  await page.evaluate(
    (length) => (window as unknown as { __bench: BenchState }).__bench.until(length),
    expected.length,
  );
  const seconds = (performance.now() - started) / 1000;
  const after = await taskDuration();
  const state = await page.evaluate(() => (window as unknown as { __bench: BenchState }).__bench);
  if (state.text !== expected) throw new Error(`${variant}/${pattern}: rendered text differs from the agent's`);
  agent.close();
  await page.close();
  const commits = state.commits - commitsBefore;
  return {
    commits,
    seconds,
    commitsPerSecond: commits / seconds,
    mainThreadMsPer1000: ((after - before) * 1000 * 1000) / tokenCount,
    renderMsPer1000: ((state.renderMs - renderBefore) * 1000) / tokenCount,
  };
}

const emulator = await startEmulator({ port: 0 });
let browser: Browser | undefined;
let benchPage: BenchPage | undefined;
try {
  // The profiling build: production React that still reports commits to <Profiler>.
  benchPage = await serveBenchPage('_react-page.html', [
    { find: /^react-dom\/client$/, replacement: 'react-dom/profiling' },
  ]);
  const baseUrl = benchPage.url;
  emulator.allowOrigin(new URL(baseUrl).origin);
  browser = await chromium.launch({ executablePath: chromiumPath, args: chromiumArgs });
  console.log(
    `react: ${tokenCount} tokens at ${tokensPerSecond}/s into one message, headless Chromium, production React`,
  );
  const rows: string[][] = [
    ['pattern', 'metric', 'ours', 'naive', 'naive/ours'],
    ['-------', '------', '----', '-----', '----------'],
  ];
  for (const pattern of ['message-per-token', 'message-per-response'] as const) {
    // Warm up once so the JIT and the emulator are not measured.
    await measure(browser, baseUrl, emulator, 'ours', pattern);
    const ours = await measure(browser, baseUrl, emulator, 'ours', pattern);
    const naive = await measure(browser, baseUrl, emulator, 'naive', pattern);
    const row = (metric: string, a: number, b: number) => [
      pattern,
      metric,
      a.toFixed(1),
      b.toFixed(1),
      `${(b / a).toFixed(1)}x`,
    ];
    rows.push(row('commits of the message', ours.commits, naive.commits));
    rows.push(row('commits/s of the message', ours.commitsPerSecond, naive.commitsPerSecond));
    rows.push(row('main-thread ms / 1,000 tokens', ours.mainThreadMsPer1000, naive.mainThreadMsPer1000));
    rows.push(row('React render ms / 1,000 tokens', ours.renderMsPer1000, naive.renderMsPer1000));
  }
  const widths = rows[0]!.map((_, column) => Math.max(...rows.map((r) => r[column]!.length)));
  for (const r of rows) console.log(r.map((cell, column) => cell.padEnd(widths[column]!)).join('  '));
  console.log(
    'naive/ours above 1 means ours is cheaper. Main-thread time includes the SDK decoding every message, the same for both.',
  );
} finally {
  await browser?.close();
  await benchPage?.close();
  await emulator.stop();
}
