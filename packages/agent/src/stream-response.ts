/**
 * streamResponse: the text driver (pull, write, settle, repair, end marker) with its argument checks. Part
 * streams are handed to `stream-parts.ts`. About 450 lines because the checks of every option (each with its
 * own error and hint) sit beside the one driver they guard.
 *
 * @module
 */
import {
  CANCELLED_BY_KEY,
  KIT_ERROR_CODES,
  RESPONSE_ID_HEADER,
  ResumableError,
  type TerminalStatus,
  TURN_ID_HEADER,
  textProof,
} from '@resumable/core';
import type * as Ably from 'ably';
import {
  connectionIdOf,
  isFatalPublishError,
  maxMessageSizeOf,
  mutableMessagesError,
  unpublishableReason,
  watchConnection,
} from './channel-access.js';
import { MessagePerResponseWriter } from './message-per-response.js';
import { MessagePerTokenWriter } from './message-per-token.js';
import { cancelledByOf, isPartStream, type PartStream } from './part-events.js';
import { PublishTracker } from './publish-tracker.js';
import { streamPartResponse } from './stream-parts.js';
import type { StreamEvent, StreamResponseOptions, StreamResult } from './types.js';
import { isHighSurrogate } from './utf8.js';
import type { ResponseWriter } from './writer.js';

/** Longest error reason written on the wire; the full error stays in the result. */
const MAX_REASON_LENGTH = 500;

type Interruption = { readonly kind: 'cancelled' } | { readonly kind: 'fatal'; readonly error: ResumableError };

/**
 * Stream a model's text into an Ably channel, message-per-response (default) or message-per-token, following
 * the kit's wire convention so that `@resumable/core` readers rebuild it live, on rewind and from history.
 *
 * Resolves when the response has ended on the channel: `'complete'` when the text stream finished, `'error'`
 * (with `result.error`) when the text stream threw, `'cancelled'` when `options.signal` aborted. Pieces that
 * failed to publish are made good with one full-text message before the end marker.
 *
 * Rejects with a {@link ResumableError} when the channel cannot carry the response: the mutable-messages rule
 * is missing (93002), a capability is missing (40160), the response would exceed the message size limit (40009,
 * raised before the message that would break it; the response is then ended with status `'error'`), the
 * connection is suspended, closed or failed (80002 / 80017 / 80000), or the arguments are invalid (40106).
 *
 * @example
 * ```ts
 * import * as Ably from 'ably';
 * import { streamText } from 'ai';
 * import { streamResponse } from '@resumable/agent';
 *
 * const client = new Ably.Realtime({ key: process.env.ABLY_API_KEY, echoMessages: false });
 * const channel = client.channels.get('ai:conversation-42');
 * const { textStream } = streamText({ model, prompt });
 * const result = await streamResponse(channel, textStream, { headers: { model: 'gpt-4o' } });
 * console.log(result.status, result.tokens, result.messagesPublished);
 * ```
 */
