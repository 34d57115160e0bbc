/**
 * The driver for structured responses: a stream of part events written as the kit's conversation convention
 * (package README of @resumable/core, "Conversations"). Each part is its own message-per-response message, or
 * tokens carrying the part's headers; the pending appends of one part are awaited before the next part starts,
 * failed pieces are repaired per part, and one end marker closes the response.
 *
 * @module
 */
import {
  CANCELLED_BY_KEY,
  FINISH_REASON_KEY,
  KIT_ERROR_CODES,
  ResumableError,
  type TerminalStatus,
  type TokenUsage,
  USAGE_KEY,
} from '@resumable/core';
import type * as Ably from 'ably';
import {
  connectionIdOf,
  maxMessageSizeOf,
  mutableMessagesError,
  unpublishableReason,
  watchConnection,
} from './channel-access.js';
import { MessagePerResponseWriter } from './message-per-response.js';
import { MessagePerTokenWriter } from './message-per-token.js';
import { cancelledByOf, type PartEvent, type PartPiece, type PartStream, partHeaders, pieceOf } from './part-events.js';
import { PublishTracker } from './publish-tracker.js';
import type { StreamEvent, StreamResponseOptions, StreamResult } from './types.js';

/** Longest error reason written on the wire; the full error stays in the result. */
const MAX_REASON_LENGTH = 500;

/** What the driver needs from streamResponse's resolved options. */
export interface PartDriverConfig {
  readonly pattern: 'message-per-response' | 'message-per-token';
  readonly headers: Record<string, string>;
  readonly signal: AbortSignal | undefined;
  readonly maxMessageSize: number | undefined;
  readonly batchMs: number;
}

/** How a part stream went. */
export interface PartOutcome {
  readonly serial: string | undefined;
  readonly status: TerminalStatus;
  readonly error?: ResumableError;
  readonly tokens: number;
  readonly parts: number;
  readonly messagesPublished: number;
  readonly failuresRepaired: number;
  /** The text parts joined. */
  readonly text: string;
  readonly finishReason?: string;
  readonly usage?: TokenUsage;
}

/** Longest finish reason written on the end marker. */
const MAX_FINISH_REASON_LENGTH = 100;

/** The finish reason and usage a stream reported, gathered for the end marker. */
class FinishRecord {
  reason: string | undefined;
  usage: Record<string, number> | undefined;

  /** A step adds its usage to the sum; the final `finish` replaces it. */
  record(event: { finishReason?: unknown; usage?: unknown }, replace: boolean): void {
    if (typeof event.finishReason === 'string' && event.finishReason !== '') {
      this.reason = event.finishReason.slice(0, MAX_FINISH_REASON_LENGTH);
    }
    const usage = event.usage;
    if (typeof usage !== 'object' || usage === null) return;
    const sum: Record<string, number> = replace ? {} : { ...this.usage };
    for (const [name, value] of Object.entries(usage)) {
      if (typeof value === 'number' && Number.isFinite(value) && value >= 0) sum[name] = (sum[name] ?? 0) + value;
    }
    this.usage = Object.keys(sum).length > 0 ? sum : this.usage;
  }

  /** End-marker metadata. */
  metadata(): Record<string, string> {
    const metadata: Record<string, string> = {};
    if (this.reason !== undefined) metadata[FINISH_REASON_KEY] = this.reason;
    if (this.usage) metadata[USAGE_KEY] = JSON.stringify(this.usage);
    return metadata;
  }
}

interface OpenPart {
  readonly index: number;
  readonly piece: PartPiece;
  readonly tracker: PublishTracker;
  readonly writer: MessagePerResponseWriter | undefined;
  text: string;
  closed: boolean;
}

function modelError(cause: unknown): ResumableError {
  const message = cause instanceof Error ? cause.message : String(cause);
  return new ResumableError(
    KIT_ERROR_CODES.unknown,
    `The model stream failed: ${message}`,
    'The response was ended with status "error" and keeps the parts received before the failure.',
    undefined,
    { cause },
  );
}

/**
 * Write a stream of part events into the channel. Rejects (like streamResponse) when the channel cannot carry
 * the response; resolves with the outcome otherwise.
 *
 * @example
 * ```ts
 * const outcome = await streamParts(channel, events, { pattern: 'message-per-response', headers, signal, maxMessageSize: undefined, batchMs: 0 });
 * ```
 */
