import {
  type ConversationStore,
  connectChannel,
  createConversationStore,
  type HydrationStrategy,
  publishTurn,
} from '@resumable/core';
import { type Emulator, startEmulator } from '@resumable/emulator';
import * as Ably from 'ably';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { type PartEvent, type PartStream, partStream } from '../part-events.js';
import { streamResponse } from '../stream-response.js';
import {
  aiSdkStreamText,
  anthropicStep1,
  anthropicStep2,
  EXPECTED_PARTS,
  openaiChatStep1,
  openaiChatStep2,
  openaiResponsesStep1,
  openaiResponsesStep2,
  TOOL_RESULTS,
} from '../test-utils/model-fixtures.js';
import { fullStreamParts, uiMessageStreamParts } from './ai-sdk.js';
import { anthropicMessageParts } from './anthropic.js';
import { openaiChatParts, openaiResponsesParts } from './openai.js';

let emulator: Emulator;
const opened: Array<() => void> = [];
let counter = 0;

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

async function reader(name: string, strategy: HydrationStrategy): Promise<ConversationStore> {
  const store = createConversationStore();
  const sync = connectChannel((await client('reader')).channels.get(name), store, { strategy });
  opened.push(() => {
    sync.stop();
    store.dispose();
  });
  await sync.ready;
  return store;
}

const eventually = (assertion: () => void) => vi.waitFor(assertion, { timeout: 10_000, interval: 10 });

/** An agent loop: the model's first call, the app's tool results, the model's second call. */
async function* toolLoop(first: PartStream, second: PartStream): AsyncGenerator<PartEvent> {
  yield* first;
  yield* TOOL_RESULTS;
  yield* second;
}

interface Scenario {
  readonly name: string;
  readonly parts: () => PartStream;
  readonly finishReason: string;
  readonly usage: Record<string, number> | undefined;
}

const SCENARIOS: Scenario[] = [
  {
    name: 'AI SDK fullStream',
    parts: () => fullStreamParts(aiSdkStreamText().fullStream),
    finishReason: 'stop',
    usage: { inputTokens: 60, outputTokens: 18, totalTokens: 78, reasoningTokens: 0, cachedInputTokens: 0 },
  },
  {
    name: 'AI SDK UI message stream',
    parts: () => uiMessageStreamParts(aiSdkStreamText().toUIMessageStream({ sendReasoning: true })),
    finishReason: 'stop',
    usage: undefined,
  },
  {
    name: 'OpenAI Responses',
    parts: () =>
      partStream(
        toolLoop(
          openaiResponsesParts(toAsync(openaiResponsesStep1)),
          openaiResponsesParts(toAsync(openaiResponsesStep2)),
        ),
      ),
    finishReason: 'completed',
    usage: { inputTokens: 40, outputTokens: 18, totalTokens: 58, reasoningTokens: 6, cachedInputTokens: 8 },
  },
  {
    name: 'OpenAI Chat Completions',
    parts: () =>
      partStream(toolLoop(openaiChatParts(toAsync(openaiChatStep1)), openaiChatParts(toAsync(openaiChatStep2)))),
    finishReason: 'stop',
    usage: { inputTokens: 40, outputTokens: 18, totalTokens: 58 },
  },
  {
    name: 'Anthropic Messages',
    parts: () =>
      partStream(
        toolLoop(anthropicMessageParts(toAsync(anthropicStep1)), anthropicMessageParts(toAsync(anthropicStep2))),
      ),
    finishReason: 'end_turn',
    usage: { inputTokens: 40, outputTokens: 18, cachedInputTokens: 8 },
  },
];

/** A recorded stream, replayed the way an SDK's stream arrives: one event per tick. */
async function* toAsync<T>(events: readonly T[]): AsyncGenerator<T> {
  for (const event of events) {
    await Promise.resolve();
    yield event;
  }
}

/** Pass events through; after the first one `pauseAfter` accepts, wait for `resume`. */
async function* pausing(
  events: AsyncIterable<PartEvent>,
  pauseAfter: (event: PartEvent) => boolean,
  paused: () => void,
  resume: Promise<void>,
): AsyncGenerator<PartEvent> {
  let waited = false;
  for await (const event of events) {
    yield event;
    if (!waited && pauseAfter(event)) {
      waited = true;
      paused();
      await resume;
    }
  }
}

const partsOf = (store: ConversationStore, responseId: string) =>
  store.getResponse(responseId)?.parts.map((part) => [part.kind, part.text, part.value, part.toolCallId]);

beforeAll(async () => {
  emulator = await startEmulator({ port: 0 });
});
afterEach(() => {
  for (const close of opened.splice(0)) close();
});
afterAll(async () => {
  await emulator?.stop();
});

describe.each(SCENARIOS)('$name through the emulator', (scenario) => {
  it.each(['message-per-response', 'message-per-token'] as const)(
    '%s: live and refreshed-mid-tool-call readers end with every part, finish reason and usage',
    async (pattern) => {
      const name = `ai:adapter-test-${process.pid}-${++counter}`;
      const agent = (await client('agent', false)).channels.get(name);
      const { turnId, responseId } = await publishTurn((await client('ann')).channels.get(name), {
        text: 'Weather in Paris and Rome?',
      });
      const live = await reader(name, 'rewind');
      let paused!: () => void;
      const reachedSecondCall = new Promise<void>((resolve) => {
        paused = resolve;
      });
      let resume!: () => void;
      const resumed = new Promise<void>((resolve) => {
        resume = resolve;
      });
      // Pause once the second tool call's input has begun to stream: the refresh lands mid-tool-call.
      const midSecondCall = (event: PartEvent) =>
        event.type === 'tool-input-delta' && event.toolCallId === 'call_rome' && event.text !== '';
      const streaming = streamResponse(agent, partStream(pausing(scenario.parts(), midSecondCall, paused, resumed)), {
        pattern,
        responseId,
        turnId,
      });
      await reachedSecondCall;
      await eventually(() => {
        const call = live.getResponse(responseId)?.parts.find((part) => part.toolCallId === 'call_rome');
        expect(call?.text).toBe('{"city":');
      });
      const refreshed = await reader(name, 'history');
      const midway = refreshed.getResponse(responseId);
      expect(midway?.status).toBe('streaming');
      expect(midway?.parts.at(-1)).toMatchObject({ kind: 'tool-call', toolCallId: 'call_rome', done: false });
      resume();

      const result = await streaming;
      expect(result).toMatchObject({ status: 'complete', parts: 6, text: 'Paris is 18 °C, Rome is 24 °C.' });
      expect(result.finishReason).toBe(scenario.finishReason);
      expect(result.usage).toEqual(scenario.usage);
      for (const store of [live, refreshed]) {
        await eventually(() => expect(store.getResponse(responseId)?.status).toBe('complete'));
        expect(partsOf(store, responseId)).toEqual(EXPECTED_PARTS);
        const response = store.getResponse(responseId)!;
        expect(response.finishReason).toBe(scenario.finishReason);
        expect(response.usage).toEqual(scenario.usage);
        expect(store.getSnapshot().turns.map((turn) => turn.responses.length)).toEqual([1]);
      }
    },
  );
});
