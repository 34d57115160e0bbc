/**
 * One hydrated channel shared by every hook that reads it ({@link ChannelEntry}), for a response store
 * ({@link entryFor}) or a conversation store ({@link conversationEntryFor}).
 *
 * @module
 */
import {
  type ChannelSync,
  type ConnectedStore,
  connectChannel,
  type Diagnostic,
  type HydrationStrategy,
  KIT_ERROR_CODES,
  type NotifyScheduler,
  type ResponseStore,
  ResumableError,
  type SeedResponse,
  type SyncStatus,
} from '@resumable/core';
import type * as Ably from 'ably';
import { type Cadence, createFrameScheduler } from '../frame-scheduler.js';

/** What an entry needs of its store: a channel sync drives it, hooks read and subscribe to it. */
export interface EntryStore extends ConnectedStore {
  getSnapshot(): ReturnType<ConnectedStore['getSnapshot']> & {
    readonly syncStatus: SyncStatus;
    readonly error: ResumableError | undefined;
  };
  subscribe(listener: () => void): () => void;
  dispose(): void;
}

/** What an entry adds to its store's snapshot: the connection as the hooks report it. */
export interface EntryExtras {
  /** The client's connection state (`undefined` without a client to watch). */
  readonly connectionState: Ably.ConnectionState | undefined;
  /** Paged hydration: older history is there to read. */
  readonly hasOlder: boolean;
}

/** An entry's snapshot: its store's, with a connection failure folded into `error`, plus {@link EntryExtras}. */
export type EntrySnapshot<S extends EntryStore> = ReturnType<S['getSnapshot']> & EntryExtras;

/** What the first user of a channel decides for everyone who shares it. */
export interface ChannelEntryConfig {
  readonly strategy: HydrationStrategy;
  readonly rewind?: string | number | undefined;
  readonly seed?: readonly SeedResponse[] | undefined;
  readonly cadence?: Cadence | undefined;
  readonly staleAfterMs?: number | undefined;
  /** Paged hydration: read this many user turns of history first (conversation stores). */
  readonly pageTurns?: number | undefined;
  /** Watched for connection failures, which the channel alone does not report while it waits to attach. */
  readonly client?: Ably.RealtimeClient | undefined;
  readonly onDiagnostic?: ((diagnostic: Diagnostic) => void) | undefined;
}

/**
 * How long a channel stays attached after its last user unmounts. StrictMode unmounts and remounts
 * in the same commit, so any delay cancels that release; a little more covers a quick remount.
 */
const RELEASE_DELAY_MS = 250;

/** Hydration that failed for a passing reason is retried after this, doubling up to the maximum. */
const FIRST_RETRY_DELAY_MS = 500;
const MAX_RETRY_DELAY_MS = 15_000;

/** An entry created during a render that never committed is dropped after this long. */
const ABANDON_AFTER_MS = 10_000;

/**
 * One hydrated channel shared by every hook that reads it: a store, its connection to the channel,
 * and a count of users. The connection starts with the first user and ends a little after the last.
 */
export class ChannelEntry<S extends EntryStore = ResponseStore> {
  readonly store: S;
  #users = 0;
  #connection: ChannelSync | undefined;
  #releaseTimer: ReturnType<typeof setTimeout> | undefined;
  #abandonTimer: ReturnType<typeof setTimeout> | undefined;
  #attachedByUs = false;
  #starting = false;
  #permanentFailure = false;
  #retries = 0;
  #retryTimer: ReturnType<typeof setTimeout> | undefined;
  #disposed = false;
  #connectionError: ResumableError | undefined;
  #everConnected = false;
  #stopWatchingConnection: (() => void) | undefined;
  #stopWatchingChannel: (() => void) | undefined;
  readonly #listeners = new Set<() => void>();
  readonly #abort = new AbortController();
  #unsubscribeStore: (() => void) | undefined;
  #connectionState: Ably.ConnectionState | undefined;
  #lastStoreSnapshot: ReturnType<S['getSnapshot']> | undefined;
  #lastConnectionError: ResumableError | undefined;
  #lastConnectionState: Ably.ConnectionState | undefined;
  #lastHasOlder = false;
  #lastSnapshot: EntrySnapshot<S> | undefined;

