import type { ResumableError } from './errors.js';
import type { PartKind, TerminalStatus } from './wire.js';

/** The two token-streaming patterns. */
export type ResponsePattern = 'message-per-response' | 'message-per-token';

/**
 * Where a response stands. `stale` means no message arrived for longer than the store's
 * `staleAfterMs` while it was still streaming (the agent probably died); it goes back to
 * `streaming` if messages resume.
 */
export type ResponseStatus = 'streaming' | TerminalStatus | 'stale';

/** One response as the agent produced it, rebuilt from whatever reached this client. */
export interface StreamedResponse {
  /** Stable key: the message serial (message-per-response) or `token:<responseId>` (message-per-token). */
  readonly id: string;
  /** The `responseId` header, when the agent set one. */
  readonly responseId: string | undefined;
  readonly pattern: ResponsePattern;
  readonly text: string;
  readonly status: ResponseStatus;
  /** Reason given by the agent when `status` is `error`. */
  readonly errorReason?: string | undefined;
  /** The latest `extras.headers` seen for this response. */
  readonly headers: Readonly<Record<string, string>>;
  readonly clientId: string | undefined;
  /** When the response was created (ms epoch, from the server). */
  readonly createdAt: number;
  /** When it last changed (ms epoch, server time of the last applied message). */
  readonly updatedAt: number;
  /** The newest version serial applied (message-per-response) or the newest token serial. */
  readonly version: string;
  /** True when the text came from a database seed rather than the channel. */
  readonly seeded?: boolean;
  /**
   * Present (true) when the text may be missing something: a message-per-token response whose `start`
   * (or a `response-complete` full text) never reached this client, because a rewind window or a history
   * read ended inside it; a message-per-response response first met through an append fragment (its
   * beginning never arrived); or a response whose text does not match the length and checksum in its end
   * marker. The text is then only the part that arrived; show it as partial. The store asks for the
   * message again (see `ResponseStore.takeRepairRequests`) and the flag goes once the text is whole.
   * Absent when the text is exact.
   */
  readonly incomplete?: true;
}

/**
 * A response the store needs read again from the channel, because its text is known to lack something.
 *
 * @example
 * ```ts
 * store.subscribeRepairs(async (request) => {
 *   if (request.serial) store.apply(await channel.getMessage(request.serial));
 * });
 * ```
 */
export interface RepairRequest {
  /** The response's id in the store. */
  readonly id: string;
  readonly pattern: ResponsePattern;
  readonly responseId: string | undefined;
  /** Message-per-response: the serial of the response's message, for `channel.getMessage`. */
  readonly serial?: string;
  /** Whether the text still lacks something (a re-read may stop once it does not). */
  stillIncomplete(): boolean;
}

/** How a channel is hydrated before going live. */
export type HydrationStrategy = 'rewind' | 'history';

/** The store's view of the channel: catching up, live, catching up again, or broken. */
export type SyncStatus = 'hydrating' | 'live' | 'resyncing' | 'error';

/** An immutable snapshot of everything a store holds; a new object whenever anything changes. */
export interface ResponseStoreSnapshot {
  /** Responses in the order they were created (by serial). */
  readonly responses: readonly StreamedResponse[];
  readonly syncStatus: SyncStatus;
  /** True once hydration finished and the queue of live messages was drained. */
  readonly caughtUp: boolean;
  readonly error: ResumableError | undefined;
  /** How many times continuity was lost and the store re-hydrated. */
  readonly resyncCount: number;
}

/**
 * A problem with one inbound message: kept out of the text, counted, reported. `duplicate` and
 * `stale-version` are normal when several hydration paths overlap (they are counted all the same);
 * `history-truncated` means a page or message limit stopped hydration before the start of history;
 * `partial-first-contact` (a response first met through an append fragment) and `text-mismatch` (the text
 * differs from its end marker's proof) mark a response `incomplete` until it is re-read;
 * `repair-failed` says a re-read did not make it whole.
 * `foreign` is a message of another app or library on the same channel (conversation stores report it).
 */
