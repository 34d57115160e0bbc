// `pnpm bench agent [--tokens 2000] [--format msgpack|json] [--runs 3]`
//
// Streams one model-like response through streamResponse into the emulator (in this process) with the real
// ably SDK, for each pattern and setting, and reports how long it took (median of --runs), the time from the
// model's last token to the response being ended on the channel, how many channel operations and subscriber
// deliveries it cost, and whether a subscriber and history read back exactly the source.
// A baseline does the same appends by hand (create, un-awaited appends, allSettled, end marker) with no kit,
// so the kit's own overhead shows as a ratio. A paced part streams at a model-like 200 tokens/s to show what
// batchMs saves for message-per-token.
import { createRequire } from 'node:module';
import { performance } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import type * as AblyTypes from 'ably';
import { type StreamResponseOptions, streamResponse } from '../packages/agent/src/index.js';
import { startEmulator } from '../packages/emulator/src/index.js';

const { values } = parseArgs({
  options: {
    tokens: { type: 'string', default: '2000' },
    format: { type: 'string', default: 'msgpack' },
    runs: { type: 'string', default: '3' },
  },
});
const tokenCount = Number(values.tokens);
const format = values.format === 'json' ? 'json' : 'msgpack';
const runs = Math.max(1, Number(values.runs));
const Ably = createRequire(new URL('../packages/agent/package.json', import.meta.url))('ably') as typeof AblyTypes;

const words = [' the', ' quick', ' brøwn', ' fox', ' 👋', '\n', ' jumps', '.'];
const tokens = Array.from({ length: tokenCount }, (_, i) => words[(i * 7 + (i >> 3)) % words.length]!);
const source = tokens.join('');

/** When the model produced its last token (for the end latency). */
let lastTokenAt = 0;

async function* modelStream(count = tokenCount, tokensPerSecond = 0): AsyncGenerator<string> {
  const started = performance.now();
  for (let i = 0; i < count; i++) {
    if (tokensPerSecond > 0) {
      const due = started + (i * 1000) / tokensPerSecond;
      const wait = due - performance.now();
      if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
    } else if (i % 16 === 0) await new Promise((resolve) => setImmediate(resolve));
    lastTokenAt = performance.now();
    yield tokens[i]!;
  }
}

const emulator = await startEmulator({ port: 0, maxMessageSize: 1024 * 1024 });
const reader = new Ably.Realtime({
  ...(emulator.clientOptions({ format: 'json', clientId: 'reader' }) as AblyTypes.ClientOptions),
  logLevel: 0,
});
await reader.connection.whenState('connected');

interface Row {
  scenario: string;
  ms: number;
  endLatencyMs: number;
  tokensPerSecond: number;
  operations: number;
  deliveries: number;
  liveExact: boolean;
  historyExact: boolean;
}

let channelNumber = 0;

async function agentClient(appendRollupWindow?: number): Promise<AblyTypes.Realtime> {
  const options: AblyTypes.ClientOptions = {
    ...(emulator.clientOptions({ format, clientId: 'agent' }) as AblyTypes.ClientOptions),
    echoMessages: false,
    logLevel: 0,
  };
  if (appendRollupWindow !== undefined) options.transportParams = { appendRollupWindow };
  const client = new Ably.Realtime(options);
  await client.connection.whenState('connected');
  return client;
}

/** Subscribe and fold deliveries into text (create sets, append adds, update replaces; tokens add). */
async function watch(name: string) {
  let text = '';
  let deliveries = 0;
  let ended = false;
  let resolveEnded = () => {};
  const endedPromise = new Promise<void>((resolve) => {
    resolveEnded = resolve;
  });
  await reader.channels.get(name).subscribe((message) => {
    deliveries++;
    const data = typeof message.data === 'string' ? message.data : '';
    if (message.name === 'response') {
      text = message.action === 'message.append' ? text + data : data;
      if (message.version?.metadata?.status) ended = true;
    } else if (message.name === 'token') text += data;
    else if (message.name === 'response-complete') text = data;
    else if (message.name === 'stop') ended = true;
    if (ended) resolveEnded();
  });
  return { ended: endedPromise, result: () => ({ text, deliveries }) };
}

async function historyText(name: string): Promise<string> {
  let page: AblyTypes.PaginatedResult<AblyTypes.InboundMessage> | null = await reader.channels
    .get(name)
    .history({ direction: 'forwards', limit: 1000 });
  let text = '';
  while (page) {
    for (const m of page.items) {
      if (m.name === 'response') text = m.data as string;
      if (m.name === 'token') text += m.data as string;
      if (m.name === 'response-complete') text = m.data as string;
    }
    page = page.hasNext() ? await page.next() : null;
  }
  return text;
}

