// `pnpm bench core [tokens]`: reducer time per message and retained memory for a long stream, both
// patterns. Target: constant amortised time per append, memory at most 3x the text size. Then a 200-turn
// conversation with tool calls: time to first paint with paged hydration against reading it whole.
import v8 from 'node:v8';
import vm from 'node:vm';
import { createResponseStore, type ResponseStore } from '../packages/core/src/index.js';
import { CONVERSATION_PAGE_TURNS, CONVERSATION_TURNS, conversationBench } from './_conversation.js';

v8.setFlagsFromString('--expose-gc');
const gc = vm.runInNewContext('gc') as () => void;

const TOKENS = Number(process.argv[2] ?? 1_000_000);
const CHUNKS = 10;

// Token-like pieces (1 to 8 characters, mostly a word and a space), drawn from a fixed vocabulary.
const vocabulary = Array.from({ length: 2000 }, (_, i) => {
  const word = (i * 2654435761).toString(36).slice(0, 1 + (i % 7));
  return i % 5 === 0 ? word : `${word} `;
});
let seed = 42;
const nextToken = () => {
  seed = (seed * 1103515245 + 12345) >>> 0;
  return vocabulary[seed % vocabulary.length]!;
};

const serialAt = (n: number) =>
  `${String(1_700_000_000_000 + n).padStart(14, '0')}-${String(n % 1000).padStart(3, '0')}@bench:0`;
const headers = { responseId: 'r1', model: 'bench' };

function heapUsed(): number {
  gc();
  gc();
  return process.memoryUsage().heapUsed;
}

interface Result {
  nsPerMessage: number;
  chunkNs: number[];
  retainedBytes: number;
  afterReadBytes: number;
  textBytes: number;
}

function run(pattern: 'message-per-response' | 'message-per-token', readEvery: number): Result {
  seed = 42;
  const before = heapUsed();
  let store: ResponseStore | undefined = createResponseStore({ staleAfterMs: Number.POSITIVE_INFINITY });
  const id = pattern === 'message-per-response' ? serialAt(0) : 'token:r1';
  const createSerial = serialAt(0);
  if (pattern === 'message-per-response') {
    store.apply({
      name: 'response',
      action: 'message.create',
      serial: createSerial,
      data: '',
      extras: { headers },
      timestamp: 1,
      version: { serial: createSerial, timestamp: 1 },
    });
  } else {
    store.apply({
      name: 'start',
      action: 'message.create',
      serial: createSerial,
      data: '',
      extras: { headers },
      timestamp: 1,
    });
  }
  let textLength = 0;
  const chunkNs: number[] = [];
  const perChunk = Math.ceil(TOKENS / CHUNKS);
  const started = process.hrtime.bigint();
  let chunkStarted = started;
  for (let i = 1; i <= TOKENS; i++) {
    const data = nextToken();
    textLength += data.length;
    const serial = serialAt(i);
    if (pattern === 'message-per-response') {
      store.apply({
        name: 'response',
        action: 'message.append',
        serial: createSerial,
        data,
        extras: { headers },
        timestamp: 1,
        version: { serial, timestamp: 1 + i },
      });
    } else {
      store.apply({ name: 'token', action: 'message.create', serial, data, extras: { headers }, timestamp: 1 + i });
    }
    if (readEvery > 0 && i % readEvery === 0) store.getResponse(id);
    if (i % perChunk === 0) {
      const now = process.hrtime.bigint();
      chunkNs.push(Number(now - chunkStarted) / perChunk);
      chunkStarted = now;
    }
  }
  const elapsed = Number(process.hrtime.bigint() - started);
  const retained = heapUsed() - before;
  const text = store.getResponse(id)!.text;
  if (text.length !== textLength) throw new Error(`text length ${text.length} != ${textLength}`);
  const afterRead = heapUsed() - before;
  store.dispose();
  store = undefined;
  return {
    nsPerMessage: elapsed / TOKENS,
    chunkNs,
    retainedBytes: retained,
    afterReadBytes: afterRead,
    textBytes: textLength, // ASCII: one byte per character in V8's one-byte strings
  };
}

