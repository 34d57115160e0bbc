import type * as Ably from 'ably';
import { KIT_ERROR_CODES, ResumableError } from './errors.js';
import { startRepairReads } from './repair-reads.js';
import type { ResponseStore } from './response-store.js';
import type { HydrationStrategy, SeedResponse } from './types.js';
import { RESPONSE_ID_HEADER, TOKEN_EVENT_NAMES } from './wire.js';

/**
 * Options of {@link connectChannel}.
 *
 * @example
 * ```ts
 * const options: ConnectChannelOptions = { strategy: 'rewind', rewind: '50', signal: controller.signal };
 * ```
 */
export interface ConnectChannelOptions {
  /**
   * `rewind`: the channel replays its recent messages on the first attach (no history capability
   * needed). Rewind counts messages, so a long message-per-token response can begin before the
   * window: its beginning is then read from `history({ untilAttach: true })` when the key allows it,
   * otherwise the response is flagged `incomplete` and a `history-truncated` diagnostic says why.
   * `history`: subscribe, queue live messages, read `history({ untilAttach: true })`, fold
   * it oldest first, then drain the queue.
   */
  readonly strategy: HydrationStrategy;
  /** Rewind param (count like `'100'` or time like `'2m'`). Default `'100'`, Ably's maximum count. */
  readonly rewind?: string;
  /** Completed responses from the app's database; history is read only from the newest one onwards. */
  readonly seed?: readonly SeedResponse[];
  /** Messages per history page (1 to 1000). Default 100. */
  readonly historyPageSize?: number;
  /** Stop reading history after this many pages (a `history-truncated` diagnostic says so). Default 50. */
  readonly maxHistoryPages?: number;
  /** Stop reading history after this many messages. Default 10 000. */
  readonly maxHistoryMessages?: number;
  /**
   * With `rewind`, how long to wait after the attach for the backlog before reporting caught up.
   * The backlog follows the attach at once; Ably marks nothing at its end. Default 100 ms.
   */
  readonly rewindSettleMs?: number;
  /** Stops the sync when aborted (the component went away). */
  readonly signal?: AbortSignal;
}

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
}

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

function invalidOptionsError(message: string, hint: string): ResumableError {
  return new ResumableError(KIT_ERROR_CODES.invalidOptions, message, hint);
}

function validate(options: ConnectChannelOptions): ResumableError | undefined {
  if (options.strategy !== 'rewind' && options.strategy !== 'history') {
    return invalidOptionsError(
      `Unknown hydration strategy ${JSON.stringify(options.strategy)}`,
      'Use strategy "rewind" or "history".',
    );
  }
  const size = options.historyPageSize;
  if (size !== undefined && !(Number.isInteger(size) && size >= 1 && size <= 1000)) {
    return invalidOptionsError(`historyPageSize ${size} is out of range`, 'Ably pages hold 1 to 1000 messages.');
  }
  for (const key of ['maxHistoryPages', 'maxHistoryMessages'] as const) {
    const value = options[key];
    if (value !== undefined && !(typeof value === 'number' && value >= 1)) {
      return invalidOptionsError(`${key} ${value} is out of range`, `Give ${key} a number of at least 1.`);
    }
  }
  if (options.rewind !== undefined && !/^\d+[sm]?$/.test(options.rewind)) {
    return invalidOptionsError(
      `Rewind ${JSON.stringify(options.rewind)} is not a count or a time`,
      'Use a message count like "100" (at most 100) or a time like "30s" or "2m".',
    );
  }
  return undefined;
}

function errorWithHint(error: unknown): ResumableError {
  const wrapped = ResumableError.from(error);
  if (wrapped.code === 40160) {
    return new ResumableError(
      wrapped.code,
      wrapped.message,
      'The key or token lacks a capability this strategy needs: "subscribe" for every strategy and "history" for strategy "history" (or use strategy "rewind").',
      wrapped.statusCode,
      { cause: error },
    );
  }
  return wrapped;
}