async function measureOnce(
  scenario: string,
  run: (channel: AblyTypes.RealtimeChannel) => Promise<number>,
  expected: string,
  appendRollupWindow?: number,
): Promise<Row> {
  const client = await agentClient(appendRollupWindow);
  const name = `ai:bench-${++channelNumber}`;
  const watcher = await watch(name);
  const started = performance.now();
  const operations = await run(client.channels.get(name));
  const finished = performance.now();
  const ms = finished - started;
  await watcher.ended;
  const live = watcher.result();
  const row = {
    scenario,
    ms: Math.round(ms),
    endLatencyMs: Math.round((finished - lastTokenAt) * 10) / 10,
    tokensPerSecond: Math.round(tokenCount / (ms / 1000)),
    operations,
    deliveries: live.deliveries,
    liveExact: live.text === expected,
    historyExact: (await historyText(name)) === expected,
  };
  client.close();
  return row;
}

/** The run with the median time; exactness must hold in every run. */
function median(all: Row[]): Row {
  const sorted = [...all].sort((a, b) => a.ms - b.ms);
  const middle = sorted[Math.floor(sorted.length / 2)]!;
  return { ...middle, liveExact: all.every((r) => r.liveExact), historyExact: all.every((r) => r.historyExact) };
}

/** The median of `runs` runs of one scenario. */
async function measure(
  scenario: string,
  run: (channel: AblyTypes.RealtimeChannel) => Promise<number>,
  appendRollupWindow?: number,
): Promise<Row> {
  const all: Row[] = [];
  for (let i = 0; i < runs; i++) all.push(await measureOnce(scenario, run, source, appendRollupWindow));
  return median(all);
}

function kit(options: StreamResponseOptions, stream: () => AsyncIterable<string> = () => modelStream()) {
  return async (channel: AblyTypes.RealtimeChannel) =>
    (await streamResponse(channel, stream(), options)).messagesPublished;
}

async function byHand(channel: AblyTypes.RealtimeChannel): Promise<number> {
  const extras = { headers: { responseId: 'baseline' } };
  const created = await channel.publish({ name: 'response', data: '', extras });
  const serial = created.serials[0]!;
  const pending: Promise<unknown>[] = [];
  for await (const token of modelStream()) pending.push(channel.appendMessage({ serial, data: token, extras }));
  await Promise.allSettled(pending);
  await channel.appendMessage({ serial, data: '', extras }, { metadata: { status: 'complete' } });
  return pending.length + 2;
}

const rows: Row[] = [];
// Warm-up so the first measured scenario does not pay for JIT and connection setup.
await measureOnce('warm-up', kit({}), source);
// Baseline and kit runs alternate, so drift on a shared machine hits both alike.
const baselineRuns: Row[] = [];
const kitRuns: Row[] = [];
for (let i = 0; i < runs; i++) {
  baselineRuns.push(await measureOnce('baseline: appends by hand, rollup 40', byHand, source));
  kitRuns.push(await measureOnce('per-response, rollup 40 (default)', kit({}), source));
}
rows.push(median(baselineRuns), median(kitRuns));
rows.push(await measure('per-response, rollup 0', kit({}), 0));
rows.push(await measure('per-response, rollup 500', kit({}), 500));
rows.push(await measure('per-token', kit({ pattern: 'message-per-token' })));
rows.push(await measure('per-token, batchMs 25', kit({ pattern: 'message-per-token', batchMs: 25 })));

console.log(
  `\n${tokenCount} tokens (${Buffer.byteLength(source)} bytes) as fast as possible, agent format ${format}, median of ${runs}\n`,
);
console.table(rows);
const baseline = rows[0]!;
const perResponse = rows[1]!;
console.log(`per-response kit / by-hand time ratio: ${(perResponse.ms / baseline.ms).toFixed(2)}`);

const pacedCount = 200;
const paced = tokens.slice(0, pacedCount).join('');
const pacedStream = () => modelStream(pacedCount, 200);
const pacedRows: Row[] = [];
for (const batchMs of [0, 25, 100]) {
  pacedRows.push(
    await measureOnce(
      `per-token at 200 tokens/s, batchMs ${batchMs}`,
      kit({ pattern: 'message-per-token', batchMs }, pacedStream),
      paced,
    ),
  );
}
pacedRows.push(await measureOnce('per-response at 200 tokens/s, rollup 40', kit({}, pacedStream), paced));
console.log(`\n${pacedCount} tokens paced at 200 tokens/s (one run each)\n`);
console.table(pacedRows.map(({ tokensPerSecond: _, ...row }) => row));

reader.close();
await emulator.stop();
process.exit([...rows, ...pacedRows].every((r) => r.liveExact && r.historyExact) ? 0 : 1);
