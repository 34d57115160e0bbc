/**
 * The response store: composes the reducers (`reduce-per-response.ts`, `reduce-per-token.ts`) over plain state
 * (`reducer-state.ts`, `store-entry.ts`) with a notifier (`notifier.ts`) and one staleness clock
 * (`staleness-clock.ts`).
 *
 * @module
 */
import type { ResumableError } from './errors.js';
import { type InboundMessage, readInbound } from './inbound.js';
import { createNotifier } from './notifier.js';
import { applyPerResponse } from './reduce-per-response.js';
import { applyPerToken } from './reduce-per-token.js';
import { createReducerState, type ReducerContext, type ReducerState } from './reducer-state.js';
import { createRepairRequests } from './repair-requests.js';
import { createMicrotaskScheduler } from './schedulers.js';
import { applySeeds } from './seed.js';
import { createStalenessClock, type StalenessClock } from './staleness-clock.js';
import { type Entry, materialize, serialId, statusOf, textIsEmpty, tokenId } from './store-entry.js';
import type {
  Diagnostic,
  NotifyScheduler,
  RepairRequest,
  ResponseStoreSnapshot,
  SeedResponse,
  StreamedResponse,
  SyncStatus,
} from './types.js';
import { PART_HEADER, RESPONSE_MESSAGE_NAME, TOKEN_EVENT_NAMES } from './wire.js';

/**
 * Options of {@link createResponseStore}.
 *
 * @example
 * ```ts
 * createResponseStore({ staleAfterMs: 20_000, onDiagnostic: (d) => console.warn(d.kind, d.message) });
 * ```
 */
export interface ResponseStoreOptions {
  /** A response still streaming that hears nothing for longer than this becomes `stale`. Default 30 000 ms. */
  readonly staleAfterMs?: number;
  /** When subscribers are told about changes. Default: on a microtask. */
  readonly scheduler?: NotifyScheduler;
  /** Called for every message kept out of the text (and for benign duplicates); never throws into the store. */
  readonly onDiagnostic?: (diagnostic: Diagnostic) => void;
  /** Completed responses from the app's database. Channel messages for the same `responseId` are skipped. */
  readonly seed?: readonly SeedResponse[];
  /** Local clock in ms (tests pass a fake one). Default `Date.now`. */
  readonly now?: () => number;
  /**
   * How many of the newest tokens of a message-per-token response keep their serial, so a token that
   * arrives out of order is put in its place and a repeated one is recognised. Tokens older than the
   * window count as duplicates. Default 256.
   */
  readonly reorderWindow?: number;
}

/**
 * Counts of everything kept out of the text, by kind.
 *
 * @example
 * ```ts
 * const { total, byKind } = store.getDiagnostics();
 * if (byKind['orphan-append']) console.warn(`${byKind['orphan-append']} appends for unknown responses`);
 * ```
 */
export interface DiagnosticCounts {
  readonly total: number;
  readonly byKind: Partial<Record<Diagnostic['kind'], number>>;
}

/**
 * Holds the responses streamed on one channel and rebuilds them from any sequence of Ably messages.
 * Every path (live, rewind, history, replay after a resume) goes through the same idempotent
 * {@link ResponseStore.apply}.
 *
 * @example
 * ```ts
 * const store = createResponseStore();
 * const stop = store.subscribeResponse('token:r1', () => {
 *   const response = store.getResponse('token:r1');
 *   if (response) console.log(response.status, response.text.length);
 * });
 * store.apply(message); // any inbound Ably message, any number of times
 * ```
 */
export interface ResponseStore {
  /** Apply any inbound Ably message. Idempotent; bad input is counted as a diagnostic; never throws. */
  apply(message: unknown): void;
  /** Apply one page of `channel.history()` as returned (newest first): it is folded oldest first. */
  applyHistoryPage(newestFirst: readonly unknown[]): void;
  /** Add completed responses from the app's database (joined with channel messages by `responseId`). */
  seed(responses: readonly SeedResponse[]): void;
  /** Everything the store holds; the same object until something changes. */
  getSnapshot(): ResponseStoreSnapshot;
  /** Ids of the responses in display order; the same array until a response is added or removed. */
  getResponseIds(): readonly string[];
  /** One response; the same object until that response changes. */
  getResponse(id: string): StreamedResponse | undefined;
  /** The response carrying this `responseId` header (the newest one if several do). */
  findByResponseId(responseId: string): StreamedResponse | undefined;
  /** Be told about any change (a response, the list, the sync status). Returns the unsubscribe function. */
  subscribe(listener: () => void): () => void;
  /** Be told only about changes to one response. Returns the unsubscribe function. */
  subscribeResponse(id: string, listener: () => void): () => void;
  /** Record where hydration stands; `resyncing` after another status counts one more resync. */
  setSync(status: SyncStatus, caughtUp: boolean, error?: ResumableError): void;
  /** Counts of everything kept out of the text. */
  getDiagnostics(): DiagnosticCounts;
  /** Count and forward a diagnostic found outside the reducer (e.g. a history read cut short). */
  report(diagnostic: Diagnostic): void;
  /**
   * Be told about every response the store needs read again from the channel (`getMessage` or history):
   * one first met through an append fragment, or one whose text fails its end marker's length and
   * checksum. Requests made before anyone listened are delivered on subscribe. `connectChannel` listens
   * and re-reads; the response shows `incomplete` until its text is whole.
   */
  subscribeRepairs(listener: (request: RepairRequest) => void): () => void;
  /** Stop timers and notifications; later calls to apply are ignored. */
  dispose(): void;
}

