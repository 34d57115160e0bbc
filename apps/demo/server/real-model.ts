import { anthropic } from '@ai-sdk/anthropic';
import { openai } from '@ai-sdk/openai';
import { streamText } from 'ai';

/** A model call: the prompt in, a stream of text out. */
export type TextModel = (prompt: string, signal: AbortSignal) => AsyncIterable<string>;

/** A real model, when the environment names one. */
export interface RealModel {
  /** Shown in the UI, e.g. `openai:gpt-4o-mini`. */
  readonly label: string;
  readonly stream: TextModel;
}

const SYSTEM =
  'You are a helpful assistant in a chat demo. Answer in markdown; use code blocks, lists and tables where they help.';

/**
 * The real model to use, through the Vercel AI SDK, when `OPENAI_API_KEY` or `ANTHROPIC_API_KEY` is
 * set (OpenAI wins when both are). `DEMO_MODEL` overrides the model id. Returns undefined otherwise,
 * and the demo falls back to the simulated model.
 *
 * @example
 * ```ts
 * const real = realModelFromEnv(process.env);
 * if (real) for await (const text of real.stream('hi', new AbortController().signal)) console.log(text);
 * ```
 */
export function realModelFromEnv(env: NodeJS.ProcessEnv): RealModel | undefined {
  if (env.OPENAI_API_KEY) {
    const id = env.DEMO_MODEL ?? 'gpt-4o-mini';
    return {
      label: `openai:${id}`,
      stream: (prompt, signal) =>
        streamText({ model: openai(id), system: SYSTEM, prompt, abortSignal: signal }).textStream,
    };
  }
  if (env.ANTHROPIC_API_KEY) {
    const id = env.DEMO_MODEL ?? 'claude-haiku-4-5';
    return {
      label: `anthropic:${id}`,
      stream: (prompt, signal) =>
        streamText({ model: anthropic(id), system: SYSTEM, prompt, abortSignal: signal }).textStream,
    };
  }
  return undefined;
}
