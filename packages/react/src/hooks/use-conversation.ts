'use client';
import {
  type ConversationResponse,
  type ConversationSnapshot,
  type ConversationStore,
  type ConversationTurn,
  createConversationStore,
  type Diagnostic,
  type HydrationStrategy,
  KIT_ERROR_CODES,
  ResumableError,
  type SeedResponse,
} from '@resumable/core';
import type * as Ably from 'ably';
import { AblyContext } from 'ably/react';
import { useCallback, useContext, useMemo, useRef, useState, useSyncExternalStore } from 'react';
import type { Cadence } from '../frame-scheduler.js';
import { type ChannelEntry, type EntrySnapshot, invalidOptions } from './channel-registry.js';
import { conversationEntryFor } from './conversation-entries.js';
import { apiProblem, type ConversationApi, deliver } from './conversation-requests.js';
import { OptimisticTurns } from './optimistic-turns.js';
import { type ChannelTarget, resolveChannel } from './resolve-channel.js';
import { useIsClient } from './use-is-client.js';
import { useLatest } from './use-latest.js';

/**
 * Options of {@link useConversation}.
 *
 * @example
 * ```ts
 * const options: UseConversationOptions = { channelName: 'ai:chat-42', strategy: 'history', pageSize: 20 };
 * ```
 */
export interface UseConversationOptions extends ChannelTarget {
  /** `'rewind'` replays the channel on attach; `'history'` reads history up to the attach point. */
  readonly strategy: HydrationStrategy;
  /** Completed turns from your database (see `SeedResponse`: user message, parts, status). */
  readonly seed?: readonly SeedResponse[] | undefined;
  /** Paged hydration: read this many user turns of history first; `loadOlder()` reads the next page. */
  readonly pageSize?: number | undefined;
  /** Rewind amount for `strategy: 'rewind'` (`'100'`, `'2m'`, ...). */
  readonly rewind?: string | number | undefined;
  /** Where turns (and, for a function, cancel and regenerate) go; see {@link ConversationApi}. */
  readonly api?: ConversationApi | undefined;
  /** How often components re-render while parts stream in: `'frame'` (default) or every N ms. */
  readonly cadence?: Cadence | undefined;
  /** Silence after which a streaming response shows as `stale`. */
  readonly staleAfterMs?: number | undefined;
  /** Called for each message the store could not use. */
  readonly onDiagnostic?: ((diagnostic: Diagnostic) => void) | undefined;
}

/**
 * Where the conversation stands, as a chat UI shows it: `submitted` until the newest answer's first content,
 * `streaming` while it streams, `error` after a failed request, sync or answer, else `ready`.
 *
 * @example
 * ```ts
 * const busy = (status: ConversationStatus) => status === 'submitted' || status === 'streaming';
 * ```
 */
export type ConversationStatus = 'ready' | 'submitted' | 'streaming' | 'error';

/**
 * What `send` resolves with (it never rejects): the ids, and the error when the turn could not be sent.
 *
 * @example
 * ```ts
 * const { turnId, error } = await chat.send('Hello');
 * if (error) await chat.send('Hello', { turnId }); // a retry with the same id is never doubled
 * ```
 */
export interface SendResult {
  readonly turnId: string;
  readonly responseId: string;
  readonly error?: ResumableError;
}

/**
 * What {@link useConversation} returns.
 *
 * @example
 * ```tsx
 * const { turns, status, send, stop, regenerate, connectionState }: Conversation = useConversation(options);
 * ```
 */
export interface Conversation {
  /** Turns in channel order (the ones this client just sent at the end, `submitted`, until the channel has them). */
  readonly turns: readonly ConversationTurn[];
  readonly status: ConversationStatus;
  /** The client's connection state, to show "reconnecting"; `undefined` on the server. */
  readonly connectionState: Ably.ConnectionState | undefined;
  readonly syncStatus: ConversationSnapshot['syncStatus'];
  readonly caughtUp: boolean;
  /** Paged hydration: older turns are there to load. */
  readonly hasOlder: boolean;
  /** The newest error (sync, connection or request), as a value. */
  readonly error: ResumableError | undefined;
  readonly resyncCount: number;
  /** Send the user's text as a new turn, shown at once; `turnId` retries an earlier send. */
  send(text: string, options?: { headers?: Record<string, string>; turnId?: string }): Promise<SendResult>;
  /** Stop a response (default: the newest one still running). */
  stop(responseId?: string): Promise<void>;
  /** Ask for a new answer to a turn; the earlier answers stay as siblings. */
  regenerate(turnId: string): Promise<{ responseId: string; error?: ResumableError }>;
  /** Read the next page of older turns. */
  loadOlder(): Promise<void>;
  /** The shared conversation store. */
  readonly store: ConversationStore;
}

const STRATEGIES: readonly HydrationStrategy[] = ['rewind', 'history'];