/** The kind of message a response store gives to a reducer, by name. */
type Route = 'per-response' | 'per-token' | 'other';

/**
 * Which reducer a message goes to. A message without a name is a mutation of a known message-per-response
 * serial (some deliveries omit the name); anything else belongs to the app and is not an error.
 */
export function routeOf(message: InboundMessage, isKnownSerial: (serial: string) => boolean): Route {
  const name = message.name;
  if (name === RESPONSE_MESSAGE_NAME) return 'per-response';
  if (
    name === TOKEN_EVENT_NAMES.start ||
    name === TOKEN_EVENT_NAMES.token ||
    name === TOKEN_EVENT_NAMES.stop ||
    name === TOKEN_EVENT_NAMES.complete
  ) {
    return 'per-token';
  }
  if (name === undefined && message.serial !== undefined && isKnownSerial(message.serial)) return 'per-response';
  return 'other';
}

/** The part index a message names (absent = 0), or undefined when the header is not a part index. */
export function partIndexOf(message: InboundMessage): number | undefined {
  const raw = message.headers?.[PART_HEADER];
  if (raw === undefined) return 0;
  return /^(0|[1-9]\d{0,5})$/.test(raw) ? Number(raw) : undefined;
}

/**
 * Create a response store: the one idempotent reducer over Ably messages, for both streaming
 * patterns, with per-response subscriptions and notifications coalesced by a scheduler.
 *
 * @example
 * ```ts
 * import { createResponseStore } from '@resumable/core';
 * const store = createResponseStore({ staleAfterMs: 30_000 });
 * channel.subscribe((message) => store.apply(message));
 * store.subscribe(() => render(store.getSnapshot().responses));
 * ```
 */
