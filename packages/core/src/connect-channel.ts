/**
 * connectChannel: hydrate a store from a channel, go live with no gap and no overlap, watch continuity, and
 * read older history on demand. The states live in `hydration-machine.ts`, the options in `connect-options.ts`,
 * page walking in `history-reader.ts`. This file stays one closure of about 450 lines on purpose: the SDK's
 * listeners (messages, state changes) and the hydration runs share one generation counter and one queue of
 * held live messages, and splitting those across files would hide the ordering that makes no-gap/no-overlap hold.
 *
 * @module
 */
import type * as Ably from 'ably';
import type { ChannelSync, ConnectedStore } from './channel-sync.js';
import { type ConnectChannelOptions, errorWithHint, isPermanent, validate } from './connect-options.js';
import { KIT_ERROR_CODES, ResumableError } from './errors.js';
import { walkHistory } from './history-reader.js';
import { createHydrationMachine } from './hydration-machine.js';
import { headerOf } from './inbound.js';
import { startRepairReads } from './repair-listener.js';
import type { HydrationStrategy } from './types.js';

export type { ChannelSync, ConnectedStore } from './channel-sync.js';
export type { ConnectChannelOptions } from './connect-options.js';
export type { HydrationState } from './hydration-machine.js';

import { RESPONSE_ID_HEADER, TOKEN_EVENT_NAMES, TURN_ID_HEADER, TURN_MESSAGE_NAME } from './wire.js';

/**
 * The SDK's current channel options (not in its typings). `setOptions` replaces them all, so adding
 * `rewind` starts from them to keep the caller's params, modes, cipher and attachOnSubscribe.
 */
interface ChannelWithOptions {
  channelOptions?: Ably.ChannelOptions & { channelCipher?: unknown };
}

/** Ably's code for a rewind backlog cut to its limit, reported on the ATTACHED state change. */
const REWIND_TRUNCATED_CODE = 90004;

/** States in which the channel has lost (or may have lost) message continuity. */
const LOST_STATES: ReadonlySet<string> = new Set(['suspended', 'failed', 'detached']);

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/**
 * Hydrate a store from a channel, go live with no gap and no overlap, and keep watching continuity:
 * when the channel reattaches without `resumed`, is suspended, failed or detached, the store is
 * re-hydrated automatically (its status goes `resyncing` and `resyncCount` grows).
 *
 * With `rewind`, the rewind param is set on the channel before its first attach; a channel that is
 * already attached cannot rewind, so it is hydrated from history instead.
 *
 * @example
 * ```ts
 * const store = createResponseStore();
 * const channel = realtime.channels.get('ai:conversation-42');
 * const sync = connectChannel(channel, store, { strategy: 'history', seed: await loadCompleted() });
 * await sync.ready;
 * // later: sync.stop(); store.dispose();
 * ```
 */