function optionsError(options: UseConversationOptions): ResumableError | undefined {
  if (!STRATEGIES.includes(options.strategy)) {
    return invalidOptions(
      `Unknown hydration strategy ${JSON.stringify(options.strategy)}.`,
      "Use strategy: 'rewind' or strategy: 'history'.",
    );
  }
  const { pageSize, cadence } = options;
  if (pageSize !== undefined && !(Number.isInteger(pageSize) && pageSize >= 1)) {
    return invalidOptions(
      `Invalid pageSize ${JSON.stringify(pageSize)}.`,
      'Give pageSize a whole number of at least 1.',
    );
  }
  if (cadence !== undefined && cadence !== 'frame' && !(typeof cadence === 'number' && cadence >= 0)) {
    return invalidOptions(`Invalid cadence ${JSON.stringify(cadence)}.`, "Use cadence: 'frame' or a number of ms.");
  }
  return apiProblem(options.api);
}

type ConversationEntrySnapshot = EntrySnapshot<ConversationStore>;

/** A store that only ever holds the seed: what the server renders and what hydration starts from. */
function useSeedConversation(seed: readonly SeedResponse[] | undefined) {
  const ref = useRef<{ store: ConversationStore; snapshot: ConversationEntrySnapshot } | undefined>(undefined);
  if (!ref.current) {
    const store = createConversationStore();
    if (seed) store.seed(seed);
    ref.current = { store, snapshot: { ...store.getSnapshot(), connectionState: undefined, hasOlder: false } };
  }
  return ref.current;
}

/** Optimistic turns per shared entry, so every hook on a conversation shows the same sent turns. */
const optimisticByEntry = new WeakMap<ChannelEntry<ConversationStore>, OptimisticTurns>();
function optimisticFor(entry: ChannelEntry<ConversationStore> | undefined, fallback: OptimisticTurns) {
  if (!entry) return fallback;
  let found = optimisticByEntry.get(entry);
  if (!found) {
    found = new OptimisticTurns();
    optimisticByEntry.set(entry, found);
  }
  return found;
}

const isRunning = (response: ConversationResponse | undefined) =>
  response?.status === 'submitted' || response?.status === 'streaming' || response?.status === 'stale';

function statusOf(turns: readonly ConversationTurn[], error: ResumableError | undefined): ConversationStatus {
  if (error) return 'error';
  const newest = turns.at(-1)?.responses.at(-1);
  if (newest?.status === 'submitted') return 'submitted';
  if (newest?.status === 'streaming' || newest?.status === 'stale') return 'streaming';
  if (newest?.status === 'error') return 'error';
  return 'ready';
}

const notReady = () =>
  new ResumableError(
    KIT_ERROR_CODES.invalidOptions,
    'The conversation is not connected yet (server render, or invalid options).',
    'Call send, stop and regenerate from event handlers after the component mounted, and check `error`.',
  );

/**
 * A whole conversation on a channel, the way a chat UI needs it: the turns (user message + answers with their
 * parts and status), `send`, `stop`, `regenerate`, paging, the connection state, and errors as values. Sent
 * turns show at once and are reconciled with the channel's copy by id (no double, no flicker). Every component
 * on the same channel shares one store, one attachment and the same optimistic turns. On the server it renders
 * the seed.
 *
 * @example
 * ```tsx
 * function Chat() {
 *   const chat = useConversation({ channelName: 'ai:chat-42', strategy: 'history', pageSize: 20 });
 *   return (
 *     <div role="log">
 *       {chat.turns.map((turn) => (
 *         <section key={turn.id}>
 *           <p>{turn.user?.text}</p>
 *           {turn.responses.map((r) => <p key={r.responseId} data-status={r.status}>{r.text}</p>)}
 *         </section>
 *       ))}
 *       {chat.connectionState !== 'connected' && <p>Reconnecting…</p>}
 *       <button type="button" onClick={() => chat.send('What is the weather in Paris?')}>Ask</button>
 *       <button type="button" onClick={() => chat.stop()} disabled={chat.status === 'ready'}>Stop</button>
 *     </div>
 *   );
 * }
 * ```
 */
