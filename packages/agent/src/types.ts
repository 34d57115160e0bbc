import type { ResponsePattern, ResumableError, TerminalStatus, TokenUsage } from '@resumable/core';

/**
 * Options of {@link streamResponse}. Every field is optional.
 *
 * @example
 * ```ts
 * const options: StreamResponseOptions = { pattern: 'message-per-token', batchMs: 50, headers: { model: 'gpt-4o' } };
 * ```
 */
export interface StreamResponseOptions {
  /** `'message-per-response'` (default): one message appended to; `'message-per-token'`: one message per token. */
  pattern?: ResponsePattern;
  /** Correlates every message of this response; a random UUID by default. */
  responseId?: string;
  /** The turn this response answers (header `turnId` on every message of the response). */
  turnId?: string;
  /** Application headers, sent (with `responseId`) on the create and on every append or token message. */
  headers?: Record<string, string>;
  /**
   * Aborting stops reading the text stream and ends the response with status `'cancelled'`; abort with
   * `{ cancelledBy: clientId }` as the reason to write who cancelled it on the end marker.
   */
  signal?: AbortSignal;
  /**
   * Message-per-token only: tokens produced within this many milliseconds of the first buffered one go out as
   * a single `token` message. 0 or unset sends every token on its own.
   */
  batchMs?: number;
  /**
   * Largest message in bytes. Defaults to the limit the connection announced (`connectionDetails.maxMessageSize`),
   * else 65536. A response (or a token batch) that would grow past it is stopped before the message that would
   * break it, with error 40009.
   */
  maxMessageSize?: number;
  /** Progress hook; an exception thrown by it is ignored. */
  onEvent?: (event: StreamEvent) => void;
}

/**
 * What {@link streamResponse} reports while it streams.
 *
 * @example
 * ```ts
 * const onEvent = (event: StreamEvent) => { if (event.type === 'publish-failed') console.warn(event.error.message); };
 * ```
 */
export type StreamEvent =
  | { readonly type: 'start'; readonly responseId: string; readonly serial: string }
  | { readonly type: 'token'; readonly responseId: string; readonly text: string; readonly index: number }
  | { readonly type: 'publish-failed'; readonly responseId: string; readonly error: ResumableError }
  | {
      readonly type: 'repaired';
      readonly responseId: string;
      /** Publishes that had failed. */
      readonly failures: number;
      /** True when the connection was replaced mid-stream (a failed resume), which also calls for a repair. */
      readonly connectionReplaced: boolean;
    }
  | {
      readonly type: 'end';
      readonly responseId: string;
      readonly status: TerminalStatus;
      readonly reason?: string;
    };

/**
 * How a streamed response went.
 *
 * @example
 * ```ts
 * const result: StreamResult = await streamResponse(channel, textStream);
 * if (result.status === 'error') console.error(result.error?.message);
 * ```
 */
export interface StreamResult {
  readonly responseId: string;
  readonly pattern: ResponsePattern;
  /** Serial of the response message (per-response) or of its `start` message (per-token); unset when nothing was published. */
  readonly serial?: string;
  readonly status: TerminalStatus;
  /** Why the text stream failed, when `status` is `'error'`. */
  readonly error?: ResumableError;
  /** Non-empty chunks read from the text stream. */
  readonly tokens: number;
  /** Channel operations that Ably acknowledged (create, appends, token messages, repair, end marker). */
  readonly messagesPublished: number;
  /** Publishes that failed and were made good by the full-text repair message. */
  readonly failuresRepaired: number;
  readonly durationMs: number;
  /** The whole text published, exactly as the stream produced it (for a part stream: the text parts joined). */
  readonly text: string;
  /** Part streams: how many parts were published. */
  readonly parts?: number;
  /** Part streams: the model's finish reason, as written on the end marker. */
  readonly finishReason?: string;
  /** Part streams: the token usage written on the end marker (the final `finish`'s, else the steps' sum). */
  readonly usage?: TokenUsage;
}
