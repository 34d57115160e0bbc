/**
 * The conversation store: turns, responses and parts, built by composition from the same response reducers as
 * the response store (every part is one reducer entry) plus the control reducers (turns, cancel, regenerate).
 *
 * @module
 */
import type { ConnectedStore } from './connect-channel.js';
import { applyRequest, applyTurn, cancelRequestOf, createControlState, seedTurn } from './conversation-controls.js';
import type { ConversationResponse, ConversationSnapshot, ConversationTurn } from './conversation-types.js';
import { buildResponse, buildTurn, type ResponseRecord } from './conversation-view.js';
import type { ResumableError } from './errors.js';
import { type InboundMessage, readInbound } from './inbound.js';
import { createNotifier } from './notifier.js';
import { applyPerResponse } from './reduce-per-response.js';
import { applyPerToken } from './reduce-per-token.js';
import { createReducerState, type ReducerContext } from './reducer-state.js';
import { createRepairRequests } from './repair-requests.js';
import { createDiagnostics, type DiagnosticCounts, partIndexOf, routeOf, touchEntry } from './response-store.js';
import { createMicrotaskScheduler } from './schedulers.js';
import { applySeeds } from './seed.js';
import { compareSerials } from './serial.js';
import { createStalenessClock } from './staleness-clock.js';
import { type Entry, serialId, statusOf, textIsEmpty, tokenId } from './store-entry.js';
import type { Diagnostic, NotifyScheduler, SeedResponse, SyncStatus } from './types.js';
import {
  CANCEL_MESSAGE_NAME,
  isPartKind,
  PART_KIND_HEADER,
  REGENERATE_MESSAGE_NAME,
  RESPONSE_ID_HEADER,
  TURN_ID_HEADER,
  TURN_MESSAGE_NAME,
} from './wire.js';

/**
 * Options of {@link createConversationStore}.
 *
 * @example
 * ```ts
 * createConversationStore({ staleAfterMs: 20_000, onDiagnostic: (d) => console.warn(d.kind, d.message) });
 * ```
 */
export interface ConversationStoreOptions {
  /** A response still streaming that hears nothing for longer than this becomes `stale`. Default 30 000 ms. */
  readonly staleAfterMs?: number;
  readonly scheduler?: NotifyScheduler;
  readonly onDiagnostic?: (diagnostic: Diagnostic) => void;
  readonly now?: () => number;
  /** See `ResponseStoreOptions.reorderWindow`. Default 256. */
  readonly reorderWindow?: number;
}

/**
 * A conversation rebuilt from any sequence of channel messages (live, rewind, history pages, replays), through
 * one idempotent {@link ConversationStore.apply}. A channel sync (`connectChannel`) drives it like a response store.
 *
 * @example
 * ```ts
 * const store = createConversationStore();
 * const sync = connectChannel(channel, store, { strategy: 'history', pageTurns: 20 });
 * store.subscribe(() => render(store.getSnapshot().turns));
 * ```
 */
export interface ConversationStore extends ConnectedStore {
  getSnapshot(): ConversationSnapshot;
  /** One turn by its id (`turnId`, or `response:<responseId>`); the same object until it changes. */
  getTurn(id: string): ConversationTurn | undefined;
  /** One response by its responseId; the same object until it changes. */
  getResponse(responseId: string): ConversationResponse | undefined;
  subscribe(listener: () => void): () => void;
  /** Be told only about changes to one response. */
  subscribeResponse(responseId: string, listener: () => void): () => void;
  getDiagnostics(): DiagnosticCounts;
  dispose(): void;
}

/** Turn id of a response that answers no turn. */
const LOOSE_TURN_PREFIX = 'response:';

/**
 * Create a conversation store.
 *
 * @example
 * ```ts
 * import { createConversationStore } from '@resumable/core';
 * const store = createConversationStore();
 * channel.subscribe((message) => store.apply(message));
 * const { turns } = store.getSnapshot();
 * ```
 */