  constructor(
    readonly channel: Ably.RealtimeChannel,
    readonly config: ChannelEntryConfig,
    createStore: (scheduler: NotifyScheduler, config: ChannelEntryConfig) => S,
    private readonly onDisposed: (entry: ChannelEntry<S>) => void,
  ) {
    this.store = createStore(createFrameScheduler({ cadence: config.cadence }), config);
    this.#abandonTimer = setTimeout(() => {
      if (this.#users === 0) this.dispose();
    }, ABANDON_AFTER_MS);
  }

  /**
   * The store's snapshot, with a connection failure folded into `error` when the store has none, and the
   * connection state; the same object until one of them changed.
   */
  readonly getSnapshot = (): EntrySnapshot<S> => {
    const storeSnapshot = this.store.getSnapshot() as ReturnType<S['getSnapshot']>;
    const hasOlder = this.#connection?.hasOlder ?? false;
    if (
      this.#lastSnapshot &&
      storeSnapshot === this.#lastStoreSnapshot &&
      this.#connectionError === this.#lastConnectionError &&
      this.#connectionState === this.#lastConnectionState &&
      hasOlder === this.#lastHasOlder
    ) {
      return this.#lastSnapshot;
    }
    this.#lastStoreSnapshot = storeSnapshot;
    this.#lastConnectionError = this.#connectionError;
    this.#lastConnectionState = this.#connectionState;
    this.#lastHasOlder = hasOlder;
    const failed = this.#connectionError && !storeSnapshot.error;
    this.#lastSnapshot = {
      ...storeSnapshot,
      ...(failed
        ? {
            error: this.#connectionError,
            syncStatus: this.#connectionState === 'failed' ? 'error' : storeSnapshot.syncStatus,
          }
        : {}),
      connectionState: this.#connectionState,
      hasOlder,
    };
    return this.#lastSnapshot;
  };

  /**
   * Read the next page of older history (paged hydration); subscribers hear of it when it is applied.
   * Resolves at once when there is no sync or nothing older.
   */
  readonly loadOlder = async (): Promise<void> => {
    const connection = this.#connection;
    if (!connection?.hasOlder) return;
    await connection.loadOlder();
    if (!this.#disposed) this.#notify();
  };

  /** Subscribe to changes; the first subscriber connects the channel, the last one releases it (later). */
  readonly subscribe = (listener: () => void): (() => void) => {
    this.#listeners.add(listener);
    this.#acquire();
    let subscribed = true;
    return () => {
      if (!subscribed) return;
      subscribed = false;
      this.#listeners.delete(listener);
      this.#release();
    };
  };

  get isDisposed(): boolean {
    return this.#disposed;
  }

  #client(): Ably.RealtimeClient | undefined {
    return this.config.client;
  }

  #notify = () => {
    for (const listener of [...this.#listeners]) listener();
    this.#retryIfTransient();
  };

  /**
   * Hydration that failed for a passing reason (history read while the connection dropped, a
   * timeout) is tried again with a growing delay; the store is idempotent, so folding history
   * again never doubles text. Permanent failures stay on show.
   */
  #retryIfTransient() {
    const snapshot = this.store.getSnapshot();
    if (snapshot.syncStatus === 'live') this.#retries = 0;
    if (snapshot.syncStatus !== 'error' || !snapshot.error || this.#permanentFailure) return;
    if (this.#retryTimer !== undefined || this.#disposed || !this.#connection) return;
    if (isPermanentCode(snapshot.error.code)) return;
    const delay = Math.min(MAX_RETRY_DELAY_MS, FIRST_RETRY_DELAY_MS * 2 ** this.#retries++);
    this.#retryTimer = setTimeout(() => {
      this.#retryTimer = undefined;
      if (this.#disposed || this.#permanentFailure || this.store.getSnapshot().syncStatus !== 'error') return;
      this.#connection?.stop();
      this.#startSync();
    }, delay);
  }

  #acquire() {
    this.#users++;
    if (this.#abandonTimer !== undefined) clearTimeout(this.#abandonTimer);
    this.#abandonTimer = undefined;
    if (this.#releaseTimer !== undefined) {
      clearTimeout(this.#releaseTimer);
      this.#releaseTimer = undefined;
    }
    if (this.#starting || this.#disposed) return;
    this.#starting = true;
    // Start after the current commit: StrictMode re-runs a <ChannelProvider>'s layout effect (which
    // resets the channel options) right after our first effect, and the options must be final
    // before the channel attaches.
    queueMicrotask(() => {
      if (!this.#disposed && this.#users > 0) this.#connect();
      else this.#starting = false;
    });
  }

  #connect() {
    this.#unsubscribeStore = this.store.subscribe(this.#notify);
    this.#watchConnection();
    const state = this.channel.state;
    this.#attachedByUs = state === 'initialized' || state === 'detached' || state === 'detaching';
    const options = channelOptionsOf(this.channel);
    if (options?.attachOnSubscribe === false && this.#attachedByUs) {
      // ably/react's <ChannelProvider> turns attach-on-subscribe off; hydration needs the subscribe
      // to attach. Same params and modes, so this never triggers a reattach.
      void this.channel.setOptions({ ...options, attachOnSubscribe: true }).catch(() => undefined);
    }
    this.#startSync();
    this.#watchChannel();
  }

  #startSync() {
    const rewind = this.config.rewind ?? channelOptionsOf(this.channel)?.params?.rewind;
    this.#connection = connectChannel(this.channel, this.store, {
      strategy: this.config.strategy,
      signal: this.#abort.signal,
      ...(rewind !== undefined ? { rewind: String(rewind) } : {}),
      ...(this.config.seed !== undefined ? { seed: this.config.seed } : {}),
      ...(this.config.pageTurns !== undefined ? { pageTurns: this.config.pageTurns } : {}),
    });
    // hasOlder is known once the first page is read; the store may not change with it.
    void this.#connection.ready.then(() => {
      if (!this.#disposed) this.#notify();
    });
    // The store reports hydration failures as values; nothing may escape as an unhandled rejection.
    this.#connection.ready.catch(() => undefined);
  }

  /**
   * A channel that failed for want of a capability or credentials fails again on every attach:
   * stop hydrating (no retry loop against the server) and keep the error on show.
   */
  #watchChannel() {
    const channel = this.channel;
    const onState = (change: Ably.ChannelStateChange) => {
      if (change.current !== 'failed' || !isPermanent(change.reason)) return;
      this.#permanentFailure = true;
      this.#connection?.stop();
      this.store.setSync('error', false, ResumableError.from(change.reason));
    };
    channel.on(onState);
    this.#stopWatchingChannel = () => channel.off(onState);
  }

  #release() {
    this.#users--;
    if (this.#users > 0 || this.#disposed) return;
    if (this.#releaseTimer !== undefined) clearTimeout(this.#releaseTimer);
    this.#releaseTimer = setTimeout(() => {
      this.#releaseTimer = undefined;
      if (this.#users === 0) this.dispose();
    }, RELEASE_DELAY_MS);
  }

  #watchConnection() {
    const client = this.#client();
    if (!client) return;
    const connection = client.connection;
    const onState = (change: Ably.ConnectionStateChange) => this.#onConnectionState(change.current, change.reason);
    connection.on(onState);
    this.#stopWatchingConnection = () => connection.off(onState);
    this.#onConnectionState(connection.state, connection.errorReason ?? undefined);
  }

  #onConnectionState(state: Ably.ConnectionState, reason: Ably.ErrorInfo | undefined) {
    const stateChanged = state !== this.#connectionState;
    this.#connectionState = state;
    let next = this.#connectionError;
    if (state === 'connected') {
      this.#everConnected = true;
      next = undefined;
    } else if (state === 'failed' || state === 'suspended' || (state === 'disconnected' && !this.#everConnected)) {
      next = reason
        ? ResumableError.from(reason)
        : new ResumableError(
            80003,
            `The connection to Ably is ${state}`,
            'Check the network and the client options (endpoint, port, tls).',
          );
    } else if (state === 'closed' || state === 'closing') {
      next = undefined;
    }
    if (next === this.#connectionError && !stateChanged) return;
    this.#connectionError = next;
    this.#notify();
  }

  /** Stop hydrating, drop listeners, and detach the channel if this entry attached it. */
  dispose() {
    if (this.#disposed) return;
    this.#disposed = true;
    if (this.#abandonTimer !== undefined) clearTimeout(this.#abandonTimer);
    if (this.#releaseTimer !== undefined) clearTimeout(this.#releaseTimer);
    if (this.#retryTimer !== undefined) clearTimeout(this.#retryTimer);
    this.#abort.abort();
    this.#connection?.stop();
    this.#unsubscribeStore?.();
    this.#stopWatchingConnection?.();
    this.#stopWatchingChannel?.();
    this.store.dispose();
    this.#listeners.clear();
    if (this.#connection && this.#attachedByUs) detachQuietly(this.channel);
    this.onDisposed(this);
  }
}

/**
 * The options already set on the channel (the SDK keeps them but does not type them). A rewind
 * that a `<ChannelProvider options={{ params: { rewind } }}>` set is reused, so the params never
 * change and the provider re-applying its options (StrictMode runs its layout effect twice) never
 * sends a second ATTACH (ably-js #1704).
 */
function channelOptionsOf(channel: Ably.RealtimeChannel): Ably.ChannelOptions | undefined {
  return (channel as unknown as { channelOptions?: Ably.ChannelOptions }).channelOptions;
}

/** Errors that another attach cannot fix: missing capability, bad credentials, the rule missing. */
function isPermanent(reason: Ably.ErrorInfo | undefined): boolean {
  if (!reason) return false;
  return reason.statusCode === 401 || reason.statusCode === 403 || isPermanentCode(reason.code);
}

/** Codes that retrying cannot fix: invalid options, auth, capability, unknown key (401xx-404xx), rule missing. */
function isPermanentCode(code: number): boolean {
  return (code >= 40100 && code < 40500) || code === 93002;
}

function detachQuietly(channel: Ably.RealtimeChannel) {
  const state = channel.state;
  if (state !== 'attached' && state !== 'attaching' && state !== 'suspended') return;
  // A closed or failed connection makes detach reject; the channel is gone either way.
  channel.detach().catch(() => undefined);
}

/** The error for options that cannot work, as a value. */
export function invalidOptions(message: string, hint: string): ResumableError {
  return new ResumableError(KIT_ERROR_CODES.invalidOptions, message, hint);
}
