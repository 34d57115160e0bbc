import { anthropic } from '@ai-sdk/anthropic';
import { openai } from '@ai-sdk/openai';
import type { PartEvent } from '@resumable/agent';
import { fullStreamParts } from '@resumable/agent/ai-sdk';
import { streamText } from 'ai';

/** A model call: the prompt in, the model's part events out (text, reasoning, tool calls, finish with usage). */
export type PartModel = (prompt: string, signal: AbortSignal) => AsyncIterable<PartEvent>;

/** A real model, when the environment names one. */
export interface RealModel {
  /** Shown in the UI, e.g. `openai:gpt-4o-mini`. */
  readonly label: string;
  readonly stream: PartModel;
}

const SYSTEM =
  'You are a helpful assistant in a chat demo. Answer in markdown; use code blocks, lists and tables where they help.';

/**
 * The real model to use, through the Vercel AI SDK, when `OPENAI_API_KEY` or `ANTHROPIC_API_KEY` is
 * set (OpenAI wins when both are), read through `@resumable/agent/ai-sdk`'s `fullStreamParts` so reasoning,
 * tool calls and usage reach the channel as parts. `DEMO_MODEL` overrides the model id. Returns undefined
 * otherwise, and the demo falls back to the simulated model.
 *
 * @example
 * ```ts
 * const real = realModelFromEnv(process.env);
 * if (real) for await (const event of real.stream('hi', new AbortController().signal)) console.log(event.type);
 * ```
 */
export function realModelFromEnv(env: NodeJS.ProcessEnv): RealModel | undefined {
  if (env.OPENAI_API_KEY) {
    const id = env.DEMO_MODEL ?? 'gpt-4o-mini';
    return {
      label: `openai:${id}`,
      stream: (prompt, signal) =>
        fullStreamParts(streamText({ model: openai(id), system: SYSTEM, prompt, abortSignal: signal }).fullStream),
    };
  }
  if (env.ANTHROPIC_API_KEY) {
    const id = env.DEMO_MODEL ?? 'claude-haiku-4-5';
    return {
      label: `anthropic:${id}`,
      stream: (prompt, signal) =>
        fullStreamParts(streamText({ model: anthropic(id), system: SYSTEM, prompt, abortSignal: signal }).fullStream),
    };
  }
  return undefined;
}
