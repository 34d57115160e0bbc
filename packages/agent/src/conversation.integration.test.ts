import {
  type ConversationStore,
  connectChannel,
  createConversationStore,
  type HydrationStrategy,
  publishCancel,
  publishRegenerate,
  publishTurn,
} from '@resumable/core';
import { type Emulator, startEmulator } from '@resumable/emulator';
import * as Ably from 'ably';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { answerTurns } from './answer-turns.js';
import { type PartEvent, partStream } from './part-events.js';
import { streamResponse } from './stream-response.js';

let emulator: Emulator;
const opened: Array<() => void> = [];
let counter = 0;
const channelName = () => `ai:conversation-test-${process.pid}-${++counter}`;

async function client(clientId: string, echo = true): Promise<Ably.Realtime> {
  const realtime = new Ably.Realtime({
    ...(emulator.clientOptions({ format: 'json', clientId }) as Ably.ClientOptions),
    echoMessages: echo,
    logLevel: 0,
  });
  opened.push(() => realtime.close());
  await realtime.connection.whenState('connected');
  return realtime;
}

async function reader(name: string, strategy: HydrationStrategy = 'history', realtime?: Ably.Realtime) {
  const store = createConversationStore();
  const sync = connectChannel((realtime ?? (await client('reader'))).channels.get(name), store, { strategy });
  opened.push(() => {
    sync.stop();
    store.dispose();
  });
  await sync.ready;
  return store as ConversationStore;
}

const eventually = (assertion: () => void) => vi.waitFor(assertion, { timeout: 10_000, interval: 10 });

/** A gate the test opens to let a generator go on. */
function gate() {
  let open!: () => void;
  const opened = new Promise<void>((resolve) => {
    open = resolve;
  });
  return { open, opened };
}

const SOURCE: PartEvent[] = [
  { type: 'reasoning-delta', text: 'The user asks ' },
  { type: 'reasoning-delta', text: 'for the weather.' },
  { type: 'tool-input-delta', toolCallId: 'c1', toolName: 'weather', text: '{"city":' },
  { type: 'tool-input-delta', toolCallId: 'c1', toolName: 'weather', text: '"Paris"}' },
  { type: 'tool-call', toolCallId: 'c1', toolName: 'weather', input: { city: 'Paris' } },
  { type: 'tool-result', toolCallId: 'c1', toolName: 'weather', output: { celsius: 18 } },
  { type: 'text-delta', text: 'It is 18 °C ' },
  { type: 'text-delta', text: 'in Paris.' },
  { type: 'finish' },
];

const EXPECTED_PARTS = [
  ['reasoning', 'The user asks for the weather.', undefined],
  ['tool-call', '{"city":"Paris"}', { city: 'Paris' }],
  ['tool-result', '{"celsius":18}', { celsius: 18 }],
  ['text', 'It is 18 °C in Paris.', undefined],
];

beforeAll(async () => {
  emulator = await startEmulator({ port: 0 });
});
afterEach(() => {
  for (const close of opened.splice(0)) close();
});
afterAll(async () => {
  await emulator?.stop();
});