export async function streamResponse(
  channel: Ably.RealtimeChannel,
  text: AsyncIterable<string> | PartStream,
  options: StreamResponseOptions = {},
): Promise<StreamResult> {
  const startedAt = performance.now();
  const config = resolveOptions(channel, text, options);
  if (isPartStream(text)) return streamPartResponse(channel, text, config, options, startedAt);
  const { responseId, pattern, signal } = config;
  const emit = (event: StreamEvent) => {
    try {
      options.onEvent?.(event);
    } catch {
      // A broken progress hook must not break the stream.
    }
  };
  const finish = (fields: Omit<StreamResult, 'responseId' | 'pattern' | 'durationMs'>): StreamResult => ({
    responseId,
    pattern,
    ...fields,
    durationMs: performance.now() - startedAt,
  });

  const unusable = unpublishableReason(channel);
  if (unusable) throw unusable;
  if (signal?.aborted) {
    emit({ type: 'end', responseId, status: 'cancelled' });
    return finish({ status: 'cancelled', tokens: 0, messagesPublished: 0, failuresRepaired: 0, text: '' });
  }

  let interruption: Interruption | undefined;
  /** Wakes the pull in progress, if any (one short-lived promise per pull, so nothing piles up on long streams). */
  let wakePull: ((why: Interruption) => void) | undefined;
  const interrupt = (why: Interruption) => {
    interruption ??= why;
    wakePull?.(interruption);
  };
  const toError = (cause: unknown) =>
    (cause as { code?: unknown } | null)?.code === 93002
      ? mutableMessagesError(channel.name, cause)
      : ResumableError.from(cause);
  const tracker = new PublishTracker((error, fatal) => {
    emit({ type: 'publish-failed', responseId, error });
    if (fatal) interrupt({ kind: 'fatal', error });
  }, toError);
  const maxMessageSize = () => config.maxMessageSize ?? maxMessageSizeOf(channel);
  const writer: ResponseWriter =
    pattern === 'message-per-token'
      ? new MessagePerTokenWriter(channel, config.headers, tracker, maxMessageSize, config.batchMs)
      : new MessagePerResponseWriter(channel, config.headers, tracker, maxMessageSize);

  const onAbort = () => interrupt({ kind: 'cancelled' });
  signal?.addEventListener('abort', onAbort, { once: true });
  const stopWatching = watchConnection(channel, (error) => interrupt({ kind: 'fatal', error }));
  try {
    const serial = await writer.begin();
    const connectionAtStart = connectionIdOf(channel);
    emit({ type: 'start', responseId, serial });

    const read = await readText(text, {
      writer,
      signal,
      interruption: () => interruption,
      onPull: (wake) => {
        wakePull = wake;
      },
      onToken: (chunk, index) => emit({ type: 'token', responseId, text: chunk, index }),
    });
    const { published, tokens, status, streamError } = read;
    let { fatal } = read;

    await writer.settle();
    fatal ??= tracker.fatal;
    if (fatal) {
      if (await endAfterFatal(writer, fatal, tracker.failures.length > 0 ? published : undefined)) {
        emit({ type: 'end', responseId, status: 'error', reason: truncate(fatal.message) });
      }
      throw fatal;
    }

    const failures = tracker.failures.length;
    // After a failed resume the SDK sends unacknowledged messages again on the new connection; one that had
    // been applied before the old connection went away is then applied twice. Only a full-text repair is sure.
    const connectionReplaced = connectionAtStart !== undefined && connectionIdOf(channel) !== connectionAtStart;
    if (failures > 0 || connectionReplaced) {
      try {
        await retrying(() => writer.repair(published, status));
      } catch (cause) {
        const error = toError(cause);
        // The text on the channel is incomplete: say so rather than leave readers waiting.
        const reason = truncate(`The text on the channel could not be repaired: ${error.message}`);
        await writer.end('error', reason).then(
          () => emit({ type: 'end', responseId, status: 'error', reason }),
          () => {},
        );
        throw error;
      }
      emit({ type: 'repaired', responseId, failures, connectionReplaced });
    }
    const reason = streamError ? truncate(streamError.message) : undefined;
    const by = status === 'cancelled' ? cancelledByOf(signal) : undefined;
    // The end marker proves the text readers should hold (see the core README, "The text's proof").
    const extra = { ...textProof(published), ...(by === undefined ? {} : { [CANCELLED_BY_KEY]: by }) };
    await retrying(() => writer.end(status, reason, extra));
    emit({ type: 'end', responseId, status, ...(reason !== undefined ? { reason } : {}) });
    return finish({
      serial,
      status,
      ...(streamError ? { error: streamError } : {}),
      tokens,
      messagesPublished: tracker.acknowledged,
      failuresRepaired: failures,
      text: published,
    });
  } catch (cause) {
    throw cause instanceof ResumableError ? cause : toError(cause);
  } finally {
    signal?.removeEventListener('abort', onAbort);
    stopWatching();
  }
}

interface ResolvedOptions {
  readonly pattern: NonNullable<StreamResponseOptions['pattern']>;
  readonly responseId: string;
  readonly headers: Record<string, string>;
  readonly signal: AbortSignal | undefined;
  readonly batchMs: number;
  readonly maxMessageSize: number | undefined;
}

function invalid(message: string, hint: string): ResumableError {
  return new ResumableError(KIT_ERROR_CODES.invalidOptions, message, hint);
}