export function createConversationStore(options: ConversationStoreOptions = {}): ConversationStore {
  const staleAfterMs = options.staleAfterMs ?? 30_000;
  const state = createReducerState(Math.max(1, Math.floor(options.reorderWindow ?? 256)));
  const controls = createControlState();
  const notifier = createNotifier(options.scheduler ?? createMicrotaskScheduler());
  const diagnostics = createDiagnostics(options.onDiagnostic);
  const report = diagnostics.report;
  /** Response records by responseId (or entry id for a response without one). */
  const records = new Map<string, ResponseRecord>();
  const turnCache = new Map<string, ConversationTurn>();
  /**
   * The part headers each entry was named with, from its newest message that carried them (a per-token `stop`
   * carries none, and may arrive before the tokens).
   */
  const partHeadersById = new Map<string, { serial: string; headers: Readonly<Record<string, string>> }>();
  let syncStatus: SyncStatus = 'hydrating';
  let caughtUp = false;
  let syncError: ResumableError | undefined;
  let resyncCount = 0;
  let snapshot: ConversationSnapshot | undefined;
  let disposed = false;

  const clock = createStalenessClock({
    staleAfterMs,
    now: options.now ?? Date.now,
    earliestActivity: () => {
      let earliest: number | undefined;
      for (const entry of state.order) {
        if (!entry.ended && !entry.stale && (earliest === undefined || entry.activityAt < earliest)) {
          earliest = entry.activityAt;
        }
      }
      return earliest;
    },
    sweep: (current) =>
      notifier.batch(() => {
        for (const entry of state.order) {
          if (!entry.ended && !entry.stale && current - entry.activityAt > staleAfterMs) {
            entry.stale = true;
            entryChanged(entry, true);
          }
        }
      }),
  });

  function record(responseId: string): ResponseRecord {
    let found = records.get(responseId);
    if (!found) {
      found = { responseId, entries: new Map(), partHeaders: new Map(), cache: undefined };
      records.set(responseId, found);
    }
    return found;
  }

  function responseChanged(responseId: string, turnId: string | undefined, urgent: boolean): void {
    if (disposed) return;
    const found = records.get(responseId);
    if (found) found.cache = undefined;
    turnCache.delete(turnId ?? LOOSE_TURN_PREFIX + responseId);
    snapshot = undefined;
    notifier.changed(`r:${responseId}`, urgent);
  }

  function entryChanged(entry: Entry, urgent: boolean): void {
    entry.cache = undefined;
    const responseId = entry.responseId ?? entry.id;
    const found = record(responseId);
    if (state.entries.get(entry.id) === entry) found.entries.set(entry.id, entry);
    else found.entries.delete(entry.id);
    // A seeded part is named by its own headers; a channel part by the newest message that named it.
    const named = entry.seeded ? entry : partHeadersById.get(entry.id);
    if (named) found.partHeaders.set(entry.id, named.headers);
    found.turnId ??= entry.headers[TURN_ID_HEADER] || controls.expected.get(responseId)?.turnId;
    responseChanged(responseId, found.turnId, urgent);
  }

  const repairs = createRepairRequests(() => disposed);

  const context: ReducerContext = {
    report,
    requestRepair: repairs.request,
    changed: (entry, urgent) => entryChanged(entry, urgent),
    touched(entry, message, wasEmpty, statusBefore, urgentAnyway = false) {
      touchEntry(entry, message, clock);
      // As in the response store: a new part's first text and any status change are urgent, tokens can wait.
      entryChanged(entry, urgentAnyway || statusOf(entry) !== statusBefore || (wasEmpty && !textIsEmpty(entry)));
      if (!entry.ended) clock.ensure();
    },
    serverNow: clock.serverNow,
    observeServerTime: clock.observe,
    ensureStaleTimer: clock.ensure,
    tokenEntryId: (responseId, message) => {
      const part = partIndexOf(message);
      return part === undefined ? undefined : tokenId(responseId, part);
    },
  };

  function applyControl(received: ReturnType<typeof readInbound>): void {
    if (received === undefined || received === 'ignore') return;
    const change =
      received.name === TURN_MESSAGE_NAME
        ? applyTurn(controls, received, report)
        : applyRequest(controls, received, report);
    if (!change) return;
    if (change.turnId !== undefined) {
      turnCache.delete(change.turnId);
      for (const found of records.values()) if (found.turnId === change.turnId) found.cache = undefined;
      snapshot = undefined;
      notifier.changed(undefined, true);
    }
    if (change.responseId !== undefined) {
      const found = record(change.responseId);
      found.turnId ??= change.turnId ?? controls.expected.get(change.responseId)?.turnId;
      responseChanged(change.responseId, found.turnId, true);
    }
    // A turn naming its first responseId announces that response.
    const announced = received.name === TURN_MESSAGE_NAME ? received.headers?.[RESPONSE_ID_HEADER] : undefined;
    if (announced) {
      const found = record(announced);
      found.turnId ??= change.turnId;
      responseChanged(announced, found.turnId, true);
    }
  }

  function applyOne(received: unknown): void {
    const message = readInbound(received, report);
    if (message === undefined || message === 'ignore') return;
    const name = message.name;
    if (name === TURN_MESSAGE_NAME || name === CANCEL_MESSAGE_NAME || name === REGENERATE_MESSAGE_NAME) {
      applyControl(message);
      return;
    }
    const route = routeOf(message, (serial) => state.entries.has(serialId(serial)));
    if (route === 'other') {
      report('foreign', `Message "${String(name)}" is not part of the conversation convention; ignored`, received);
      return;
    }
    if (partIndexOf(message) === undefined) {
      report('bad-headers', 'The part header is not a part index (0, 1, 2, ...)', received);
      return;
    }
    const kind = message.headers?.[PART_KIND_HEADER];
    if (kind !== undefined && !isPartKind(kind)) {
      report('bad-headers', `Unknown part kind ${JSON.stringify(kind)}`, received);
      return;
    }
    if (route === 'per-response' && message.action === 'message.create' && !message.headers?.[RESPONSE_ID_HEADER]) {
      report('foreign', `A "response" message without a ${RESPONSE_ID_HEADER} header is not the kit's`, received);
      return;
    }
    rememberPartHeaders(message, route);
    if (route === 'per-response') applyPerResponse(state, context, message);
    else applyPerToken(state, context, message);
  }

  function rememberPartHeaders(message: InboundMessage, route: 'per-response' | 'per-token'): void {
    const headers = message.headers;
    const serial = message.versionSerial ?? message.serial;
    if (!headers || serial === undefined || headers[PART_KIND_HEADER] === undefined) return;
    const responseId = headers[RESPONSE_ID_HEADER];
    const id =
      route === 'per-token'
        ? responseId && tokenId(responseId, partIndexOf(message) ?? 0)
        : message.serial && serialId(message.serial);
    if (!id) return;
    const known = partHeadersById.get(id);
    if (!known || compareSerials(serial, known.serial) > 0) partHeadersById.set(id, { serial, headers });
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

  function materialize(found: ResponseRecord): ConversationResponse {
    found.cache ??= buildResponse(found, state, controls, cancelRequestOf(controls, found.responseId, found.turnId));
    return found.cache;
  }

  function turnOf(id: string, responses: readonly ResponseRecord[]): ConversationTurn {
    let turn = turnCache.get(id);
    if (!turn) {
      const turnId = id.startsWith(LOOSE_TURN_PREFIX) && !controls.turns.has(id) ? undefined : id;
      turn = buildTurn(id, turnId, turnId ? controls.turns.get(turnId) : undefined, responses.map(materialize));
      turnCache.set(id, turn);
    }
    return turn;
  }

  function buildSnapshot(): ConversationSnapshot {
    const groups = new Map<string, { serial: string; createdAt: number; responses: ResponseRecord[] }>();
    for (const turn of controls.turns.values()) {
      groups.set(turn.turnId, { serial: turn.serial, createdAt: turn.createdAt, responses: [] });
    }
    const ordered = [...records.values()]
      .map((found) => ({ found, serial: orderSerialOf(found, controls) }))
      .filter((item) => item.serial !== undefined)
      .sort((a, b) => compareSerials(a.serial!, b.serial!));
    for (const { found, serial } of ordered) {
      const id = found.turnId ?? LOOSE_TURN_PREFIX + found.responseId;
      let group = groups.get(id);
      if (!group) {
        group = { serial: serial!, createdAt: seededCreatedAt(found), responses: [] };
        groups.set(id, group);
      }
      group.responses.push(found);
    }
    const turns = [...groups.entries()]
      // Seeded turns all sort at serial '': the database's times order them.
      .sort((a, b) => compareSerials(a[1].serial, b[1].serial) || a[1].createdAt - b[1].createdAt)
      .map(([id, group]) => turnOf(id, group.responses));
    return Object.freeze({
      turns: Object.freeze(turns),
      responses: Object.freeze(turns.flatMap((turn) => turn.responses)),
      syncStatus,
      caughtUp,
      error: syncError,
      resyncCount,
    });
  }

  return {
    apply,
    applyHistoryPage(newestFirst) {
      notifier.batch(() => {
        for (let index = newestFirst.length - 1; index >= 0; index--) apply(newestFirst[index]);
      });
    },
    seed(responses: readonly SeedResponse[]) {
      if (disposed) return;
      notifier.batch(() => {
        const used = applySeeds(state, responses, { splitParts: true }, report, (entry) => entryChanged(entry, true));
        for (const response of used) {
          if (!response.turnId || !response.user) continue;
          const change = seedTurn(controls, response.turnId, response.user, response.responseId);
          if (change) {
            turnCache.delete(response.turnId);
            snapshot = undefined;
            notifier.changed(undefined, true);
          }
        }
      });
    },
    getSnapshot() {
      snapshot ??= buildSnapshot();
      return snapshot;
    },
    getTurn(id) {
      snapshot ??= buildSnapshot();
      return snapshot.turns.find((turn) => turn.id === id);
    },
    getResponse(responseId) {
      const found = records.get(responseId);
      return found && orderSerialOf(found, controls) !== undefined ? materialize(found) : undefined;
    },
    subscribe: notifier.subscribe,
    subscribeResponse: (responseId, listener) => notifier.subscribeKey(`r:${responseId}`, listener),
    setSync(status, isCaughtUp, error) {
      if (disposed) return;
      if (status === syncStatus && isCaughtUp === caughtUp && error === syncError) return;
      if (status === 'resyncing' && syncStatus !== 'resyncing') resyncCount++;
      syncStatus = status;
      caughtUp = isCaughtUp;
      syncError = error;
      snapshot = undefined;
      notifier.changed(undefined, true);
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

/** When a seeded response was created (0 for a channel one: its serial orders it). */
function seededCreatedAt(found: ResponseRecord): number {
  for (const entry of found.entries.values()) if (entry.seeded) return entry.createdAt;
  return 0;
}

/** The serial that places a response: its oldest live entry, else its announcement; undefined when it has neither. */
function orderSerialOf(found: ResponseRecord, controls: ReturnType<typeof createControlState>): string | undefined {
  let oldest: string | undefined;
  for (const entry of found.entries.values()) {
    if (entry.deleted) continue;
    const serial = entry.seeded ? '' : entry.orderSerial;
    if (oldest === undefined || compareSerials(serial, oldest) < 0) oldest = serial;
  }
  return oldest ?? controls.expected.get(found.responseId)?.serial;
}
