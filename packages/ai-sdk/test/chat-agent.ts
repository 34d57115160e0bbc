/**
 * The agent of the useChat tests: answers the weather question with an AI SDK tool loop over a mock model, held
 * mid-answer until the test releases it, and "talk" with words until cancelled.
 */
// Relative paths: the Chromium run's global setup loads this without the workspace's `source` condition.

import type * as Ably from 'ably';
import { jsonSchema, stepCountIs, streamText, tool } from 'ai';
import { MockLanguageModelV4 } from 'ai/test';
import { fullStreamParts } from '../../agent/src/adapters/ai-sdk.js';
import { answerTurns } from '../../agent/src/index.js';

type ModelChunk =
  Awaited<ReturnType<MockLanguageModelV4['doStream']>>['stream'] extends ReadableStream<infer T> ? T : never;

export function gate() {
  let open!: () => void;
  const opened = new Promise<void>((resolve) => {
    open = resolve;
  });
  return { open, opened };
}

const PAUSE = Symbol('pause');

/** A model stream the test holds at PAUSE until `resume` opens. */
function heldStream(chunks: Array<ModelChunk | typeof PAUSE>, paused: () => void, resume: Promise<void>) {
  return new ReadableStream<ModelChunk>({
    async start(controller) {
      for (const chunk of chunks) {
        if (chunk === PAUSE) {
          paused();
          await resume;
        } else controller.enqueue(chunk);
      }
      controller.close();
    },
  });
}

const usage = {
  inputTokens: { total: 5, noCache: 5, cacheRead: 0, cacheWrite: 0 },
  outputTokens: { total: 7, text: 7, reasoning: 0 },
};
export const ANSWER = 'It is 18 °C in Paris, and sunny.';

/** The agent: a tool-using AI SDK answer for the weather question, an endless one for "talk". */
export function startAgent(channel: Ably.RealtimeChannel, midAnswer: ReturnType<typeof gate>, resume: Promise<void>) {
  const answering = answerTurns(channel, (turn) => {
    if (turn.text === 'talk') {
      return (async function* () {
        for (let n = 0; !turn.signal.aborted; n++) {
          yield `word${n} `;
          await new Promise((resolve) => setTimeout(resolve, 10));
        }
      })();
    }
    const model = new MockLanguageModelV4({
      doStream: [
        {
          stream: heldStream(
            [
              { type: 'reasoning-start', id: 'r' },
              { type: 'reasoning-delta', id: 'r', delta: 'Look it up.' },
              { type: 'reasoning-end', id: 'r' },
              { type: 'tool-call', toolCallId: 'call-1', toolName: 'weather', input: '{"city":"Paris"}' },
              { type: 'finish', finishReason: { unified: 'tool-calls', raw: undefined }, usage },
            ],
            () => {},
            Promise.resolve(),
          ),
        },
        {
          stream: heldStream(
            [
              { type: 'text-start', id: 't' },
              { type: 'text-delta', id: 't', delta: 'It is 18 °C ' },
              PAUSE,
              { type: 'text-delta', id: 't', delta: 'in Paris, ' },
              { type: 'text-delta', id: 't', delta: 'and sunny.' },
              { type: 'text-end', id: 't' },
              { type: 'finish', finishReason: { unified: 'stop', raw: 'stop' }, usage },
            ],
            midAnswer.open,
            resume,
          ),
        },
      ],
    });
    const weather = tool({
      inputSchema: jsonSchema<{ city: string }>({ type: 'object', properties: { city: { type: 'string' } } }),
      execute: async () => ({ celsius: 18 }),
    });
    const result = streamText({ model, prompt: turn.text, tools: { weather }, stopWhen: stepCountIs(2) });
    return fullStreamParts(result.fullStream);
  });
  return answering;
}
