/**
 * The two sides of a channel sync: what it needs of a store ({@link ConnectedStore}) and what it hands back
 * ({@link ChannelSync}).
 *
 * @module
 */
import type { ResumableError } from './errors.js';
import type { HydrationState } from './hydration-machine.js';
import type { Diagnostic, RepairRequest, ResponsePattern, SeedResponse, SyncStatus } from './types.js';

/**
 * A running channel sync (see {@link connectChannel}).
 *
 * @example
 * ```ts
 * const sync = connectChannel(channel, store, { strategy: 'history' });
 * await sync.ready;
 * sync.stop();
 * ```
 */
export interface ChannelSync {
  /**
   * Settles once the first hydration finished (the store is `live`), failed (the store holds the
   * error and its status is `error`), or the sync was stopped. Never rejects: errors are values.
   */
  readonly ready: Promise<void>;
  /** Unsubscribe and stop watching the channel. The channel itself stays attached. */
  stop(): void;
  /** Where the sync stands (see {@link HydrationState}); `error` at once for invalid options. */
  readonly state: HydrationState;
  /** Paged hydration (`pageTurns`): older history is there to read with {@link ChannelSync.loadOlder}. */
  readonly hasOlder: boolean;
  /**
   * Read the next `pageTurns` turns of older history into the store (one read at a time; calls during a read
   * share it). Resolves once applied; a failure is reported as a `history-truncated` diagnostic, never thrown.
   */
  loadOlder(): Promise<void>;
}

/**
 * What a channel sync needs of a store: a response store and a conversation store both are one.
 *
 * @example
 * ```ts
 * const store: ConnectedStore = createConversationStore();
 * connectChannel(channel, store, { strategy: 'history' });
 * ```
 */
export interface ConnectedStore {
  /** Apply any inbound Ably message. Idempotent; bad input is counted as a diagnostic; never throws. */
  apply(message: unknown): void;
  /** Apply one page of `channel.history()` as returned (newest first): it is folded oldest first. */
  applyHistoryPage(newestFirst: readonly unknown[]): void;
  /** Add completed responses from the app's database (joined with channel messages by `responseId`). */
  seed(responses: readonly SeedResponse[]): void;
  /** Record where hydration stands; `resyncing` after another status counts one more resync. */
  setSync(status: SyncStatus, caughtUp: boolean, error?: ResumableError): void;
  /** Count and forward a diagnostic found outside the reducer (e.g. a history read cut short). */
  report(diagnostic: Diagnostic): void;
  /** Responses whose text is known to lack something, to be read again (see `ResponseStore.subscribeRepairs`). */
  subscribeRepairs?(listener: (request: RepairRequest) => void): () => void;
  /** The responses held, for the seed time and for responses whose beginning is missing. */
  getSnapshot(): {
    readonly responses: readonly {
      readonly responseId: string | undefined;
      readonly pattern?: ResponsePattern;
      readonly seeded?: boolean | undefined;
      readonly createdAt: number;
      readonly incomplete?: true;
    }[];
  };
}