export function connectChannel(
  channel: Ably.RealtimeChannel,
  store: ConnectedStore,
  options: ConnectChannelOptions,
): ChannelSync {
  let resolveReady!: () => void;
  const ready = new Promise<void>((resolve) => {
    resolveReady = resolve;
  });
  const invalid = validate(options);
  if (invalid) {
    store.setSync('error', false, invalid);
    resolveReady();
    return { ready, stop() {}, state: 'error', hasOlder: false, loadOlder: () => Promise.resolve() };
  }
  if (options.seed) store.seed(options.seed);

  const pageSize = options.historyPageSize ?? 100;
  const pageTurns = options.pageTurns;
  /** Paged hydration: the oldest page read so far, when older ones follow. */
  let older: Ably.PaginatedResult<Ably.InboundMessage> | undefined;
  /** Paged hydration: the read of older pages in progress. */
  let loadingOlder: Promise<void> | undefined;
  const maxPages = options.maxHistoryPages ?? 50;
  const maxMessages = options.maxHistoryMessages ?? 10_000;
  const settleMs = options.rewindSettleMs ?? 100;
  const rewind = options.rewind ?? '100';
  const canRewind = channel.state === 'initialized' || channel.state === 'detached' || channel.state === 'failed';
  const strategy: HydrationStrategy = options.strategy === 'rewind' && canRewind ? 'rewind' : 'history';

  const machine = createHydrationMachine();
  const isStopped = () => machine.state === 'stopped';
  let subscribed = false;
  /** Live messages held back while history is read; undefined when messages go straight to the store. */
  let queue: unknown[] | undefined;
  /** Incremented by every hydration run; a run that sees another number was superseded. */
  let generation = 0;
  /**
   * Set while this sync itself detaches or attaches the channel: state events are ours until the
   * channel reaches this state (the SDK may settle its promise before or after emitting the event).
   */
  let expecting: Ably.ChannelState | undefined;
  /** True while a hydration run is in progress (it backfills missing beginnings itself). */
  let runInProgress = false;
  /** A run that sees another generation, or a stopped sync, drops what it read. */
  const superseded = (run: number) => run !== generation || isStopped();
  /** Rewind: responseIds of message-per-token responses seen on the channel so far. */
  const seenTokenResponses = new Set<string>();
  /** Rewind: a backfill is running, and whether another was asked for meanwhile. */
  let backfilling = false;
  let backfillAgain = false;
  /** Rewind: such a response turned up during a hydration run, after that run's own backfill began. */
  let backfillAfterHydration = false;

  /**
   * Rewind: a message-per-token response first met through anything but its start began before what
   * reached us (a backlog arriving after the settle time, a window that cut it). Read its beginning.
   */
  const watchFirstContact = (message: Ably.InboundMessage) => {
    const name = message.name;
    if (name !== TOKEN_EVENT_NAMES.token && name !== TOKEN_EVENT_NAMES.stop && name !== TOKEN_EVENT_NAMES.start) {
      return;
    }
    const responseId = headerOf(message, RESPONSE_ID_HEADER);
    if (responseId === undefined || seenTokenResponses.has(responseId)) return;
    seenTokenResponses.add(responseId);
    if (name === TOKEN_EVENT_NAMES.start) return;
    if (runInProgress) backfillAfterHydration = true;
    else requestBackfill();
  };

  const onMessage = (message: Ably.InboundMessage) => {
    if (isStopped()) return;
    if (strategy === 'rewind') watchFirstContact(message);
    if (queue) queue.push(message);
    else store.apply(message);
  };

  const drainQueue = () => {
    const held = queue;
    queue = undefined;
    if (held) for (const message of held) store.apply(message);
  };

  const newestSeedTime = (): number | undefined => {
    let newest: number | undefined;
    for (const response of store.getSnapshot().responses) {
      if (response.seeded && (newest === undefined || response.createdAt > newest)) newest = response.createdAt;
    }
    return newest;
  };

  /** Run a detach or attach of our own, so its state events are not taken for a loss of continuity. */
  async function own<T>(target: Ably.ChannelState, operation: () => Promise<T>): Promise<T> {
    // No event follows when the channel is already there.
    expecting = channel.state === target ? undefined : target;
    try {
      return await operation();
    } catch (error) {
      expecting = undefined;
      throw error;
    }
  }

  function subscribeOrAttach(): Promise<Ably.ChannelStateChange | null> {
    return own('attached', () => {
      if (!subscribed) {
        subscribed = true;
        // The SDK refuses to subscribe on a failed channel: attach it first.
        if (channel.state === 'failed') return channel.attach().then(() => channel.subscribe(onMessage));
        // With `attachOnSubscribe: false` (ably/react's ChannelProvider) subscribing does not attach.
        return channel
          .subscribe(onMessage)
          .then((change) => (channel.state === 'attached' ? change : channel.attach()));
      }
      return channel.attach();
    });
  }

  async function readHistory(run: number, untilAttach: boolean): Promise<void> {
    const start = newestSeedTime();
    const params: Ably.RealtimeHistoryParams = { untilAttach, limit: pageSize };
    if (start !== undefined) params.start = start;
    const turns = new Set<string>();
    const walk = await walkHistory(channel, params, {
      maxPages,
      maxMessages,
      cancelled: () => superseded(run),
      ...(pageTurns === undefined ? {} : turnCounter(turns, pageTurns)),
    });
    if (!walk) return;
    older = walk.older;
    if (walk.limited) {
      store.report({
        kind: 'history-truncated',
        message: `History read stopped at ${walk.collected.length} messages in ${walk.pages} pages; older responses are not shown`,
        received: undefined,
      });
    }
    // Pages come newest first; the reducer folds oldest first, then the held live messages follow.
    store.applyHistoryPage(walk.collected);
    drainQueue();
  }

  /** Rewind: the backfill's chunk, asked for when the sync starts so it is there by the first attach. */
  let backfillModule: Promise<typeof import('./rewind-backfill.js')> | undefined;
  const loadBackfill = () => {
    // A failed load is tried again by the next backfill.
    backfillModule ??= import('./rewind-backfill.js').catch((error: unknown) => {
      backfillModule = undefined;
      throw error;
    });
    return backfillModule;
  };
  const backfillContext = {
    channel,
    store,
    pageSize,
    maxPages,
    maxMessages,
    rewind,
    superseded,
    newestSeedTime,
  };
  /** Rewind: read the beginnings the window cut off (see `rewind-backfill.ts`). */
  async function backfill(run: number, toLimits: boolean): Promise<void> {
    let chunk: typeof import('./rewind-backfill.js');
    try {
      chunk = await loadBackfill();
    } catch (error) {
      // Like a history read that fails: go on live, and say which responses may lack their beginning.
      if (!superseded(run)) {
        store.report({
          kind: 'history-truncated',
          message: `Rewind replays at most ${rewind} messages and the backfill could not load (${String(error)}); responses without their beginning stay incomplete`,
          received: undefined,
        });
      }
      return;
    }
    await chunk.backfillBeginnings(backfillContext, run, toLimits);
  }

  /** Rewind, once live: backfill again (one run at a time) when a response turned up without its start. */
  function requestBackfill(): void {
    if (backfilling) {
      backfillAgain = true;
      return;
    }
    backfilling = true;
    // After the message that asked for it was applied.
    queueMicrotask(async () => {
      try {
        do {
          backfillAgain = false;
          if (isStopped()) break;
          await backfill(generation, false);
        } while (backfillAgain);
      } finally {
        backfilling = false;
      }
    });
  }

  async function hydrate(kind: 'initial' | 'resync', needsAttach: boolean): Promise<void> {
    const run = ++generation;
    runInProgress = true;
    machine.transition(kind === 'initial' ? 'hydrating' : 'resyncing');
    store.setSync(kind === 'initial' ? 'hydrating' : 'resyncing', false);
    try {
      if (strategy === 'rewind') {
        if (kind === 'resync' && !needsAttach && channel.state === 'attached' && (await resyncFromHistory(run))) {
          return finishRun(run);
        }
        if (kind === 'resync' && subscribed && (channel.state === 'attached' || channel.state === 'attaching')) {
          // A fresh attach (no channel serial) is what makes Ably rewind again.
          await own('detached', () => channel.detach());
        }
        if (kind === 'initial') {
          const { channelCipher: _derived, ...current } =
            (channel as unknown as ChannelWithOptions).channelOptions ?? {};
          await channel.setOptions({ ...current, params: { ...current.params, rewind } });
        }
        drainQueue();
        const change = await subscribeOrAttach();
        if (change?.hasBacklog && settleMs > 0) await sleep(settleMs);
        if (superseded(run)) return;
        // This backfill covers everything received so far.
        backfillAfterHydration = false;
        await backfill(run, change?.reason?.code === REWIND_TRUNCATED_CODE);
      } else {
        queue ??= [];
        // A channel someone else attached earlier has an attach point before our subscription: messages
        // since then reached only their listeners. Read history up to now instead; the overlap with the
        // held live messages is dropped by the reducer.
        const attachedBeforeUs = !subscribed && channel.state === 'attached';
        if (needsAttach || !subscribed || channel.state !== 'attached') await subscribeOrAttach();
        if (superseded(run)) return;
        await readHistory(run, !attachedBeforeUs);
      }
      finishRun(run);
    } catch (error) {
      if (superseded(run)) return;
      // Go live with what we have, and say what went wrong.
      runInProgress = false;
      machine.transition('error');
      drainQueue();
      store.setSync('error', false, errorWithHint(error));
      resolveReady();
    }
  }

  function finishRun(run: number): void {
    if (superseded(run)) return;
    runInProgress = false;
    machine.transition('live');
    store.setSync('live', true);
    if (backfillAfterHydration) {
      backfillAfterHydration = false;
      requestBackfill();
    }
    resolveReady();
  }

  /**
   * Rewind strategy after a reattach without `resumed`: read history up to the new attach point, which
   * (unlike a fresh rewind, capped at 100 messages) also covers long message-per-token gaps. Returns
   * false when the key lacks the history capability, so the caller rewinds instead.
   */
  async function resyncFromHistory(run: number): Promise<boolean> {
    queue ??= [];
    try {
      await readHistory(run, true);
      return true;
    } catch (error) {
      if (!isPermanent(ResumableError.from(error).code)) throw error;
      drainQueue();
      return false;
    }
  }

  // Start after the SDK finished emitting this state change: a detach or attach requested from inside
  // its listeners would see the same event on the SDK's internal emitter and fail.
  const resyncSoon = (needsAttach: boolean) => {
    queueMicrotask(() => {
      if (!isStopped()) void hydrate('resync', needsAttach);
    });
  };

  const onStateChange = (change: Ably.ChannelStateChange) => {
    if (isStopped()) return;
    if (expecting !== undefined) {
      if (change.current === expecting) expecting = undefined;
      // Our own attach failing is reported by the attach itself (no retry loop against the server).
      if (change.current === 'failed') expecting = undefined;
      if (change.current !== 'suspended') return;
      // A suspension during our own transition is a real loss: handle it below.
      expecting = undefined;
    }
    if (change.current === 'attached') {
      // `attached` after a loss, or an `update` while attached: without `resumed`, messages may be missing.
      const lost = machine.state === 'lost' || machine.state === 'failed';
      if (!change.resumed || lost) {
        machine.transition('resyncing');
        // Hold live messages from the new attach point on until the missed ones are read.
        queue ??= [];
        resyncSoon(false);
      }
      return;
    }
    if (!LOST_STATES.has(change.current)) return;
    if (strategy === 'history') queue ??= [];
    generation++;
    machine.transition('lost');
    const reason = change.reason
      ? errorWithHint(change.reason)
      : new ResumableError(
          KIT_ERROR_CODES.continuityLost,
          `Channel ${channel.name} is ${change.current}; messages may be missed`,
          'The store re-hydrates when the channel is attached again.',
        );
    if (change.current === 'failed' && isPermanent(reason.code)) {
      // Credentials or capabilities will not change by retrying; a later attach by the app re-hydrates.
      machine.transition('failed');
      store.setSync('error', false, reason);
      return;
    }
    store.setSync('resyncing', false, reason);
    if (change.current !== 'suspended') {
      // The SDK reattaches a suspended channel on its own; a failed or detached one needs an attach.
      machine.transition('resyncing');
      resyncSoon(true);
    }
  };

  const subscribeRepairs = store.subscribeRepairs?.bind(store);
  const stopRepairs = subscribeRepairs
    ? startRepairReads(
        channel,
        {
          apply: (message) => store.apply(message),
          applyHistoryPage: (page) => store.applyHistoryPage(page),
          report: (diagnostic) => store.report(diagnostic),
          subscribeRepairs,
        },
        { historyPageSize: pageSize, maxHistoryPages: maxPages, maxHistoryMessages: maxMessages },
      )
    : () => undefined;

  const stop = () => {
    if (isStopped()) return;
    machine.transition('stopped');
    stopRepairs();
    generation++;
    queue = undefined;
    channel.off(onStateChange);
    channel.unsubscribe(onMessage);
    options.signal?.removeEventListener('abort', stop);
    resolveReady();
  };

  /** Read the next stretch of older history (paged hydration) and fold it into the store. */
  async function readOlder(): Promise<void> {
    const from = older;
    if (!from || isStopped()) return;
    const run = generation;
    try {
      const firstPage = await from.next();
      if (!firstPage || superseded(run)) return;
      const turns = new Set<string>();
      const walk = await walkHistory(
        channel,
        {},
        {
          maxPages,
          maxMessages,
          firstPage,
          cancelled: () => superseded(run),
          ...turnCounter(turns, pageTurns ?? Number.POSITIVE_INFINITY),
        },
      );
      if (!walk) return;
      if (older === from) older = walk.older;
      store.applyHistoryPage(walk.collected);
    } catch (error) {
      store.report({
        kind: 'history-truncated',
        message: `Older history could not be read: ${errorWithHint(error).message}`,
        received: undefined,
      });
    }
  }

  const handle: ChannelSync = {
    ready,
    stop,
    get state() {
      return machine.state;
    },
    get hasOlder() {
      return older !== undefined && !isStopped();
    },
    loadOlder() {
      loadingOlder ??= readOlder().finally(() => {
        loadingOlder = undefined;
      });
      return loadingOlder;
    },
  };
  if (options.signal?.aborted) {
    stop();
    return handle;
  }
  options.signal?.addEventListener('abort', stop);
  channel.on(onStateChange);
  if (strategy === 'rewind') loadBackfill().catch(() => undefined);
  void hydrate('initial', false);
  return handle;
}

/** Walk hooks that stop after the page on which `limit` distinct turns were seen. */
function turnCounter(turns: Set<string>, limit: number) {
  return {
    onItem: (item: Ably.InboundMessage) => {
      const turnId = headerOf(item, TURN_ID_HEADER);
      if (item.name === TURN_MESSAGE_NAME && turnId !== undefined) turns.add(turnId);
    },
    done: () => turns.size >= limit,
  };
}