export function createResponseStore(options: ResponseStoreOptions = {}): ResponseStore {
  const staleAfterMs = options.staleAfterMs ?? 30_000;
  const reorderWindow = Math.max(1, Math.floor(options.reorderWindow ?? 256));
  const state = createReducerState(reorderWindow);
  const notifier = createNotifier(options.scheduler ?? createMicrotaskScheduler());
  const diagnostics = createDiagnostics(options.onDiagnostic);
  const report = diagnostics.report;

  let syncStatus: SyncStatus = 'hydrating';
  let caughtUp = false;
  let syncError: ResumableError | undefined;
  let resyncCount = 0;
  let snapshot: ResponseStoreSnapshot | undefined;
  let ids: readonly string[] | undefined;
  let disposed = false;

  const clock: StalenessClock = createStalenessClock({
    staleAfterMs,
    now: options.now ?? Date.now,
    onImplausible: (time) =>
      report('bad-timestamp', `Timestamp ${time} is more than a day ahead of this clock; not used for staleness`, time),
    earliestActivity: () => earliestOpenActivity(state),
    sweep: (current) =>
      notifier.batch(() => {
        for (const entry of state.order) {
          if (!entry.ended && !entry.stale && current - entry.activityAt > staleAfterMs) {
            entry.stale = true;
            changed(entry, true);
          }
        }
      }),
  });

  function changed(entry: Entry | undefined, urgent: boolean, listChanged = false): void {
    if (disposed) return;
    snapshot = undefined;
    if (listChanged) ids = undefined;
    if (entry) entry.cache = undefined;
    notifier.changed(entry?.id, urgent);
  }

  const repairs = createRepairRequests(() => disposed);

  const context: ReducerContext = {
    report,
    changed,
    requestRepair: repairs.request,
    touched(entry, message, wasEmpty, statusBefore, urgentAnyway = false) {
      touchEntry(entry, message, clock);
      const urgent = urgentAnyway || statusOf(entry) !== statusBefore || (wasEmpty && !textIsEmpty(entry));
      changed(entry, urgent);
      if (!entry.ended) clock.ensure();
    },
    serverNow: clock.serverNow,
    observeServerTime: clock.observe,
    ensureStaleTimer: clock.ensure,
    tokenEntryId: (responseId) => tokenId(responseId),
  };

  function applyOne(received: unknown): void {
    const message = readInbound(received, report);
    if (message === undefined || message === 'ignore') return;
    const route = routeOf(message, (serial) => state.entries.has(serialId(serial)));
    if (route === 'other') return;
    // Parts after the first belong to conversations (a conversation store); this store shows part 0.
    if (message.headers?.[PART_HEADER] !== undefined && partIndexOf(message) !== 0) return;
    if (route === 'per-response') applyPerResponse(state, context, message);
    else applyPerToken(state, context, message);
  }

  function apply(received: unknown): void {
    if (disposed) return;
    notifier.batch(() => {
      try {
        applyOne(received);
      } catch (error) {
        report('internal-error', `Message could not be applied: ${String(error)}`, received);
      }
    });
  }

  function seed(responses: readonly SeedResponse[]): void {
    if (disposed) return;
    applySeeds(state, responses, { splitParts: false }, report, changed);
  }

  if (options.seed) seed(options.seed);

  return {
    apply,
    applyHistoryPage(newestFirst) {
      notifier.batch(() => {
        for (let index = newestFirst.length - 1; index >= 0; index--) apply(newestFirst[index]);
      });
    },
    seed: (responses) => notifier.batch(() => seed(responses)),
    getSnapshot() {
      snapshot ??= Object.freeze({
        responses: Object.freeze(state.order.map(materialize)),
        syncStatus,
        caughtUp,
        error: syncError,
        resyncCount,
      });
      return snapshot;
    },
    getResponseIds() {
      ids ??= Object.freeze(state.order.map((entry) => entry.id));
      return ids;
    },
    getResponse(id) {
      const entry = state.entries.get(id);
      return entry && !entry.deleted ? materialize(entry) : undefined;
    },
    findByResponseId(responseId) {
      const entry = state.byResponseId.get(responseId);
      return entry && !entry.deleted && state.entries.get(entry.id) === entry ? materialize(entry) : undefined;
    },
    subscribe: notifier.subscribe,
    subscribeResponse: notifier.subscribeKey,
    setSync(status, isCaughtUp, error) {
      if (disposed) return;
      if (status === syncStatus && isCaughtUp === caughtUp && error === syncError) return;
      if (status === 'resyncing' && syncStatus !== 'resyncing') resyncCount++;
      syncStatus = status;
      caughtUp = isCaughtUp;
      syncError = error;
      changed(undefined, true);
    },
    report(diagnostic) {
      report(diagnostic.kind, diagnostic.message, diagnostic.received);
    },
    getDiagnostics: diagnostics.counts,
    subscribeRepairs: repairs.subscribe,
    dispose() {
      if (disposed) return;
      disposed = true;
      repairs.dispose();
      notifier.dispose();
      clock.dispose();
    },
  };
}

/** Record that a message reached this entry: activity (server clock), last change, no longer stale. */
export function touchEntry(entry: Entry, message: InboundMessage, clock: StalenessClock): void {
  entry.activityAt = Math.max(entry.activityAt, clock.observe(message.versionTimestamp));
  if (message.versionTimestamp !== undefined) entry.updatedAt = Math.max(entry.updatedAt, message.versionTimestamp);
  entry.stale = false;
}

/** The oldest activity among entries that could still go stale. */
function earliestOpenActivity(state: ReducerState): number | undefined {
  let earliest: number | undefined;
  for (const entry of state.order) {
    if (!entry.ended && !entry.stale && (earliest === undefined || entry.activityAt < earliest)) {
      earliest = entry.activityAt;
    }
  }
  return earliest;
}

/** Counts diagnostics by kind and forwards them to the app's handler (whose failures are swallowed). */
export function createDiagnostics(onDiagnostic: ((diagnostic: Diagnostic) => void) | undefined) {
  let total = 0;
  const byKind: Partial<Record<Diagnostic['kind'], number>> = {};
  return {
    report(kind: Diagnostic['kind'], message: string, received: unknown): void {
      total++;
      byKind[kind] = (byKind[kind] ?? 0) + 1;
      if (onDiagnostic) {
        try {
          onDiagnostic({ kind, message, received });
        } catch {
          // A failing diagnostics handler must not break the reducer.
        }
      }
    },
    counts(): DiagnosticCounts {
      return { total, byKind: { ...byKind } };
    },
  };
}
