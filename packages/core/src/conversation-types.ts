/**
 * The shapes a conversation store hands out: turns, responses and their parts. All are frozen and keep their
 * identity until something they contain changes.
 *
 * @module
 */
import type { ResumableError } from './errors.js';
import type { ResponsePattern, SyncStatus } from './types.js';
import type { PartKind, TerminalStatus, TokenUsage } from './wire.js';

/**
 * Where a conversation response stands: `submitted` until its first content arrives.
 *
 * @example
 * ```ts
 * const busy = (status: ConversationResponseStatus) => status === 'submitted' || status === 'streaming';
 * ```
 */
export type ConversationResponseStatus = 'submitted' | 'streaming' | TerminalStatus | 'stale';

/**
 * One ordered part of a response.
 *
 * @example
 * ```ts
 * const calls = response.parts.filter((part) => part.kind === 'tool-call' && part.done).map((part) => part.value);
 * ```
 */
export interface ConversationPart {
  readonly index: number;
  readonly kind: PartKind;
  /** The part's text as it streamed (for tool calls, results and data: JSON text). */
  readonly text: string;
  /** A later part exists or the response ended: the text is final. */
  readonly done: boolean;
  readonly toolCallId?: string;
  readonly toolName?: string;
  /** A tool result that is an error message. */
  readonly isError?: boolean;
  readonly dataName?: string;
  /** Tool input, tool output or data parsed from `text` once `done` (undefined while streaming or not JSON). */
  readonly value?: unknown;
}

/**
 * One response to a turn (or a response on a channel without turns).
 *
 * @example
 * ```ts
 * const response = store.getResponse(responseId);
 * if (response?.status === 'cancelled') console.log(`stopped by ${response.cancelledBy}`);
 * ```
 */
export interface ConversationResponse {
  readonly responseId: string;
  /** The turn it answers, when it answers one. */
  readonly turnId: string | undefined;
  readonly pattern: ResponsePattern | undefined;
  readonly parts: readonly ConversationPart[];
  /** The text parts joined, for a quick display. */
  readonly text: string;
  readonly status: ConversationResponseStatus;
  readonly errorReason: string | undefined;
  /** Who cancelled it: the end marker's `cancelledBy`, else the clientId of a cancel request. */
  readonly cancelledBy: string | undefined;
  /** A cancel was requested (by this clientId) and the response has not ended yet or ended cancelled. */
  readonly cancelRequestedBy: string | undefined;
  readonly clientId: string | undefined;
  readonly createdAt: number;
  readonly updatedAt: number;
  readonly seeded: boolean;
  /** Why the model stopped, from the end marker (`stop`, `tool-calls`, `end_turn`, ...), when the agent wrote one. */
  readonly finishReason?: string;
  /** Token usage from the end marker, when the agent wrote it. */
  readonly usage?: TokenUsage;
  /** Present when the beginning may be missing (see `StreamedResponse.incomplete`). */
  readonly incomplete?: true;
}

/**
 * The user's message of a turn.
 *
 * @example
 * ```ts
 * const asked = store.getSnapshot().turns.map((turn) => turn.user?.text ?? '(older message not loaded)');
 * ```
 */
export interface UserMessage {
  readonly turnId: string;
  readonly text: string;
  readonly clientId: string | undefined;
  readonly createdAt: number;
  readonly headers: Readonly<Record<string, string>>;
}

/**
 * A turn: the user's message (absent until loaded, or on a channel without turns) and its responses.
 *
 * @example
 * ```ts
 * const latest = turn.responses.at(-1); // the newest sibling after a regenerate
 * ```
 */
export interface ConversationTurn {
  /** The turnId, or `response:<responseId>` for a response that answers no turn. */
  readonly id: string;
  readonly turnId: string | undefined;
  readonly user: UserMessage | undefined;
  /** The responses in channel order: the first answer, then its regenerated siblings. */
  readonly responses: readonly ConversationResponse[];
}

/**
 * Everything a conversation store holds.
 *
 * @example
 * ```ts
 * const { turns, syncStatus } = store.getSnapshot();
 * ```
 */
export interface ConversationSnapshot {
  /** Turns in channel order. */
  readonly turns: readonly ConversationTurn[];
  /** Every response, in turn order (what a channel sync reads to find seeds and incomplete responses). */
  readonly responses: readonly ConversationResponse[];
  readonly syncStatus: SyncStatus;
  readonly caughtUp: boolean;
  readonly error: ResumableError | undefined;
  readonly resyncCount: number;
}