function resolveOptions(
  channel: Ably.RealtimeChannel,
  text: AsyncIterable<string> | PartStream,
  options: StreamResponseOptions,
): ResolvedOptions {
  if (
    typeof channel !== 'object' ||
    channel === null ||
    typeof channel.publish !== 'function' ||
    typeof channel.appendMessage !== 'function'
  ) {
    throw invalid(
      'streamResponse needs an Ably RealtimeChannel as its first argument.',
      'Pass client.channels.get("ai:<conversation>") from an Ably.Realtime client (ably 2.28 or later).',
    );
  }
  if (typeof (channel as { subscribe?: unknown }).subscribe !== 'function') {
    throw invalid(
      `Channel "${channel.name}" belongs to a REST client; streaming needs a Realtime channel.`,
      'Over REST, un-awaited appends may be applied out of order. Use new Ably.Realtime({ ..., echoMessages: false }).channels.get(name).',
    );
  }
  if (typeof (text as { [Symbol.asyncIterator]?: unknown } | null)?.[Symbol.asyncIterator] !== 'function') {
    throw invalid(
      'streamResponse needs an AsyncIterable<string> as its second argument.',
      "Pass the model's text stream, e.g. the Vercel AI SDK's result.textStream or an async generator yielding text deltas.",
    );
  }
  const pattern = options.pattern ?? 'message-per-response';
  if (pattern !== 'message-per-response' && pattern !== 'message-per-token') {
    throw invalid(
      `Unknown pattern "${String(pattern)}".`,
      'Use "message-per-response" (default) or "message-per-token".',
    );
  }
  const responseId = options.responseId ?? globalThis.crypto.randomUUID();
  if (typeof responseId !== 'string' || responseId === '') {
    throw invalid('options.responseId must be a non-empty string.', 'Leave it out to get a random UUID.');
  }
  const headers: Record<string, string> = {};
  for (const [key, value] of Object.entries(options.headers ?? {})) {
    if (typeof value !== 'string') {
      throw invalid(
        `Header "${key}" is ${describeValue(value)}; headers must be strings.`,
        'Convert header values with String(value) or JSON.stringify(value).',
      );
    }
    headers[key] = value;
  }
  headers[RESPONSE_ID_HEADER] = responseId;
  if (options.turnId !== undefined) {
    if (typeof options.turnId !== 'string' || options.turnId === '') {
      throw invalid('options.turnId must be a non-empty string.', 'Pass the turnId of the turn this response answers.');
    }
    headers[TURN_ID_HEADER] = options.turnId;
  }
  const batchMs = options.batchMs ?? 0;
  if (!Number.isFinite(batchMs) || batchMs < 0) {
    throw invalid(`options.batchMs must be a finite number >= 0, got ${batchMs}.`, 'Use 0 (no batching) or e.g. 50.');
  }
  const { maxMessageSize } = options;
  if (maxMessageSize !== undefined && (!Number.isFinite(maxMessageSize) || maxMessageSize <= 0)) {
    throw invalid(
      `options.maxMessageSize must be a positive number of bytes, got ${maxMessageSize}.`,
      "Leave it out to use the connection's limit (65536 by default).",
    );
  }
  if (options.signal !== undefined && !(options.signal instanceof AbortSignal)) {
    throw invalid('options.signal must be an AbortSignal.', 'Pass controller.signal from an AbortController.');
  }
  return { pattern, responseId, headers, signal: options.signal, batchMs, maxMessageSize };
}

function textStreamError(cause: unknown): ResumableError {
  const message = cause instanceof Error ? cause.message : String(cause);
  return new ResumableError(
    KIT_ERROR_CODES.unknown,
    `The text stream failed: ${message}`,
    'The response was ended with status "error" and keeps the text received before the failure; see the cause.',
    undefined,
    { cause },
  );
}

function describeValue(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  return typeof value === 'object' ? 'an object' : `a ${typeof value}`;
}

function truncate(reason: string): string {
  return reason.length > MAX_REASON_LENGTH ? `${reason.slice(0, MAX_REASON_LENGTH - 1)}…` : reason;
}

/** Pauses before the second and third attempt of a repair or end marker. */
const RETRY_DELAYS_MS = [100, 400];

/**
 * Run a closing operation (repair, end marker), trying again after a transient failure such as a rate limit:
 * these are single messages, and losing one would leave the response unrepaired or never ended.
 */
async function retrying(operation: () => Promise<void>): Promise<void> {
  for (let attempt = 0; ; attempt++) {
    try {
      return await operation();
    } catch (error) {
      const delay = RETRY_DELAYS_MS[attempt];
      if (delay === undefined || (error instanceof ResumableError && isFatalPublishError(error))) throw error;
      await new Promise((resolve) => setTimeout(resolve, delay));
    }
  }
}

/**
 * Best effort after a fatal failure: repair (when `repairText` is given) and end the response with status
 * `'error'`, so readers do not see it streaming forever. Skipped when nothing more can reach the channel
 * (rule missing, connection gone). Returns whether the end marker was published; failures are dropped, the
 * fatal error says more.
 */
async function endAfterFatal(
  writer: ResponseWriter,
  fatal: ResumableError,
  repairText: string | undefined,
): Promise<boolean> {
  const channelUnusable = fatal.code === 93002 || (fatal.code >= 80000 && fatal.code < 80100);
  if (channelUnusable) return false;
  if (repairText !== undefined) await writer.repair(repairText, 'error').catch(() => {});
  return writer.end('error', truncate(fatal.message)).then(
    () => true,
    () => false,
  );
}