describe.each(['message-per-response', 'message-per-token'] as const)('conversations, %s', (pattern) => {
  it('late join during reasoning, and a refresh mid-tool-call, both end with the source parts', async () => {
    const name = channelName();
    const agent = (await client('agent', false)).channels.get(name);
    const { turnId, responseId } = await publishTurn((await client('ann')).channels.get(name), { text: 'Weather?' });
    const inReasoning = gate();
    const inToolCall = gate();
    const joined = gate();
    const refreshed = gate();
    async function* model() {
      yield SOURCE[0]!;
      inReasoning.open();
      await joined.opened;
      for (const event of SOURCE.slice(1, 3)) yield event;
      inToolCall.open();
      await refreshed.opened;
      yield* SOURCE.slice(3);
    }
    const streaming = streamResponse(agent, partStream(model()), { pattern, responseId, turnId });
    await inReasoning.opened;
    await new Promise((resolve) => setTimeout(resolve, 50));
    const lateJoiner = await reader(name, 'rewind');
    joined.open();
    await inToolCall.opened;
    await new Promise((resolve) => setTimeout(resolve, 50));
    // A refresh: a brand-new client reading history while the tool call streams.
    const refreshedPage = await reader(name, 'history');
    refreshed.open();
    const result = await streaming;
    expect(result).toMatchObject({ status: 'complete', parts: 4, text: 'It is 18 °C in Paris.' });
    for (const store of [lateJoiner, refreshedPage]) {
      await eventually(() => expect(store.getResponse(responseId)?.status).toBe('complete'));
      const [turn] = store.getSnapshot().turns;
      expect(turn?.user?.text).toBe('Weather?');
      expect(turn?.responses.map((r) => r.responseId)).toEqual([responseId]);
      expect(store.getResponse(responseId)!.parts.map((part) => [part.kind, part.text, part.value])).toEqual(
        EXPECTED_PARTS,
      );
    }
  });

  it('a cancel published by a second client stops the agent within one round trip', async () => {
    const name = channelName();
    const agentChannel = (await client('agent', false)).channels.get(name);
    let produced = 0;
    const results: string[] = [];
    const answering = answerTurns(
      agentChannel,
      async function* (turn) {
        // An endless model: only a cancel ends it.
        while (!turn.signal.aborted) {
          produced++;
          yield `token ${produced} `;
          await new Promise((resolve) => setTimeout(resolve, 5));
        }
      },
      { pattern, onResult: (result) => results.push(result.status) },
    );
    opened.push(() => answering.stop());
    const store = await reader(name);
    const browser = (await client('ann')).channels.get(name);
    const { responseId } = await publishTurn(browser, { text: 'Tell me everything' });
    await eventually(() => expect(store.getResponse(responseId)?.status).toBe('streaming'));

    const other = (await client('bob')).channels.get(name);
    const before = produced;
    const sentAt = performance.now();
    await publishCancel(other, { responseId });
    await eventually(() => expect(results).toEqual(['cancelled']));
    const stoppedAfterMs = performance.now() - sentAt;
    await eventually(() => expect(store.getResponse(responseId)?.status).toBe('cancelled'));
    expect(store.getResponse(responseId)).toMatchObject({ cancelledBy: 'bob', cancelRequestedBy: 'bob' });
    // The agent stopped at once: a handful of 5 ms tokens at most, well within a 40 ms rollup plus a round trip.
    expect(produced - before).toBeLessThan(40);
    expect(stoppedAfterMs).toBeLessThan(1000);
    expect(answering.active.size).toBe(0);
  });

  it('a cancel that arrives before its turn (Stop over the channel, the turn through a server) still stops it', async () => {
    const name = channelName();
    const agentChannel = (await client('agent', false)).channels.get(name);
    let modelCalls = 0;
    const results: string[] = [];
    const answering = answerTurns(
      agentChannel,
      async function* (turn) {
        modelCalls++;
        while (!turn.signal.aborted) {
          yield 'token ';
          await new Promise((resolve) => setTimeout(resolve, 5));
        }
      },
      { pattern, onResult: (result) => results.push(result.status) },
    );
    opened.push(() => answering.stop());
    await agentChannel.whenState('attached');
    const store = await reader(name);
    const responseId = `early-${pattern}`;
    await publishCancel((await client('bob')).channels.get(name), { responseId });
    await publishTurn((await client('ann')).channels.get(name), { text: 'Tell me everything', responseId });
    await eventually(() => expect(results).toEqual(['cancelled']));
    await eventually(() =>
      expect(store.getResponse(responseId)).toMatchObject({ status: 'cancelled', cancelledBy: 'bob', text: '' }),
    );
    expect(modelCalls).toBe(0);
  });

  it.each(['transient disconnect', 'state loss'] as const)(
    'a %s mid-response ends with the source parts',
    async (fault) => {
      const name = channelName();
      const agent = (await client('agent', false)).channels.get(name);
      const { turnId, responseId } = await publishTurn((await client('ann')).channels.get(name), { text: 'Weather?' });
      const readerClient = await client('reader');
      const store = await reader(name, 'history', readerClient);
      const midway = gate();
      const resumed = gate();
      async function* model() {
        yield* SOURCE.slice(0, 3);
        midway.open();
        await resumed.opened;
        yield* SOURCE.slice(3);
      }
      const streaming = streamResponse(agent, partStream(model()), { pattern, responseId, turnId });
      await midway.opened;
      await eventually(() => expect(store.getResponse(responseId)?.parts.length).toBe(2));
      const id = readerClient.connection.id!;
      if (fault === 'transient disconnect') emulator.faults.dropConnections(id);
      else emulator.faults.expireConnections(id);
      resumed.open();
      await streaming;
      await eventually(() => expect(store.getResponse(responseId)?.status).toBe('complete'));
      expect(store.getResponse(responseId)!.parts.map((part) => [part.kind, part.text, part.value])).toEqual(
        EXPECTED_PARTS,
      );
      expect(store.getSnapshot().turns).toHaveLength(1);
      if (fault === 'state loss') await eventually(() => expect(store.getSnapshot().resyncCount).toBeGreaterThan(0));
    },
  );

  it('regenerate over the channel: the agent answers the turn again, the first answer stays as a sibling', async () => {
    const name = channelName();
    const answering = answerTurns(
      (await client('agent', false)).channels.get(name),
      (turn) => partStream([{ type: 'text-delta', text: `${turn.regenerate ? 'again' : 'first'}: ${turn.text}` }]),
      { pattern },
    );
    opened.push(() => answering.stop());
    const store = await reader(name);
    const browser = (await client('ann')).channels.get(name);
    const { turnId, responseId } = await publishTurn(browser, { text: 'hi' });
    await eventually(() => expect(store.getResponse(responseId)?.status).toBe('complete'));
    const second = await publishRegenerate(browser, { turnId });
    await eventually(() => expect(store.getResponse(second.responseId)?.status).toBe('complete'));
    const [turn] = store.getSnapshot().turns;
    expect(turn?.responses.map((response) => response.text)).toEqual(['first: hi', 'again: hi']);
    // The same turn published again (a retry) is not answered twice.
    await browser.publish({
      id: `${turnId}-retry`,
      name: 'turn',
      data: 'hi',
      extras: { headers: { turnId, responseId } },
    });
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(store.getSnapshot().turns[0]?.responses).toHaveLength(2);
  });
});