export async function streamParts(
  channel: Ably.RealtimeChannel,
  events: AsyncIterable<PartEvent>,
  config: PartDriverConfig,
): Promise<PartOutcome> {
  const toError = (cause: unknown) =>
    (cause as { code?: unknown } | null)?.code === 93002
      ? mutableMessagesError(channel.name, cause)
      : ResumableError.from(cause);
  const maxSize = () => config.maxMessageSize ?? maxMessageSizeOf(channel);
  let acknowledged = 0;
  let repaired = 0;
  let tokens = 0;
  let text = '';
  let serial: string | undefined;
  let fatal: ResumableError | undefined;
  const newTracker = () =>
    new PublishTracker((error, isFatal) => {
      if (isFatal) fatal ??= error;
    }, toError);
  // Message-per-token: one writer (start, tokens of every part, stop).
  const tokenTracker = newTracker();
  const tokenWriter =
    config.pattern === 'message-per-token'
      ? new MessagePerTokenWriter(channel, config.headers, tokenTracker, maxSize, config.batchMs)
      : undefined;
  if (tokenWriter) serial = await tokenWriter.begin();
  const connectionAtStart = connectionIdOf(channel);
  /**
   * After a failed resume the SDK sends unacknowledged messages again on the new connection, so a piece may be
   * applied twice: as with text streams, only a full-text repair of the part is sure.
   */
  const connectionReplaced = () => connectionAtStart !== undefined && connectionIdOf(channel) !== connectionAtStart;
  const finish = new FinishRecord();
  /** Tool calls that have a part already: their complete `tool-call` event adds nothing. */
  const streamedCalls = new Set<string>();
  let current: OpenPart | undefined;
  let lastWriter: MessagePerResponseWriter | undefined;
  let count = 0;

  /** Settle a part's pending publishes and repair it when some failed (the next part must not race it). */
  async function closePart(part: OpenPart): Promise<void> {
    if (part.closed) return;
    part.closed = true;
    if (tokenWriter) {
      // An empty part still shows on the wire: one empty token names it.
      if (part.text === '') tokenWriter.write('');
      const before = tokenTracker.failures.length;
      await tokenWriter.settle();
      if ((tokenTracker.failures.length > before || connectionReplaced()) && !fatal) {
        await tokenWriter.repair(part.text, 'complete');
        repaired += tokenTracker.failures.length - before;
      }
      return;
    }
    await part.writer!.settle();
    acknowledged += part.tracker.acknowledged;
    if ((part.tracker.failures.length > 0 || connectionReplaced()) && !fatal) {
      await part.writer!.repair(part.text, 'complete');
      repaired += part.tracker.failures.length;
    }
  }

  async function openPart(piece: PartPiece): Promise<OpenPart> {
    const index = count++;
    const headers = { ...config.headers, ...partHeaders(index, piece) };
    if (tokenWriter) {
      tokenWriter.usePart(partHeaders(index, piece));
      return { index, piece, tracker: tokenTracker, writer: undefined, text: '', closed: false };
    }
    const tracker = newTracker();
    const writer = new MessagePerResponseWriter(channel, headers, tracker, maxSize);
    const created = await writer.begin();
    serial ??= created;
    lastWriter = writer;
    return { index, piece, tracker, writer, text: '', closed: false };
  }

  let status: TerminalStatus = 'complete';
  let streamError: ResumableError | undefined;
  const iterator = events[Symbol.asyncIterator]();
  // One short-lived promise per pull, woken by an abort (nothing piles up on a long stream).
  let wake: ((outcome: 'aborted' | 'fatal') => void) | undefined;
  const onAbort = () => wake?.('aborted');
  config.signal?.addEventListener('abort', onAbort, { once: true });
  // A connection that is gone (suspended, closed, failed) stops the stream at once, as with text streams.
  const stopWatching = watchConnection(channel, (error) => {
    fatal ??= error;
    wake?.('fatal');
  });
  const pull = () =>
    new Promise<IteratorResult<PartEvent> | 'aborted' | 'fatal' | { threw: unknown }>((resolve) => {
      if (config.signal?.aborted) return resolve('aborted');
      wake = resolve;
      Promise.resolve()
        .then(() => iterator.next())
        .then(resolve, (cause: unknown) => resolve({ threw: cause }));
    });
  try {
    while (!fatal) {
      const step = await pull();
      wake = undefined;
      if (step === 'fatal') break;
      if (step === 'aborted') {
        status = 'cancelled';
        void Promise.resolve(iterator.return?.()).catch(() => {});
        break;
      }
      if ('threw' in step) {
        status = 'error';
        streamError = modelError(step.threw);
        break;
      }
      if (step.done) break;
      const event = step.value;
      if (event?.type === 'finish') {
        finish.record(event, event.usage !== undefined);
        break;
      }
      if (event?.type === 'step-finish') {
        finish.record(event, false);
        continue;
      }
      if (event?.type === 'error') {
        status = 'error';
        streamError = modelError(event.error);
        break;
      }
      const piece = event ? pieceOf(event) : undefined;
      if (!piece) continue;
      const continues = current && !current.closed && current.piece.key === piece.key;
      if (event.type === 'tool-call' && (continues || streamedCalls.has(piece.key))) {
        // The streamed input is the call's JSON already: the complete call only closes the part (or, when a
        // later part has started, is already in the channel: a second part for it would be a duplicate).
        if (continues) await closePart(current!);
        continue;
      }
      if (!continues) {
        if (current) await closePart(current);
        current = await openPart(piece);
        if (piece.kind === 'tool-call') streamedCalls.add(piece.key);
      }
      const part = current!;
      if (piece.text !== '') {
        const oversize = part.writer ? part.writer.write(piece.text) : tokenWriter!.write(piece.text);
        if (oversize) {
          fatal = oversize;
          break;
        }
        tokens++;
        part.text += piece.text;
        if (piece.kind === 'text') text += piece.text;
      }
      if (piece.closes) await closePart(part);
    }
    if (current) await closePart(current);
    if (fatal) throw fatal;
    if (!tokenWriter && !lastWriter) {
      // Nothing streamed: an empty text part carries the end marker, so readers see the response end.
      current = await openPart({ kind: 'text', key: 'text', headers: { partKind: 'text' }, text: '', closes: true });
    }
    const extra: Record<string, string> = finish.metadata();
    const by = status === 'cancelled' ? cancelledByOf(config.signal) : undefined;
    if (by !== undefined) extra[CANCELLED_BY_KEY] = by;
    const reason = streamError?.message.slice(0, MAX_REASON_LENGTH);
    if (tokenWriter) await tokenTracker.run(() => tokenWriter.end(status, reason, extra));
    else await lastWriter!.end(status, reason, extra);
    acknowledged += tokenWriter ? tokenTracker.acknowledged : 1;
    return {
      serial,
      status,
      ...(streamError ? { error: streamError } : {}),
      tokens,
      parts: count,
      messagesPublished: acknowledged,
      failuresRepaired: repaired,
      text,
      ...(finish.reason !== undefined ? { finishReason: finish.reason } : {}),
      ...(finish.usage ? { usage: Object.freeze({ ...finish.usage }) } : {}),
    };
  } catch (cause) {
    const error = cause instanceof ResumableError ? cause : toError(cause);
    // Best effort: end the response with `error` so readers are not left waiting.
    const ender = tokenWriter ?? lastWriter;
    if (ender && error.code !== 93002 && !(error.code >= 80000 && error.code < 80100)) {
      await ender.end('error', error.message.slice(0, MAX_REASON_LENGTH)).catch(() => {});
    }
    throw error;
  } finally {
    stopWatching();
    config.signal?.removeEventListener('abort', onAbort);
  }
}

