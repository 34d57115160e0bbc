/**
 * The kit's wire convention: how an agent marks responses on an Ably channel so that every
 * reader (live, rewind, history) can tell which response a message belongs to and when it ended.
 *
 * Message-per-response: one message named {@link RESPONSE_MESSAGE_NAME} per response, created with
 * `extras.headers.responseId`, then appended to; every append resends the full header set. The end
 * is the operation metadata of the last append: `version.metadata.status` is one of
 * {@link TerminalStatus} (and `version.metadata.error` holds a reason for `error`); `textLength` and
 * `textChecksum` prove the text (readers re-read a response whose text does not match them).
 *
 * Message-per-token: messages named `start`, `token` and `stop` (see {@link TOKEN_EVENT_NAMES}),
 * each with the `responseId` header; `stop` carries `extras.headers.status` (and the text's proof). A `response-complete`
 * message carries the full text and replaces what readers accumulated (publish-failure repair).
 *
 * @example
 * ```ts
 * import { RESPONSE_MESSAGE_NAME, RESPONSE_ID_HEADER } from '@resumable/core';
 * await channel.publish({ name: RESPONSE_MESSAGE_NAME, data: '', extras: { headers: { [RESPONSE_ID_HEADER]: 'r1' } } });
 * ```
 * @module
 */

/** Name of the single message that carries a whole response (message-per-response). */
export const RESPONSE_MESSAGE_NAME = 'response';

/** Header that correlates every message of one response, in both patterns. */
export const RESPONSE_ID_HEADER = 'responseId';

/** Header (per-token `stop`) and operation metadata key (per-response) that carries the end status. */
export const STATUS_KEY = 'status';

/**
 * End-marker metadata (per-response) and `stop` header (per-token) with the length of the whole text in
 * UTF-16 code units, so readers can tell a text that lost a fragment from a complete one.
 */
export const TEXT_LENGTH_KEY = 'textLength';

/** End-marker metadata / `stop` header with the text's FNV-1a checksum (see `textChecksum`). */
export const TEXT_CHECKSUM_KEY = 'textChecksum';

/** Operation metadata / header key that carries a human-readable error reason. */
export const ERROR_KEY = 'error';

/** Message names used by the message-per-token pattern. */
export const TOKEN_EVENT_NAMES = {
  start: 'start',
  token: 'token',
  stop: 'stop',
  /** Full text of a response, replacing whatever a reader accumulated (failure repair). */
  complete: 'response-complete',
} as const;

/** How a response ended, as written on the wire. */
export type TerminalStatus = 'complete' | 'error' | 'cancelled';

/** The terminal statuses, for validation. */
export const TERMINAL_STATUSES: readonly TerminalStatus[] = ['complete', 'error', 'cancelled'];

/**
 * Whether a value is a terminal status of the wire convention.
 *
 * @example
 * ```ts
 * isTerminalStatus('complete'); // true
 * isTerminalStatus('streaming'); // false
 * ```
 */
export function isTerminalStatus(value: unknown): value is TerminalStatus {
  return typeof value === 'string' && (TERMINAL_STATUSES as readonly string[]).includes(value);
}

/** Message name of a user's turn; its Ably `id` and its {@link TURN_ID_HEADER} header are the client's turn id. */
export const TURN_MESSAGE_NAME = 'turn';

/** Message name of a request to stop a response (headers name the response or the turn). */
export const CANCEL_MESSAGE_NAME = 'cancel';

/** Message name of a request for a new response to a turn (headers `turnId` and the new `responseId`). */
export const REGENERATE_MESSAGE_NAME = 'regenerate';

/** Header that correlates a turn with the responses answering it. */
export const TURN_ID_HEADER = 'turnId';

/** Header carrying a part's index within its response (decimal string; absent means 0). */
export const PART_HEADER = 'part';

/** Header carrying a part's kind (absent means `text`). */
export const PART_KIND_HEADER = 'partKind';

/** Headers of tool and data parts. */
export const PART_HEADERS = {
  toolCallId: 'toolCallId',
  toolName: 'toolName',
  /** `'true'` on a tool result that is an error message. */
  toolError: 'toolError',
  dataName: 'dataName',
} as const;

/** Operation metadata / header key naming who cancelled a response (the cancel message's clientId). */
export const CANCELLED_BY_KEY = 'cancelledBy';

/** End-marker key: why the model stopped, in the model SDK's words (`stop`, `tool-calls`, `end_turn`, ...). */
export const FINISH_REASON_KEY = 'finishReason';

/** End-marker key: the response's token usage as JSON text, e.g. `{"inputTokens":12,"outputTokens":40}`. */
export const USAGE_KEY = 'usage';

/**
 * Token counts of a response, by name (`inputTokens`, `outputTokens`, `totalTokens`, `reasoningTokens`,
 * `cachedInputTokens`, ...).
 */
export type TokenUsage = Readonly<Record<string, number>>;

/**
 * The token usage an end marker carries, or undefined when it carries none or garbage (it is channel input: only
 * finite, non-negative numbers are kept).
 *
 * @example
 * ```ts
 * parseUsage('{"inputTokens":12,"outputTokens":40}'); // { inputTokens: 12, outputTokens: 40 }
 * parseUsage('not json'); // undefined
 * ```
 */
export function parseUsage(text: string | undefined): TokenUsage | undefined {
  if (typeof text !== 'string' || text.length > 4096) return undefined;
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    return undefined;
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) return undefined;
  const usage: Record<string, number> = {};
  for (const [name, value] of Object.entries(parsed)) {
    if (typeof value === 'number' && Number.isFinite(value) && value >= 0 && name !== '__proto__') usage[name] = value;
  }
  return Object.keys(usage).length > 0 ? Object.freeze(usage) : undefined;
}

/** The kinds of response parts. */
export type PartKind = 'text' | 'reasoning' | 'tool-call' | 'tool-result' | 'data';

/** Every part kind, for validation. */
export const PART_KINDS: readonly PartKind[] = ['text', 'reasoning', 'tool-call', 'tool-result', 'data'];

/**
 * Whether a value is a part kind of the wire convention.
 *
 * @example
 * ```ts
 * isPartKind('tool-call'); // true
 * isPartKind('image'); // false
 * ```
 */
export function isPartKind(value: unknown): value is PartKind {
  return typeof value === 'string' && (PART_KINDS as readonly string[]).includes(value);
}
