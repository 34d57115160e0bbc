// Part of `pnpm bench core`: a 200-turn conversation with tool calls on the emulator, read by the real SDK.
// Time to first paint with paged hydration (the newest 20 turns) against reading the whole conversation.
import { createRequire } from 'node:module';
import { performance } from 'node:perf_hooks';
import type * as AblyTypes from 'ably';
import { partStream, streamResponse } from '../packages/agent/src/index.js';
import { connectChannel, createConversationStore, publishTurn } from '../packages/core/src/index.js';
import { startEmulator } from '../packages/emulator/src/index.js';

const Ably = createRequire(new URL('../packages/agent/package.json', import.meta.url))('ably') as typeof AblyTypes;

const TURNS = 200;
const PAGE_TURNS = 20;
const ROUNDS = 5;

/** Publish the conversation, then time both readers (alternating, median of ROUNDS). */
export async function conversationBench(): Promise<{ firstPageMs: number; wholeMs: number; messages: number }> {
  const emulator = await startEmulator({ port: 0 });
  const options = (clientId: string) =>
    ({ ...emulator.clientOptions({ format: 'json', clientId }), logLevel: 0 }) as AblyTypes.ClientOptions;
  const agent = new Ably.Realtime({ ...options('agent'), echoMessages: false });
  const name = 'ai:bench-conversation';
  const channel = agent.channels.get(name);
  for (let t = 0; t < TURNS; t++) {
    const { turnId, responseId } = await publishTurn(channel, { text: `question ${t}`, turnId: `t${t}` });
    await streamResponse(
      channel,
      partStream([
        { type: 'reasoning-delta', text: 'Looking it up. ' },
        { type: 'tool-input-delta', toolCallId: `c${t}`, toolName: 'search', text: `{"q":"topic ${t}"}` },
        { type: 'tool-result', toolCallId: `c${t}`, toolName: 'search', output: { hits: [t, t + 1, t + 2] } },
        { type: 'text-delta', text: `Here is what I found about topic ${t}. ` },
        { type: 'text-delta', text: 'It is a short answer.' },
      ]),
      { turnId, responseId },
    );
  }
  const page = await channel.history({ limit: 1000 });
  let messages = page.items.length;
  for (let next = page; next.hasNext(); ) {
    next = (await next.next())!;
    messages += next.items.length;
  }

  async function read(pageTurns: number | undefined): Promise<number> {
    const client = new Ably.Realtime(options('reader'));
    await client.connection.whenState('connected');
    const store = createConversationStore();
    const startedAt = performance.now();
    const sync = connectChannel(client.channels.get(name), store, {
      strategy: 'history',
      ...(pageTurns ? { pageTurns, historyPageSize: 100 } : { historyPageSize: 100 }),
    });
    await sync.ready;
    const turns = store.getSnapshot().turns.length;
    const elapsed = performance.now() - startedAt;
    if (turns < (pageTurns ?? TURNS)) throw new Error(`read ${turns} turns`);
    sync.stop();
    store.dispose();
    client.close();
    return elapsed;
  }
  const first: number[] = [];
  const whole: number[] = [];
  await read(PAGE_TURNS); // warm-up
  await read(undefined);
  for (let round = 0; round < ROUNDS; round++) {
    first.push(await read(PAGE_TURNS));
    whole.push(await read(undefined));
  }
  agent.close();
  await emulator.stop();
  const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;
  return { firstPageMs: median(first), wholeMs: median(whole), messages };
}

export const CONVERSATION_TURNS = TURNS;
export const CONVERSATION_PAGE_TURNS = PAGE_TURNS;