/**
 * streamResponse for a part stream: the same checks, events and result as for a text stream.
 *
 * @example
 * ```ts
 * const result = await streamPartResponse(channel, partStream(events), config, options, performance.now());
 * ```
 */
export async function streamPartResponse(
  channel: Ably.RealtimeChannel,
  events: PartStream,
  config: PartDriverConfig & { readonly responseId: string },
  options: StreamResponseOptions,
  startedAt: number,
): Promise<StreamResult> {
  const { responseId, pattern } = config;
  const unusable = unpublishableReason(channel);
  if (unusable) throw unusable;
  const emit = (event: StreamEvent) => {
    try {
      options.onEvent?.(event);
    } catch {
      // A broken progress hook must not break the stream.
    }
  };
  if (config.signal?.aborted) {
    emit({ type: 'end', responseId, status: 'cancelled' });
    return {
      responseId,
      pattern,
      status: 'cancelled',
      tokens: 0,
      messagesPublished: 0,
      failuresRepaired: 0,
      text: '',
      durationMs: 0,
    };
  }
  const outcome = await streamParts(channel, events, config);
  emit({
    type: 'end',
    responseId,
    status: outcome.status,
    ...(outcome.error ? { reason: outcome.error.message.slice(0, MAX_REASON_LENGTH) } : {}),
  });
  const { parts, ...rest } = outcome;
  return {
    responseId,
    pattern,
    ...rest,
    ...(rest.serial === undefined ? { serial: undefined } : {}),
    parts,
    durationMs: performance.now() - startedAt,
  } as StreamResult;
}
