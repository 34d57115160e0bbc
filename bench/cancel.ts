// `pnpm bench cancel [--runs 10] [--rollup 40]`
//
// How fast Stop works across processes: an agent answers a turn with an endless model through answerTurns; a
// second client (another browser) publishes a cancel; we measure, for each pattern, the time from the cancel's
// publish to (a) the agent's signal aborting, (b) the response's `cancelled` end marker reaching a third client.
// The bar is one append rollup window plus one round trip; the round trip is measured in the same run (a
// publish's acknowledgement, median), so the printed ratio holds whatever the machine is doing. Agents publish
// with the rollup window given (Ably's default is 40 ms).
import { createRequire } from 'node:module';
import { performance } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import type * as AblyTypes from 'ably';
import { answerTurns } from '../packages/agent/src/index.js';
import type { ResponsePattern } from '../packages/core/src/index.js';
import { connectChannel, createConversationStore, publishCancel, publishTurn } from '../packages/core/src/index.js';
import { startEmulator } from '../packages/emulator/src/index.js';

const { values } = parseArgs({
  options: { runs: { type: 'string', default: '10' }, rollup: { type: 'string', default: '40' } },
});
const runs = Math.max(1, Number(values.runs));
const rollupMs = Number(values.rollup);
const Ably = createRequire(new URL('../packages/agent/package.json', import.meta.url))('ably') as typeof AblyTypes;

const emulator = await startEmulator({ port: 0 });
const clients: AblyTypes.Realtime[] = [];
async function client(clientId: string, extra: Partial<AblyTypes.ClientOptions> = {}) {
  const made = new Ably.Realtime({
    ...(emulator.clientOptions({ clientId }) as AblyTypes.ClientOptions),
    logLevel: 0,
    ...extra,
  });
  clients.push(made);
  await made.connection.whenState('connected');
  return made;
}

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;
const until = async (predicate: () => boolean, what: string) => {
  const deadline = performance.now() + 10_000;
  while (!predicate()) {
    if (performance.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 1));
  }
};

const agent = await client('agent', { echoMessages: false, transportParams: { appendRollupWindow: rollupMs } });
const ann = await client('ann');
const bob = await client('bob');
const watcher = await client('watcher');

/** One publish's acknowledgement: the round trip a cancel needs to reach the agent. */
async function roundTripMs(): Promise<number> {
  const channel = bob.channels.get('ai:bench-round-trip');
  await channel.attach();
  const times: number[] = [];
  for (let index = 0; index < 20; index++) {
    const started = performance.now();
    await channel.publish('ping', String(index));
    times.push(performance.now() - started);
  }
  return median(times);
}

async function measure(pattern: ResponsePattern, run: number) {
  const name = `ai:bench-cancel-${pattern}-${run}`;
  let abortedAt = 0;
  const answering = answerTurns(
    agent.channels.get(name),
    async function* (turn) {
      turn.signal.addEventListener('abort', () => {
        abortedAt = performance.now();
      });
      for (let index = 0; !turn.signal.aborted; index++) {
        yield `token ${index} `;
        await new Promise((resolve) => setTimeout(resolve, 5));
      }
    },
    { pattern },
  );
  await agent.channels.get(name).whenState('attached');
  const store = createConversationStore();
  const sync = connectChannel(watcher.channels.get(name), store, { strategy: 'rewind' });
  await sync.ready;
  const { responseId } = await publishTurn(ann.channels.get(name), { text: 'Tell me everything' });
  await until(() => store.getResponse(responseId)?.status === 'streaming', 'streaming');
  await new Promise((resolve) => setTimeout(resolve, 100));
  const cancelChannel = bob.channels.get(name);
  await cancelChannel.attach();
  const sentAt = performance.now();
  await publishCancel(cancelChannel, { responseId });
  await until(() => abortedAt > 0, 'abort');
  await until(() => store.getResponse(responseId)?.status === 'cancelled', 'cancelled end marker');
  const endedAt = performance.now();
  sync.stop();
  store.dispose();
  answering.stop();
  return { abortMs: abortedAt - sentAt, endMs: endedAt - sentAt };
}

const rtt = await roundTripMs();
const bar = rollupMs + rtt;
console.log(
  `round trip (publish → ack, median of 20): ${rtt.toFixed(1)} ms; bar = ${rollupMs} ms rollup + round trip = ${bar.toFixed(1)} ms`,
);
console.log(
  'pattern               | agent aborted (median / max) | cancelled seen by a 3rd client (median / max) | median ÷ bar',
);
for (const pattern of ['message-per-response', 'message-per-token'] as const) {
  const rows: { abortMs: number; endMs: number }[] = [];
  for (let run = 0; run < runs; run++) rows.push(await measure(pattern, run));
  const abort = rows.map((row) => row.abortMs);
  const end = rows.map((row) => row.endMs);
  console.log(
    `${pattern.padEnd(21)} | ${median(abort).toFixed(1).padStart(8)} / ${Math.max(...abort)
      .toFixed(1)
      .padStart(6)} ms     ` +
      `| ${median(end).toFixed(1).padStart(8)} / ${Math.max(...end)
        .toFixed(1)
        .padStart(6)} ms                     ` +
      `| ${(median(end) / bar).toFixed(2)}×`,
  );
}
for (const made of clients) made.close();
await emulator.stop();
