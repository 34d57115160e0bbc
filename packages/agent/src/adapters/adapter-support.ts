/**
 * What the model SDK adapters share: reading a ReadableStream or an async iterable, token usage with the kit's
 * names, tool input parsing, and the tool-call bookkeeping that keeps each call one part.
 *
 * @module
 */
import { KIT_ERROR_CODES, ResumableError, type TokenUsage } from '@resumable/core';
import type { PartEvent } from '../part-events.js';

/**
 * A stream an SDK hands out: a web ReadableStream or anything async iterable.
 *
 * @example
 * ```ts
 * const source: SdkStream<UIMessageChunk> = result.toUIMessageStream();
 * ```
 */
export type SdkStream<T> = AsyncIterable<T> | ReadableStream<T>;

/**
 * Iterate a web ReadableStream or an async iterable; releases the reader when the loop stops early.
 *
 * @example
 * ```ts
 * for await (const chunk of eventsOf(result.fullStream, 'fullStreamParts')) console.log(chunk.type);
 * ```
 */
export async function* eventsOf<T>(source: SdkStream<T>, adapter: string): AsyncGenerator<T> {
  if (typeof (source as AsyncIterable<T>)?.[Symbol.asyncIterator] === 'function') {
    yield* source as AsyncIterable<T>;
    return;
  }
  if (typeof (source as ReadableStream<T>)?.getReader !== 'function') {
    throw new ResumableError(
      KIT_ERROR_CODES.invalidOptions,
      `${adapter} needs the SDK's event stream (a ReadableStream or an async iterable).`,
      'Pass the stream the SDK returned, e.g. result.fullStream or the value of client.responses.create({ stream: true }).',
    );
  }
  const reader = (source as ReadableStream<T>).getReader();
  try {
    while (true) {
      const { done, value } = await reader.read();
      if (done) return;
      yield value;
    }
  } finally {
    // An early stop (cancel, error) releases the SDK's stream instead of leaving it open.
    await reader.cancel().catch(() => {});
  }
}

/**
 * Token usage with the kit's names, keeping only the counts that are numbers.
 *
 * @example
 * ```ts
 * usageFrom({ inputTokens: 12, outputTokens: 40, reasoningTokens: undefined }); // { inputTokens: 12, outputTokens: 40 }
 * ```
 */
export function usageFrom(counts: Record<string, number | null | undefined>): TokenUsage | undefined {
  const usage: Record<string, number> = {};
  for (const [name, value] of Object.entries(counts)) {
    if (typeof value === 'number' && Number.isFinite(value)) usage[name] = value;
  }
  return Object.keys(usage).length > 0 ? usage : undefined;
}

/**
 * Tool input as streamed JSON text, parsed; the text itself when it is not JSON (the part keeps it either way).
 *
 * @example
 * ```ts
 * parseToolInput('{"city":"Paris"}'); // { city: 'Paris' }
 * parseToolInput(''); // {}
 * ```
 */
export function parseToolInput(text: string): unknown {
  if (text.trim() === '') return {};
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

/**
 * A short, readable error text from whatever an SDK reported.
 *
 * @example
 * ```ts
 * errorText(new Error('offline')); // 'offline'
 * ```
 */
export function errorText(error: unknown): string {
  if (error instanceof Error) return error.message;
  if (typeof error === 'string') return error;
  const message = (error as { message?: unknown } | null)?.message;
  if (typeof message === 'string') return message;
  try {
    return JSON.stringify(error) ?? String(error);
  } catch {
    return String(error);
  }
}

/**
 * The complete-call event of a tool call (the driver skips it when the call's input already streamed).
 *
 * @example
 * ```ts
 * toolCall('c1', 'weather', { city: 'Paris' }); // { type: 'tool-call', toolCallId: 'c1', ... }
 * ```
 */
export function toolCall(toolCallId: string, toolName: string, input: unknown): PartEvent {
  return { type: 'tool-call', toolCallId, toolName, input };
}
