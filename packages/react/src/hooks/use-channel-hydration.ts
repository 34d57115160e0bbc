'use client';
import {
  createResponseStore,
  type Diagnostic,
  type HydrationStrategy,
  type ResponseStore,
  type ResponseStoreSnapshot,
  type ResumableError,
  type SeedResponse,
} from '@resumable/core';
import type * as Ably from 'ably';
import { AblyContext } from 'ably/react';
import { useCallback, useContext, useRef, useSyncExternalStore } from 'react';
import type { Cadence } from '../frame-scheduler.js';
import { type ChannelEntry, type EntrySnapshot, invalidOptions } from './channel-registry.js';
import { entryFor } from './entry-registries.js';
import { type ChannelTarget, resolveChannel } from './resolve-channel.js';
import { useIsClient } from './use-is-client.js';
import { useLatest } from './use-latest.js';

/**
 * Options of {@link useChannelHydration}.
 *
 * @example
 * ```ts
 * const options: UseChannelHydrationOptions = { channelName: 'ai:chat-1', strategy: 'history', cadence: 'frame' };
 * ```
 */
export interface UseChannelHydrationOptions extends ChannelTarget {
  /** `'rewind'` replays the channel on attach; `'history'` reads history up to the attach point. */
  readonly strategy: HydrationStrategy;
  /** Completed responses from your database, joined to the channel by `responseId`. */
  readonly seed?: readonly SeedResponse[] | undefined;
  /** Rewind amount for `strategy: 'rewind'` (`'10'`, `'2m'`, ...). */
  readonly rewind?: string | number | undefined;
  /** How often components re-render while text streams in: `'frame'` (default) or every N ms. */
  readonly cadence?: Cadence | undefined;
  /** Silence after which a streaming response shows as `stale`. */
  readonly staleAfterMs?: number | undefined;
  /** Called for each message the store could not use. */
  readonly onDiagnostic?: ((diagnostic: Diagnostic) => void) | undefined;
}

/**
 * What {@link useChannelHydration} returns: the store's snapshot plus the store itself.
 *
 * @example
 * ```tsx
 * const { responses, syncStatus, caughtUp, error, resyncCount, store }: ChannelHydration = useChannelHydration(options);
 * ```
 */
export interface ChannelHydration extends ResponseStoreSnapshot {
  /** The shared store, for {@link useStreamedResponse} or a `ResponseStoreProvider`. */
  readonly store: ResponseStore;
  /**
   * The client's connection state (`connected`, `disconnected`, `suspended`, ...), so a UI can show
   * "reconnecting" without another hook; `undefined` on the server and without a client to watch.
   */
  readonly connectionState: Ably.ConnectionState | undefined;
}

const STRATEGIES: readonly HydrationStrategy[] = ['rewind', 'history'];

function optionsError(options: UseChannelHydrationOptions): ResumableError | undefined {
  if (!STRATEGIES.includes(options.strategy)) {
    return invalidOptions(
      `Unknown hydration strategy ${JSON.stringify(options.strategy)}.`,
      "Use strategy: 'rewind' or strategy: 'history'.",
    );
  }
  const { cadence } = options;
  if (cadence !== undefined && cadence !== 'frame' && !(typeof cadence === 'number' && cadence >= 0)) {
    return invalidOptions(`Invalid cadence ${JSON.stringify(cadence)}.`, "Use cadence: 'frame' or a number of ms.");
  }
  return undefined;
}

/** A store that only ever holds the seed: what the server renders and what hydration starts from. */
function useSeedStore(seed: readonly SeedResponse[] | undefined) {
  const ref = useRef<{ store: ResponseStore; snapshot: HydrationSnapshot } | undefined>(undefined);
  if (!ref.current) {
    const store = createResponseStore(seed ? { seed } : {});
    ref.current = { store, snapshot: { ...store.getSnapshot(), connectionState: undefined, hasOlder: false } };
  }
  return ref.current;
}

type HydrationSnapshot = EntrySnapshot<ResponseStore>;

function withError(snapshot: HydrationSnapshot, error: ResumableError): HydrationSnapshot {
  return { ...snapshot, syncStatus: 'error', error };
}

/**
 * Hydrate a channel's responses and keep them live: the responses in order, the sync status,
 * whether it has caught up, and any error as a value (never thrown). Every component that asks for
 * the same channel shares one store and one attachment; the channel is attached with the first
 * and detached a little after the last unmounts, so StrictMode's double effects attach once.
 *
 * Reads the client from `<AblyProvider>` and the channel from `<ChannelProvider>` (`ably/react`)
 * when they are not passed. On the server it renders the seed and never touches a client.
 *
 * @example
 * ```tsx
 * function Chat() {
 *   const { responses, syncStatus, error } = useChannelHydration({ channelName: 'ai:chat-1', strategy: 'rewind' });
 *   if (error) return <p role="alert">{error.message} ({error.hint})</p>;
 *   return (
 *     <ol data-status={syncStatus}>
 *       {responses.map((r) => <li key={r.id}>{r.text}</li>)}
 *     </ol>
 *   );
 * }
 * ```
 */
export function useChannelHydration(options: UseChannelHydrationOptions): ChannelHydration {
  const ablyContext = useContext(AblyContext);
  const isClient = useIsClient();
  const seedStore = useSeedStore(options.seed);
  const onDiagnostic = useLatest(options.onDiagnostic);
  const reportDiagnostic = useCallback((d: Diagnostic) => onDiagnostic.current?.(d), [onDiagnostic]);

  let entry: ChannelEntry | undefined;
  let error = optionsError(options);
  if (isClient && !error) {
    const target = resolveChannel(options, ablyContext);
    if (target.error) {
      error = target.error;
    } else {
      entry = entryFor(target.channel, {
        strategy: options.strategy,
        rewind: options.rewind,
        seed: options.seed,
        cadence: options.cadence,
        staleAfterMs: options.staleAfterMs,
        client: target.client,
        onDiagnostic: reportDiagnostic,
      });
    }
  }

  const subscribe = useCallback(
    (listener: () => void) => (entry ? entry.subscribe(listener) : () => undefined),
    [entry],
  );
  const getSnapshot = entry ? entry.getSnapshot : () => seedStore.snapshot;
  const getServerSnapshot = () => seedStore.snapshot;
  const snapshot = useSyncExternalStore(subscribe, getSnapshot, getServerSnapshot);

  const errorSnapshot = useRef<{ base: HydrationSnapshot; error: ResumableError; value: HydrationSnapshot }>(undefined);
  let result = snapshot;
  if (error) {
    // Keep the object stable across renders for the same error so memoised children do not re-render.
    const cached = errorSnapshot.current;
    if (!cached || cached.base !== snapshot || cached.error.message !== error.message) {
      errorSnapshot.current = { base: snapshot, error, value: withError(snapshot, error) };
    }
    result = errorSnapshot.current!.value;
  }
  const { hasOlder: _pagedOnly, ...view } = result;
  return { ...view, store: entry?.store ?? seedStore.store };
}