/** Time to build the message objects alone (the share of ns/msg that is the benchmark's, not the reducer's). */
function constructionNs(pattern: 'message-per-response' | 'message-per-token'): number {
  seed = 42;
  let sink = 0;
  const started = process.hrtime.bigint();
  for (let i = 1; i <= TOKENS; i++) {
    const data = nextToken();
    const serial = serialAt(i);
    const message =
      pattern === 'message-per-response'
        ? { name: 'response', action: 'message.append', serial: 'x', data, extras: { headers }, version: { serial } }
        : { name: 'token', action: 'message.create', serial, data, extras: { headers }, timestamp: 1 + i };
    sink += message.data.length;
  }
  if (sink === 0) throw new Error('empty');
  return Number(process.hrtime.bigint() - started) / TOKENS;
}

/** What plain `text += token` retains, for comparison. */
function concatBaseline(): number {
  seed = 42;
  const before = heapUsed();
  let text = '';
  for (let i = 0; i < TOKENS; i++) text += nextToken();
  const retained = heapUsed() - before;
  if (text.length === 0) throw new Error('empty');
  return retained;
}

/** What an array of token strings retains, for comparison. */
function arrayBaseline(): number {
  seed = 42;
  const before = heapUsed();
  const tokens: string[] = [];
  // Copy so each token is its own string, as tokens arriving over the network are.
  for (let i = 0; i < TOKENS; i++) tokens.push(`${nextToken()}#`.slice(0, -1));
  const retained = heapUsed() - before;
  if (tokens.length !== TOKENS) throw new Error('short');
  return retained;
}

const mb = (bytes: number) => `${(bytes / 1024 / 1024).toFixed(1)} MB`;
const fmt = (n: number) => n.toFixed(0).padStart(5);

console.log(`core reducer, ${TOKENS.toLocaleString('en')} tokens per stream (node ${process.version})\n`);
const rows: Array<[string, Result]> = [];
for (const pattern of ['message-per-response', 'message-per-token'] as const) {
  run(pattern, 0); // warm-up at full size so both measured runs see optimised code
  rows.push([`${pattern}`, run(pattern, 0)]);
  rows.push([`${pattern}, read every 1000`, run(pattern, 1000)]);
}
console.log(
  'scenario                                 ns/msg  first/last 10% chunk  retained   /text  after read  /text',
);
for (const [name, r] of rows) {
  const first = r.chunkNs[0]!;
  const last = r.chunkNs[r.chunkNs.length - 1]!;
  console.log(
    `${name.padEnd(40)} ${fmt(r.nsPerMessage)}   ${fmt(first)} / ${fmt(last)} (x${(last / first).toFixed(2)})  ${mb(r.retainedBytes).padStart(8)}  ${(r.retainedBytes / r.textBytes).toFixed(2).padStart(5)}  ${mb(r.afterReadBytes).padStart(9)}  ${(r.afterReadBytes / r.textBytes).toFixed(2).padStart(5)}`,
  );
}
console.log(
  `(ns/msg includes building each message object: ${constructionNs('message-per-response').toFixed(0)} ns per-response, ${constructionNs('message-per-token').toFixed(0)} ns per-token)`,
);
const textBytes = rows[0]![1].textBytes;
const concat = concatBaseline();
const array = arrayBaseline();
console.log(`\ntext size ${mb(textBytes)}`);
console.log(
  `for comparison: text += token retains ${mb(concat)} (${(concat / textBytes).toFixed(2)}x), an array of token strings ${mb(array)} (${(array / textBytes).toFixed(2)}x)`,
);
const worstMemory = Math.max(...rows.map(([, r]) => Math.max(r.retainedBytes, r.afterReadBytes) / r.textBytes));
const worstDrift = Math.max(...rows.map(([, r]) => r.chunkNs[r.chunkNs.length - 1]! / r.chunkNs[0]!));
console.log(
  `\nworst memory ${worstMemory.toFixed(2)}x text (target <= 3x: ${worstMemory <= 3 ? 'met' : 'MISSED'}); ` +
    `worst last/first chunk time x${worstDrift.toFixed(2)} (constant amortised time: ${worstDrift < 2 ? 'met' : 'check'})`,
);

const conversation = await conversationBench();
console.log(
  `\n${CONVERSATION_TURNS}-turn conversation with tool calls (${conversation.messages} messages in history, real SDK on the emulator, median of 5):` +
    `\n  first paint, newest ${CONVERSATION_PAGE_TURNS} turns (pageTurns): ${conversation.firstPageMs.toFixed(1)} ms` +
    `\n  reading it whole:                       ${conversation.wholeMs.toFixed(1)} ms` +
    `\n  first paint is ${(conversation.wholeMs / conversation.firstPageMs).toFixed(1)}x sooner`,
);