export interface Diagnostic {
  readonly kind:
    | 'missing-serial'
    | 'bad-data'
    | 'unknown-action'
    | 'orphan-append'
    | 'bad-headers'
    | 'bad-name'
    | 'bad-serial'
    | 'bad-version'
    | 'bad-client-id'
    | 'bad-timestamp'
    | 'stale-version'
    | 'duplicate'
    | 'history-truncated'
    | 'partial-first-contact'
    | 'text-mismatch'
    | 'repair-failed'
    | 'foreign'
    | 'internal-error';
  readonly message: string;
  /** The offending message, as received. */
  readonly received: unknown;
}

/**
 * Decides when subscribers are told about changes. The React package passes one that runs at most
 * once per animation frame; the default runs on a microtask.
 */
export interface NotifyScheduler {
  /** Run `flush` soon; calls before it runs are coalesced. `urgent` asks for no delay (first token, final state). */
  schedule(flush: () => void, urgent: boolean): void;
  /** Drop anything scheduled. */
  cancel(): void;
}

/**
 * One part of a seeded response (see {@link SeedResponse.parts}), as the agent streamed it.
 *
 * @example
 * ```ts
 * const call: SeedPart = { kind: 'tool-call', text: '{"city":"Paris"}', toolCallId: 'c1', toolName: 'weather' };
 * ```
 */
export interface SeedPart {
  readonly kind: PartKind;
  /** The part's text (for tool calls, results and data: their JSON text). */
  readonly text: string;
  readonly toolCallId?: string;
  readonly toolName?: string;
  /** A tool result that is an error message. */
  readonly isError?: boolean;
  readonly dataName?: string;
}

/**
 * The user's message of a seeded turn (see {@link SeedResponse.user}).
 *
 * @example
 * ```ts
 * const user: SeedUserMessage = { text: 'What is the weather in Paris?', clientId: 'ana', createdAt: 1_700_000_000_000 };
 * ```
 */
export interface SeedUserMessage {
  readonly text: string;
  readonly clientId?: string;
  readonly createdAt: number;
  readonly headers?: Readonly<Record<string, string>>;
}

/**
 * A completed response from the app's database, used to seed a store. A conversation store also reads its turn,
 * its parts, its status and the user's message; a response store shows `text` with its status.
 *
 * @example
 * ```ts
 * const seed: SeedResponse = {
 *   responseId: 'r1',
 *   turnId: 't1',
 *   user: { text: 'Weather in Paris?', createdAt: 1_700_000_000_000 },
 *   text: 'Sunny, 21 °C.',
 *   parts: [
 *     { kind: 'tool-call', text: '{"city":"Paris"}', toolCallId: 'c1', toolName: 'weather' },
 *     { kind: 'tool-result', text: '{"sky":"sunny","celsius":21}', toolCallId: 'c1', toolName: 'weather' },
 *     { kind: 'text', text: 'Sunny, 21 °C.' },
 *   ],
 *   status: 'complete',
 *   createdAt: 1_700_000_000_500,
 * };
 * ```
 */
export interface SeedResponse {
  readonly responseId: string;
  /** The text (the text parts joined, when there are parts). */
  readonly text: string;
  /** When it was created (ms epoch). History is read from the newest seed timestamp onwards. */
  readonly createdAt: number;
  readonly pattern?: ResponsePattern;
  readonly headers?: Readonly<Record<string, string>>;
  readonly clientId?: string;
  /** How it ended. Default `complete`. */
  readonly status?: TerminalStatus;
  /** Why it ended in `error`. */
  readonly errorReason?: string;
  /** Who stopped it, when it ended `cancelled`. */
  readonly cancelledBy?: string;
  /** The turn it answers. */
  readonly turnId?: string;
  /** The ordered parts; without them a conversation store shows one `text` part. */
  readonly parts?: readonly SeedPart[];
  /** The user's message of {@link SeedResponse.turnId} (repeated on its siblings; read once). */
  readonly user?: SeedUserMessage;
}