/** Errors that an attach retry cannot fix: authentication and capability (401xx, 403xx). */
function isPermanent(code: number): boolean {
  return (code >= 40100 && code < 40200) || (code >= 40300 && code < 40400);
}

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
  store: ResponseStore,
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
    return { ready, stop() {} };
  }
  if (options.seed) store.seed(options.seed);

  const pageSize = options.historyPageSize ?? 100;
  const maxPages = options.maxHistoryPages ?? 50;
  const maxMessages = options.maxHistoryMessages ?? 10_000;
  const settleMs = options.rewindSettleMs ?? 100;
  const rewind = options.rewind ?? '100';
  const canRewind = channel.state === 'initialized' || channel.state === 'detached' || channel.state === 'failed';
  const strategy: HydrationStrategy = options.strategy === 'rewind' && canRewind ? 'rewind' : 'history';

  let stopped = false;
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
  /** Set when continuity was lost; the next attach re-hydrates even if it reports `resumed`. */
  let lostPending = false;
  /** True while a hydration run is in progress (it backfills missing beginnings itself). */
  let hydrating = false;
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
    const responseId: unknown = message.extras?.headers?.[RESPONSE_ID_HEADER];
    if (typeof responseId !== 'string' || seenTokenResponses.has(responseId)) return;
    seenTokenResponses.add(responseId);
    if (name === TOKEN_EVENT_NAMES.start) return;
    if (hydrating) backfillAfterHydration = true;
    else requestBackfill();
  };

  const onMessage = (message: Ably.InboundMessage) => {
    if (stopped) return;
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
    let page: Ably.PaginatedResult<Ably.InboundMessage> | null = await channel.history(params);
    const collected: Ably.InboundMessage[] = [];
    let pages = 0;
    let truncated = false;
    while (page) {
      if (run !== generation || stopped) return;
      pages++;
      for (const item of page.items) {
        if (collected.length >= maxMessages) {
          truncated = true;
          break;
        }
        collected.push(item);
      }
      if (truncated || !page.hasNext()) break;
      if (pages >= maxPages) {
        truncated = true;
        break;
      }
      page = await page.next();
    }
    if (run !== generation || stopped) return;
    if (truncated) {
      store.report({
        kind: 'history-truncated',
        message: `History read stopped at ${collected.length} messages in ${pages} pages; older responses are not shown`,
        received: undefined,
      });
    }
    // Pages come newest first; the reducer folds oldest first, then the held live messages follow.
    store.applyHistoryPage(collected);
    drainQueue();
  }

  /** ResponseIds of message-per-token responses whose beginning has not reached the store. */
  function missingBeginnings(): Set<string> {
    const missing = new Set<string>();
    for (const response of store.getSnapshot().responses) {
      if (response.incomplete && response.pattern === 'message-per-token' && response.responseId !== undefined) {
        missing.add(response.responseId);
      }
    }
    return missing;
  }

  /**
   * Rewind: read history back from the attach point until every message-per-token response that lacks
   * its beginning has its `start` (or full text), or until the limits; with `toLimits` (the backlog was
   * cut by the server) read as far as the limits allow. Live messages keep flowing meanwhile: the
   * reducer drops the overlap. What cannot be read is reported, and the responses stay `incomplete`.
   */
  async function backfill(run: number, toLimits: boolean): Promise<void> {
    const missing = missingBeginnings();
    if (missing.size === 0 && !toLimits) return;
    const params: Ably.RealtimeHistoryParams = { untilAttach: true, limit: pageSize };
    const start = newestSeedTime();
    if (start !== undefined) params.start = start;
    const collected: Ably.InboundMessage[] = [];
    let pages = 0;
    let limited = false;
    let failure: ResumableError | undefined;
    try {
      let page: Ably.PaginatedResult<Ably.InboundMessage> | null = await channel.history(params);
      while (page) {
        if (run !== generation || stopped) return;
        pages++;
        for (const item of page.items) {
          if (collected.length >= maxMessages) {
            limited = true;
            break;
          }
          collected.push(item);
          if (item.name === TOKEN_EVENT_NAMES.start || item.name === TOKEN_EVENT_NAMES.complete) {
            missing.delete(item.extras?.headers?.[RESPONSE_ID_HEADER]);
          }
        }
        if (limited || (missing.size === 0 && !toLimits) || !page.hasNext()) break;
        if (pages >= maxPages) {
          limited = true;
          break;
        }
        page = await page.next();
      }
    } catch (error) {
      failure = errorWithHint(error);
    }
    if (run !== generation || stopped) return;
    // Pages come newest first; the reducer folds them oldest first and drops what it already has.
    if (collected.length > 0) store.applyHistoryPage(collected);
    const stillMissing = missingBeginnings().size;
    if (failure) {
      store.report({
        kind: 'history-truncated',
        message: `Rewind replays at most ${rewind} messages and history could not be read (${failure.code}: ${failure.message}); ${stillMissing} response(s) without their beginning are flagged incomplete`,
        received: undefined,
      });
    } else if (stillMissing > 0 || (toLimits && limited)) {
      store.report({
        kind: 'history-truncated',
        message: `History read back ${collected.length} messages in ${pages} pages${limited ? ' (the limit)' : ''}; ${stillMissing} response(s) without their beginning are flagged incomplete`,
        received: undefined,
      });
    }
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
          if (stopped) break;
          await backfill(generation, false);
        } while (backfillAgain);
      } finally {
        backfilling = false;
      }
    });
  }

  async function hydrate(kind: 'initial' | 'resync', needsAttach: boolean): Promise<void> {
    const run = ++generation;
    hydrating = true;
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
        if (run !== generation || stopped) return;
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
        if (run !== generation || stopped) return;
        await readHistory(run, !attachedBeforeUs);
      }
      finishRun(run);
    } catch (error) {
      if (run !== generation || stopped) return;
      // Go live with what we have, and say what went wrong.
      hydrating = false;
      drainQueue();
      store.setSync('error', false, errorWithHint(error));
      resolveReady();
    }
  }

  function finishRun(run: number): void {
    if (run !== generation || stopped) return;
    hydrating = false;
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
      if (!stopped) void hydrate('resync', needsAttach);
    });
  };

  const onStateChange = (change: Ably.ChannelStateChange) => {
    if (stopped) return;
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
      if (!change.resumed || lostPending) {
        lostPending = false;
        // Hold live messages from the new attach point on until the missed ones are read.
        queue ??= [];
        resyncSoon(false);
      }
      return;
    }
    if (!LOST_STATES.has(change.current)) return;
    if (strategy === 'history') queue ??= [];
    generation++;
    lostPending = true;
    const reason = change.reason
      ? errorWithHint(change.reason)
      : new ResumableError(
          KIT_ERROR_CODES.continuityLost,
          `Channel ${channel.name} is ${change.current}; messages may be missed`,
          'The store re-hydrates when the channel is attached again.',
        );
    if (change.current === 'failed' && isPermanent(reason.code)) {
      // Credentials or capabilities will not change by retrying; a later attach by the app re-hydrates.
      store.setSync('error', false, reason);
      return;
    }
    store.setSync('resyncing', false, reason);
    if (change.current !== 'suspended') {
      // The SDK reattaches a suspended channel on its own; a failed or detached one needs an attach.
      lostPending = false;
      resyncSoon(true);
    }
  };

  const stopRepairs = startRepairReads(channel, store, {
    historyPageSize: pageSize,
    maxHistoryPages: maxPages,
    maxHistoryMessages: maxMessages,
  });

  const stop = () => {
    if (stopped) return;
    stopped = true;
    stopRepairs();
    generation++;
    queue = undefined;
    channel.off(onStateChange);
    channel.unsubscribe(onMessage);
    options.signal?.removeEventListener('abort', stop);
    resolveReady();
  };

  if (options.signal?.aborted) {
    stop();
    return { ready, stop };
  }
  options.signal?.addEventListener('abort', stop);
  channel.on(onStateChange);
  void hydrate('initial', false);
  return { ready, stop };
}