export function useConversation(options: UseConversationOptions): Conversation {
  const ablyContext = useContext(AblyContext);
  const isClient = useIsClient();
  const seedConversation = useSeedConversation(options.seed);
  const onDiagnostic = useLatest(options.onDiagnostic);
  const api = useLatest(options.api);
  const reportDiagnostic = useCallback((d: Diagnostic) => onDiagnostic.current?.(d), [onDiagnostic]);
  const [requestError, setRequestError] = useState<ResumableError | undefined>(undefined);
  const [fallbackOptimistic] = useState(() => new OptimisticTurns());

  let entry: ChannelEntry<ConversationStore> | undefined;
  let client: Ably.RealtimeClient | undefined;
  let error = optionsError(options);
  if (isClient && !error) {
    const target = resolveChannel(options, ablyContext);
    if (target.error) error = target.error;
    else {
      client = target.client;
      entry = conversationEntryFor(target.channel, {
        strategy: options.strategy,
        rewind: options.rewind,
        seed: options.seed,
        pageTurns: options.pageSize,
        cadence: options.cadence,
        staleAfterMs: options.staleAfterMs,
        client: target.client,
        onDiagnostic: reportDiagnostic,
      });
    }
  }
  const optimistic = optimisticFor(entry, fallbackOptimistic);

  const subscribe = useCallback(
    (listener: () => void) => (entry ? entry.subscribe(listener) : () => undefined),
    [entry],
  );
  const getSnapshot = entry ? entry.getSnapshot : () => seedConversation.snapshot;
  const snapshot = useSyncExternalStore(subscribe, getSnapshot, () => seedConversation.snapshot);
  // Read on every render: the optimistic side changes without the store's snapshot changing.
  const turns = useSyncExternalStore(
    optimistic.subscribe,
    () => optimistic.merge(snapshot.turns),
    () => snapshot.turns,
  );

  const live = useRef({ entry, client, turns });
  live.current = { entry, client, turns };

  const send = useCallback<Conversation['send']>(
    async (text, sendOptions = {}) => {
      const { entry: current, client: currentClient } = live.current;
      const retry = sendOptions.turnId ? optimistic.sentTurn(sendOptions.turnId) : undefined;
      const turnId = sendOptions.turnId ?? globalThis.crypto.randomUUID();
      const responseId = retry?.responseId ?? globalThis.crypto.randomUUID();
      if (typeof text !== 'string' || text.trim() === '') {
        const invalid = invalidOptions('send needs the user text, not an empty string.', 'Pass the message text.');
        setRequestError(invalid);
        return { turnId, responseId, error: invalid };
      }
      if (!current) {
        const missing = notReady();
        setRequestError(missing);
        return { turnId, responseId, error: missing };
      }
      const headers = { ...(sendOptions.headers ?? {}) };
      optimistic.addTurn({ turnId, responseId, text, clientId: currentClient?.auth.clientId, headers });
      setRequestError(undefined);
      try {
        await deliver(current.channel, api.current, { kind: 'turn', turnId, responseId, text, headers });
        return { turnId, responseId };
      } catch (cause) {
        const failed = ResumableError.from(cause, 'The turn was not sent; send it again with the same turnId.');
        optimistic.fail(responseId, failed);
        setRequestError(failed);
        return { turnId, responseId, error: failed };
      }
    },
    [api, optimistic],
  );

  const stop = useCallback<Conversation['stop']>(
    async (responseId) => {
      const { entry: current, turns: currentTurns } = live.current;
      const target =
        responseId !== undefined
          ? currentTurns.flatMap((turn) => turn.responses).find((response) => response.responseId === responseId)
          : currentTurns.flatMap((turn) => turn.responses).findLast(isRunning);
      const id = responseId ?? target?.responseId;
      if (!id) return;
      if (!current) {
        setRequestError(notReady());
        return;
      }
      try {
        await deliver(current.channel, api.current, { kind: 'cancel', responseId: id, turnId: target?.turnId });
      } catch (cause) {
        setRequestError(ResumableError.from(cause, 'The stop request was not sent; try again.'));
      }
    },
    [api],
  );

  const regenerate = useCallback<Conversation['regenerate']>(
    async (turnId) => {
      const responseId = globalThis.crypto.randomUUID();
      const current = live.current.entry;
      if (typeof turnId !== 'string' || turnId === '') {
        const invalid = invalidOptions('regenerate needs the turnId of a turn.', 'Pass turn.turnId.');
        setRequestError(invalid);
        return { responseId, error: invalid };
      }
      if (!current) {
        const missing = notReady();
        setRequestError(missing);
        return { responseId, error: missing };
      }
      optimistic.addRegenerate(turnId, responseId);
      try {
        await deliver(current.channel, api.current, { kind: 'regenerate', turnId, responseId });
        return { responseId };
      } catch (cause) {
        const failed = ResumableError.from(cause, 'The regenerate request was not sent; try again.');
        optimistic.fail(responseId, failed);
        setRequestError(failed);
        return { responseId, error: failed };
      }
    },
    [api, optimistic],
  );

  const loadOlder = useCallback(async () => {
    await live.current.entry?.loadOlder();
  }, []);

  const shownError = error ?? snapshot.error ?? requestError;
  const store = entry?.store ?? seedConversation.store;
  return useMemo(
    () => ({
      turns,
      status: statusOf(turns, shownError),
      connectionState: snapshot.connectionState,
      syncStatus: error ? 'error' : snapshot.syncStatus,
      caughtUp: snapshot.caughtUp,
      hasOlder: snapshot.hasOlder,
      error: shownError,
      resyncCount: snapshot.resyncCount,
      send,
      stop,
      regenerate,
      loadOlder,
      store,
    }),
    [turns, shownError, snapshot, error, send, stop, regenerate, loadOlder, store],
  );
}