interface ReadContext {
  readonly writer: ResponseWriter;
  readonly signal: AbortSignal | undefined;
  /** Why streaming must stop, once something (abort, fatal failure, lost connection) said so. */
  readonly interruption: () => Interruption | undefined;
  /** Receives the function that wakes the pull in progress; undefined between pulls. */
  readonly onPull: (wake: ((why: Interruption) => void) | undefined) => void;
  readonly onToken: (chunk: string, index: number) => void;
}

interface ReadOutcome {
  /** What was handed to the writer, exactly as the stream produced it. */
  readonly published: string;
  readonly tokens: number;
  readonly status: TerminalStatus;
  readonly streamError: ResumableError | undefined;
  readonly fatal: ResumableError | undefined;
}

/** Pull the text stream into the writer until it ends, fails, or streaming is interrupted. */
async function readText(text: AsyncIterable<string>, context: ReadContext): Promise<ReadOutcome> {
  const { writer, signal } = context;
  let published = '';
  let heldBack = '';
  let tokens = 0;
  let status: TerminalStatus = 'complete';
  let streamError: ResumableError | undefined;
  let fatal: ResumableError | undefined;

  const iterator = iteratorOf(text);
  let exhausted = false;
  while (true) {
    // Checked before pulling, so an abort or failure that came in meanwhile costs no further model output.
    const outcome = context.interruption() ?? (await pull(iterator, context.onPull));
    context.onPull(undefined);
    if (outcome.kind === 'cancelled') {
      status = 'cancelled';
      break;
    }
    if (outcome.kind === 'fatal') {
      fatal = outcome.error;
      break;
    }
    if (outcome.kind === 'threw') {
      exhausted = true;
      if (signal?.aborted) status = 'cancelled';
      else {
        status = 'error';
        streamError = textStreamError(outcome.cause);
      }
      break;
    }
    if (outcome.step.done) {
      exhausted = true;
      break;
    }
    const chunk: unknown = outcome.step.value;
    if (typeof chunk !== 'string') {
      status = 'error';
      streamError = new ResumableError(
        KIT_ERROR_CODES.invalidOptions,
        `The text stream yielded ${describeValue(chunk)} where a string was expected.`,
        'Pass an AsyncIterable<string>: map the model stream to its text deltas (see the @resumable/agent README).',
      );
      break;
    }
    if (chunk === '') continue;
    tokens++;
    context.onToken(chunk, tokens - 1);
    // A surrogate pair split across chunks is sent whole, so every fragment on the wire is valid UTF-8.
    let piece = heldBack + chunk;
    heldBack = '';
    if (isHighSurrogate(piece.charCodeAt(piece.length - 1))) {
      heldBack = piece.slice(-1);
      piece = piece.slice(0, -1);
    }
    if (piece === '') continue;
    fatal = writer.write(piece);
    if (fatal) break;
    published += piece;
  }
  if (heldBack !== '' && !fatal) {
    // The stream ended on half a pair: send it as it is, the text must stay what the stream produced.
    fatal = writer.write(heldBack);
    if (!fatal) published += heldBack;
  }
  if (!exhausted) closeQuietly(iterator);
  return { published, tokens, status, streamError, fatal };
}

type PullOutcome =
  | Interruption
  | { readonly kind: 'step'; readonly step: IteratorResult<string> }
  | { readonly kind: 'threw'; readonly cause: unknown };

/** The next chunk, or an interruption handed to `wake` while the model is still producing it. */
function pull(iterator: AsyncIterator<string>, onWake: (wake: (why: Interruption) => void) => void) {
  return new Promise<PullOutcome>((resolve) => {
    onWake(resolve);
    try {
      Promise.resolve(iterator.next()).then(
        (step) => resolve({ kind: 'step', step }),
        (cause: unknown) => resolve({ kind: 'threw', cause }),
      );
    } catch (cause) {
      resolve({ kind: 'threw', cause });
    }
  });
}

/** The stream's iterator; one whose creation throws fails on the first pull, like any other stream error. */
function iteratorOf(text: AsyncIterable<string>): AsyncIterator<string> {
  try {
    return text[Symbol.asyncIterator]();
  } catch (cause) {
    return { next: () => Promise.reject(cause) };
  }
}

function closeQuietly(iterator: AsyncIterator<string>): void {
  // Not awaited: a generator blocked on the model would hold up the end marker.
  try {
    iterator.return?.()?.catch(() => {});
  } catch {
    // Closing is a courtesy to the producer.
  }
}
