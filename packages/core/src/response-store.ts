import type { ResumableError } from './errors.js';
import { type InboundMessage, readInbound } from './inbound.js';
import { createMicrotaskScheduler } from './schedulers.js';
import { compareSerials } from './serial.js';
import { TextBuffer } from './text-buffer.js';
import { type ExpectedText, matchesExpected, readExpectedText } from './text-integrity.js';
import type {
  Diagnostic,
  NotifyScheduler,
  RepairRequest,
  ResponsePattern,
  ResponseStatus,
  ResponseStoreSnapshot,
  SeedResponse,
  StreamedResponse,
  SyncStatus,
} from './types.js';
import {
  ERROR_KEY,
  isTerminalStatus,
  RESPONSE_ID_HEADER,
  RESPONSE_MESSAGE_NAME,
  STATUS_KEY,
  type TerminalStatus,
  TOKEN_EVENT_NAMES,
} from './wire.js';

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

/** Server timestamps further ahead of the local clock than this are taken as garbage, not as clock skew. */
const MAX_CLOCK_LEAD_MS = 24 * 60 * 60 * 1000;

/** Fragments kept per partial response so an older full snapshot can still be completed exactly. */
const MAX_PARTIAL_FRAGMENTS = 4096;

interface Token {
  readonly serial: string;
  readonly text: string;
}

interface Entry {
  readonly id: string;
  readonly pattern: ResponsePattern;
  /** Serial that orders the entry in the list (create serial, or the oldest token serial); '' for seeds. */
  orderSerial: string;
  responseId: string | undefined;
  clientId: string | undefined;
  createdAt: number;
  updatedAt: number;
  headers: Readonly<Record<string, string>>;
  /** Terminal status once known; `stale` is derived from `activityAt` and never stored here. */
  ended: TerminalStatus | undefined;
  errorReason: string | undefined;
  stale: boolean;
  version: string;
  seeded: boolean;
  deleted: boolean;
  /** Server-clock time of the last applied message, for staleness. */
  activityAt: number;
  /** Text that is final in order (per-response: all of it; per-token: everything up to `floor`). */
  readonly text: TextBuffer;
  /** Per-token: every token at or below this serial is in `text`. */
  floor: string | undefined;
  /** Per-token: the newest tokens, sorted by serial, appended after `text`. */
  pending: Token[];
  /** Per-token: total length of the pending tokens' text. */
  pendingLength: number;
  startSerial: string | undefined;
  stopSerial: string | undefined;
  /**
   * Per-token: the serial of the first message seen. Tokens older than it cannot be duplicates of
   * what `floor` sealed, so they go to `prefix` (a backfill from history walking back to the start).
   */
  contactSerial: string | undefined;
  /** Per-token: tokens older than `contactSerial`, sorted by serial, shown before `text`. */
  prefix: Token[];
  /** Joined text of `prefix`, or undefined when it must be joined again. */
  prefixText: string | undefined;
  /** Total length of the prefix tokens' text. */
  prefixLength: number;
  /**
   * Per-token: neither the `start` nor a `response-complete` was seen, so the beginning of the text
   * may be missing (a rewind window or a history read that ended inside the response).
   */
  missingStart: boolean;
  /**
   * Per-response: first met through an append fragment, so the text before it never arrived. The
   * fragments since then are kept (with their versions) until a full snapshot makes the text whole.
   */
  partial: boolean;
  fragments: Array<{ readonly version: string; readonly text: string }> | undefined;
  /** The length and checksum the end marker promised, once it arrived. */
  expected: ExpectedText | undefined;
  /** The text does not match {@link Entry.expected}. */
  mismatch: boolean;
  /** A re-read was asked for since the text was last known whole. */
  repairAsked: boolean;
  cache: StreamedResponse | undefined;
}

const EMPTY_HEADERS: Readonly<Record<string, string>> = Object.freeze({});

function emptyEntry(id: string, pattern: ResponsePattern, orderSerial: string, now: number): Entry {
  return {
    id,
    pattern,
    orderSerial,
    responseId: undefined,
    clientId: undefined,
    createdAt: now,
    updatedAt: now,
    headers: EMPTY_HEADERS,
    ended: undefined,
    errorReason: undefined,
    stale: false,
    version: '',
    seeded: false,
    deleted: false,
    activityAt: now,
    text: new TextBuffer(),
    floor: undefined,
    pending: [],
    pendingLength: 0,
    startSerial: undefined,
    stopSerial: undefined,
    contactSerial: undefined,
    prefix: [],
    prefixText: undefined,
    prefixLength: 0,
    missingStart: false,
    partial: false,
    fragments: undefined,
    expected: undefined,
    mismatch: false,
    repairAsked: false,
    cache: undefined,
  };
}

function statusOf(entry: Entry): ResponseStatus {
  if (entry.ended) return entry.ended;
  return entry.stale ? 'stale' : 'streaming';
}

function prefixTextOf(entry: Entry): string {
  if (entry.prefixText === undefined) {
    let joined = '';
    for (const token of entry.prefix) joined += token.text;
    entry.prefixText = joined;
  }
  return entry.prefixText;
}

function textOf(entry: Entry): string {
  const base = entry.prefix.length === 0 ? entry.text.toString() : prefixTextOf(entry) + entry.text.toString();
  if (entry.pending.length === 0) return base;
  let tail = '';
  for (const token of entry.pending) tail += token.text;
  return base + tail;
}

function textIsEmpty(entry: Entry): boolean {
  return entry.text.length === 0 && entry.pendingLength === 0 && entry.prefixLength === 0;
}

/** Index where `serial` belongs in tokens sorted by serial, or -1 when a token with it is already there. */
function tokenSlot(tokens: readonly Token[], serial: string): number {
  let low = 0;
  let high = tokens.length;
  if (high > 0 && compareSerials(tokens[high - 1]!.serial, serial) < 0) return high;
  while (low < high) {
    const mid = (low + high) >> 1;
    const order = compareSerials(tokens[mid]!.serial, serial);
    if (order === 0) return -1;
    if (order < 0) low = mid + 1;
    else high = mid;
  }
  return low;
}

function sameHeaders(a: Readonly<Record<string, string>>, b: Readonly<Record<string, string>>): boolean {
  const keys = Object.keys(a);
  if (keys.length !== Object.keys(b).length) return false;
  for (const key of keys) if (a[key] !== b[key]) return false;
  return true;
}

/** The headers to keep: the previous object when nothing changed, so it stays the same object. */
function nextHeaders(
  previous: Readonly<Record<string, string>>,
  received: Readonly<Record<string, string>>,
): Readonly<Record<string, string>> {
  return sameHeaders(previous, received) ? previous : Object.freeze({ ...received });
}

/** Seeds sort first (by creation time), channel responses after them by serial. */
function compareEntries(a: Entry, b: Entry): number {
  if (a.seeded !== b.seeded) return a.seeded ? -1 : 1;
  if (a.seeded) return a.createdAt - b.createdAt || compareSerials(a.id, b.id);
  return compareSerials(a.orderSerial, b.orderSerial) || compareSerials(a.id, b.id);
}

/** Token id prefix of message-per-token responses. */
const TOKEN_ID_PREFIX = 'token:';
/** Id prefix of responses that came from a database seed. */
const SEED_ID_PREFIX = 'seed:';

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
  const now = options.now ?? Date.now;
  const scheduler = options.scheduler ?? createMicrotaskScheduler();
  const reorderWindow = Math.max(1, Math.floor(options.reorderWindow ?? 256));
  const onDiagnostic = options.onDiagnostic;

  const entries = new Map<string, Entry>();
  /** Live (not deleted) entries in display order. */
  const order: Entry[] = [];
  const byResponseId = new Map<string, Entry>();
  /** responseIds completed in the database: channel messages for them are skipped. */
  const seededIds = new Set<string>();
  /** Serials of channel messages that belong to seeded responses (for appends without headers). */
  const seededSerials = new Set<string>();

  let syncStatus: SyncStatus = 'hydrating';
  let caughtUp = false;
  let syncError: ResumableError | undefined;
  let resyncCount = 0;

  const repairListeners = new Set<(request: RepairRequest) => void>();
  /** Requests made while nobody listened. */
  const unheardRepairs: RepairRequest[] = [];

  let diagnosticsTotal = 0;
  const diagnosticsByKind: Partial<Record<Diagnostic['kind'], number>> = {};

  const listListeners = new Set<() => void>();
  const responseListeners = new Map<string, Set<() => void>>();
  const dirty = new Set<string>();
  let anythingDirty = false;
  let flushScheduled = false;
  let urgentScheduled = false;
  let snapshot: ResponseStoreSnapshot | undefined;
  let ids: readonly string[] | undefined;
  let disposed = false;
  let batchDepth = 0;
  let batchUrgent = false;

  // Server clock estimate: the newest server timestamp seen plus local time elapsed since then.
  let newestServerTime: number | undefined;
  let localTimeAtNewest = 0;
  let staleTimer: ReturnType<typeof setTimeout> | undefined;

  function serverNow(): number {
    return newestServerTime === undefined ? now() : newestServerTime + (now() - localTimeAtNewest);
  }

  function observeServerTime(time: number | undefined): number {
    if (time === undefined) return serverNow();
    if (time > now() + MAX_CLOCK_LEAD_MS) {
      // Further ahead than any real clock skew: one such message must not make every response stale.
      report('bad-timestamp', `Timestamp ${time} is more than a day ahead of this clock; not used for staleness`, time);
      return serverNow();
    }
    if (newestServerTime === undefined || time > newestServerTime) {
      const expected = staleTimer === undefined || newestServerTime === undefined ? undefined : serverNow();
      newestServerTime = time;
      localTimeAtNewest = now();
      // Server time jumped ahead of our estimate (hydrating old messages, then newer ones): the
      // stale timer may now be due earlier than planned (small jumps are clock jitter, not worth a new timer).
      if (staleTimer !== undefined && (expected === undefined || time > expected + staleAfterMs / 8)) {
        clearTimeout(staleTimer);
        staleTimer = undefined;
        ensureStaleTimer();
      }
    }
    return time;
  }

  function report(kind: Diagnostic['kind'], message: string, received: unknown): void {
    diagnosticsTotal++;
    diagnosticsByKind[kind] = (diagnosticsByKind[kind] ?? 0) + 1;
    if (onDiagnostic) {
      try {
        onDiagnostic({ kind, message, received });
      } catch {
        // A failing diagnostics handler must not break the reducer.
      }
    }
  }

  // ---- notifications ----

  function flush(): void {
    flushScheduled = false;
    urgentScheduled = false;
    if (disposed || !anythingDirty) return;
    anythingDirty = false;
    const changed = [...dirty];
    dirty.clear();
    for (const id of changed) {
      const listeners = responseListeners.get(id);
      if (listeners) for (const listener of [...listeners]) callListener(listener);
    }
    for (const listener of [...listListeners]) callListener(listener);
  }

  function callListener(listener: () => void): void {
    try {
      listener();
    } catch (error) {
      // Surface a subscriber's bug without breaking the other subscribers or the store.
      queueMicrotask(() => {
        throw error;
      });
    }
  }

  function scheduleFlush(urgent: boolean): void {
    if (disposed) return;
    if (flushScheduled && (urgentScheduled || !urgent)) return;
    flushScheduled = true;
    if (urgent) urgentScheduled = true;
    scheduler.schedule(flush, urgent);
  }

  function changed(entry: Entry | undefined, urgent: boolean, listChanged = false): void {
    snapshot = undefined;
    if (listChanged) ids = undefined;
    if (entry) {
      entry.cache = undefined;
      dirty.add(entry.id);
    }
    anythingDirty = true;
    if (batchDepth > 0) batchUrgent ||= urgent;
    else scheduleFlush(urgent);
  }

  /** Run `work` and schedule one flush for all the changes it made (one message, one history page). */
  function batch(work: () => void): void {
    batchDepth++;
    try {
      work();
    } finally {
      batchDepth--;
      if (batchDepth === 0 && anythingDirty) {
        const urgent = batchUrgent;
        batchUrgent = false;
        scheduleFlush(urgent);
      }
    }
  }

  // ---- list order ----

  function insertOrdered(entry: Entry): void {
    let low = 0;
    let high = order.length;
    // Most entries are newer than all others: check the end first.
    if (high > 0 && compareEntries(order[high - 1]!, entry) < 0) low = high;
    while (low < high) {
      const mid = (low + high) >> 1;
      if (compareEntries(order[mid]!, entry) < 0) low = mid + 1;
      else high = mid;
    }
    order.splice(low, 0, entry);
  }

  function removeOrdered(entry: Entry): void {
    const index = order.indexOf(entry);
    if (index >= 0) order.splice(index, 1);
  }

  function addEntry(entry: Entry): void {
    entries.set(entry.id, entry);
    insertOrdered(entry);
    if (entry.responseId !== undefined) byResponseId.set(entry.responseId, entry);
  }

  // ---- staleness (one timer for the whole store) ----

  function ensureStaleTimer(): void {
    if (staleTimer !== undefined || disposed || !Number.isFinite(staleAfterMs)) return;
    let earliest = Number.POSITIVE_INFINITY;
    for (const entry of order) {
      if (!entry.ended && !entry.stale && entry.activityAt < earliest) earliest = entry.activityAt;
    }
    if (earliest === Number.POSITIVE_INFINITY) return;
    const delay = Math.min(staleAfterMs, Math.max(0, earliest + staleAfterMs - serverNow())) + 1;
    staleTimer = setTimeout(sweepStale, delay);
    (staleTimer as { unref?: () => void }).unref?.();
  }

  function sweepStale(): void {
    staleTimer = undefined;
    if (disposed) return;
    const current = serverNow();
    batch(() => {
      for (const entry of order) {
        if (!entry.ended && !entry.stale && current - entry.activityAt > staleAfterMs) {
          entry.stale = true;
          changed(entry, true);
        }
      }
    });
    ensureStaleTimer();
  }

  /** Record that a message changed this entry: clears `stale`, refreshes activity. */
  function touched(
    entry: Entry,
    message: InboundMessage,
    wasEmpty: boolean,
    statusBefore: ResponseStatus,
    urgentAnyway = false,
  ): void {
    entry.activityAt = Math.max(entry.activityAt, observeServerTime(message.versionTimestamp));
    if (message.versionTimestamp !== undefined) entry.updatedAt = Math.max(entry.updatedAt, message.versionTimestamp);
    entry.stale = false;
    const urgent = urgentAnyway || statusOf(entry) !== statusBefore || (wasEmpty && !textIsEmpty(entry));
    changed(entry, urgent);
    if (!entry.ended) ensureStaleTimer();
  }

  // ---- integrity: partial first contact, end-marker proof, repair requests ----

  function requestRepair(entry: Entry): void {
    if (entry.repairAsked) return;
    entry.repairAsked = true;
    const request: RepairRequest = Object.freeze({
      id: entry.id,
      pattern: entry.pattern,
      responseId: entry.responseId,
      ...(entry.pattern === 'message-per-response' ? { serial: entry.id } : {}),
    });
    if (repairListeners.size === 0) {
      unheardRepairs.push(request);
      return;
    }
    for (const listener of [...repairListeners]) {
      // After the message that caused it was applied, outside the reducer.
      queueMicrotask(() => {
        if (!disposed) callRepairListener(listener, request);
      });
    }
  }

  function callRepairListener(listener: (request: RepairRequest) => void, request: RepairRequest): void {
    try {
      listener(request);
    } catch (error) {
      queueMicrotask(() => {
        throw error;
      });
    }
  }

  function isIncomplete(entry: Entry): boolean {
    return entry.missingStart || entry.partial || entry.mismatch;
  }

  /** Check an ended response against its end marker's proof; a mismatch asks for a re-read. */
  function verify(entry: Entry, received: unknown): void {
    if (!entry.ended || !entry.expected) return;
    const whole = matchesExpected(textOf(entry), entry.expected);
    if (whole) {
      entry.mismatch = false;
      if (!isIncomplete(entry)) entry.repairAsked = false;
      return;
    }
    if (entry.mismatch) return;
    entry.mismatch = true;
    report(
      'text-mismatch',
      `Response ${entry.responseId ?? entry.id} ended with ${textOf(entry).length} characters; its end marker says ${entry.expected.length}. Reading it again.`,
      received,
    );
    requestRepair(entry);
  }

  // ---- message-per-response ----

  function applyTerminal(entry: Entry, metadata: Readonly<Record<string, string>> | undefined): void {
    const status = metadata?.[STATUS_KEY];
    if (isTerminalStatus(status)) {
      entry.ended = status;
      entry.errorReason = status === 'error' ? (metadata?.[ERROR_KEY] ?? entry.errorReason) : undefined;
      entry.expected = readExpectedText(metadata) ?? entry.expected;
    }
  }

  /** A partial response's fragments newer than `version`, joined (what a snapshot at `version` lacks). */
  function fragmentsAfter(entry: Entry, version: string): string {
    let joined = '';
    for (const fragment of entry.fragments ?? []) {
      if (compareSerials(fragment.version, version) > 0) joined += fragment.text;
    }
    return joined;
  }

  function recordFragment(entry: Entry, version: string, text: string): void {
    if (!entry.fragments) return;
    if (entry.fragments.length >= MAX_PARTIAL_FRAGMENTS) {
      // Too long to keep: only a snapshot at or above the current version can make it whole now.
      entry.fragments = undefined;
      return;
    }
    entry.fragments.push({ version, text });
  }

  function takeHeaders(entry: Entry, message: InboundMessage): void {
    if (message.headers) entry.headers = nextHeaders(entry.headers, message.headers);
    const responseId = message.headers?.[RESPONSE_ID_HEADER];
    if (entry.responseId === undefined && typeof responseId === 'string' && responseId.length > 0) {
      entry.responseId = responseId;
      byResponseId.set(responseId, entry);
    }
  }

  function applyPerResponse(message: InboundMessage): void {
    const serial = message.serial;
    if (serial === undefined) {
      report('missing-serial', `A "${message.action}" message without a serial cannot be placed`, message.received);
      return;
    }
    const responseId = message.headers?.[RESPONSE_ID_HEADER];
    if (seededSerials.has(serial) || (responseId !== undefined && seededIds.has(responseId))) {
      seededSerials.add(serial);
      return;
    }
    // No data at all is an operation that changes no text (an empty append, a metadata-only update).
    const noData = message.data === undefined || message.data === null;
    if (message.action !== 'message.delete' && !noData && typeof message.data !== 'string') {
      report('bad-data', `Response data must be a string, got ${typeof message.data}`, message.received);
      return;
    }
    const data = typeof message.data === 'string' ? message.data : '';
    const version = message.versionSerial ?? serial;
    const existing = entries.get(serial);

    if (existing) {
      if (message.action === 'message.create') {
        report('duplicate', `Second create for serial ${serial} ignored`, message.received);
        return;
      }
      const order = compareSerials(version, existing.version);
      // A full snapshot may still complete a response whose text is known to lack something: at the same
      // version (it holds what we hold, plus the beginning we never got), or older when the fragments
      // since that version were kept.
      const fullState = message.action === 'message.update' && !noData;
      const heals =
        fullState &&
        ((existing.mismatch && order >= 0) || (existing.partial && (order >= 0 || existing.fragments !== undefined)));
      if (order <= 0 && !heals) {
        report('stale-version', `Version ${version} of ${serial} is at or below ${existing.version}`, message.received);
        return;
      }
      const wasEmpty = textIsEmpty(existing);
      const statusBefore = statusOf(existing);
      const wasIncomplete = isIncomplete(existing);
      if (order > 0) existing.version = version;
      takeHeaders(existing, message);
      if (message.action === 'message.delete') {
        if (!existing.deleted) {
          existing.deleted = true;
          removeOrdered(existing);
          changed(existing, true, true);
        }
        return;
      }
      if (existing.deleted) {
        existing.deleted = false;
        insertOrdered(existing);
        changed(existing, true, true);
      }
      if (message.action === 'message.append') {
        existing.text.append(data);
        if (existing.partial) recordFragment(existing, version, data);
      } else if (heals) {
        existing.text.reset(order >= 0 ? data : data + fragmentsAfter(existing, version));
        existing.partial = false;
        existing.fragments = undefined;
        existing.repairAsked = existing.mismatch;
      } else if (noData) {
        // keep the text: only headers or metadata changed
      } else {
        // A full-state update: extend when it continues what we have, otherwise replace.
        const length = existing.text.length;
        if (data.length >= length && data.startsWith(existing.text.toString())) {
          existing.text.append(data.slice(length));
        } else {
          existing.text.reset(data);
        }
      }
      if (order >= 0) applyTerminal(existing, message.metadata);
      verify(existing, message.received);
      touched(existing, message, wasEmpty, statusBefore, wasIncomplete !== isIncomplete(existing));
      return;
    }

    if (message.action === 'message.append' && responseId === undefined) {
      report(
        'orphan-append',
        `Append for unknown serial ${serial} without a ${RESPONSE_ID_HEADER} header; a response that never started`,
        message.received,
      );
      return;
    }
    // create, or first contact through an update or an append (the first delivery on an attachment
    // is normally a full update; an append here is taken as the state we first see).
    const entry = emptyEntry(serial, 'message-per-response', serial, serverNow());
    entry.version = version;
    entry.clientId = message.clientId;
    entry.createdAt = message.timestamp ?? serverNow();
    entry.updatedAt = message.versionTimestamp ?? entry.createdAt;
    entry.activityAt = observeServerTime(message.versionTimestamp);
    takeHeaders(entry, message);
    if (message.action === 'message.delete') {
      // Remember the tombstone so older deliveries cannot bring it back.
      entry.deleted = true;
      entries.set(serial, entry);
      return;
    }
    entry.text.reset(data);
    applyTerminal(entry, message.metadata);
    addEntry(entry);
    if (message.action === 'message.append') {
      // Ably sends the first append an attachment sees as a full update; a bare fragment here means the
      // beginning was lost on the way (a transport that died with it in flight, a history read that failed).
      entry.partial = true;
      entry.fragments = [{ version, text: data }];
      report(
        'partial-first-contact',
        `Response ${responseId ?? serial} was first met through an append fragment; its beginning is missing. Reading it again.`,
        message.received,
      );
      requestRepair(entry);
    }
    verify(entry, message.received);
    changed(entry, true, true);
    if (!entry.ended) ensureStaleTimer();
  }

  // ---- message-per-token ----

  function tokenEntry(responseId: string, message: InboundMessage, serial: string): Entry {
    const id = TOKEN_ID_PREFIX + responseId;
    let entry = entries.get(id);
    if (!entry) {
      entry = emptyEntry(id, 'message-per-token', serial, observeServerTime(message.versionTimestamp));
      entry.responseId = responseId;
      entry.clientId = message.clientId;
      entry.createdAt = message.timestamp ?? serverNow();
      entry.updatedAt = entry.createdAt;
      entry.version = serial;
      entry.contactSerial = serial;
      // First contact through anything but the start: what came before it was not seen (yet).
      entry.missingStart = message.name !== TOKEN_EVENT_NAMES.start && message.name !== TOKEN_EVENT_NAMES.complete;
      addEntry(entry);
      changed(entry, true, true);
    } else if (compareSerials(serial, entry.orderSerial) < 0) {
      // An older message of this response arrived late: it now starts the response.
      removeOrdered(entry);
      entry.orderSerial = serial;
      if (message.timestamp !== undefined) entry.createdAt = Math.min(entry.createdAt, message.timestamp);
      insertOrdered(entry);
      changed(entry, false, true);
    }
    return entry;
  }

  /** Move the oldest pending tokens into the flat text once the window is full. */
  function sealTokens(entry: Entry): void {
    if (entry.pending.length < 2 * reorderWindow) return;
    const sealed = entry.pending.splice(0, entry.pending.length - reorderWindow);
    for (const token of sealed) {
      entry.text.append(token.text);
      entry.pendingLength -= token.text.length;
    }
    entry.floor = sealed[sealed.length - 1]!.serial;
  }

  function insertToken(entry: Entry, serial: string, text: string, received: unknown): boolean {
    if (entry.contactSerial !== undefined && compareSerials(serial, entry.contactSerial) < 0) {
      // Older than anything seen before: a backfill reaching back towards the start.
      const slot = tokenSlot(entry.prefix, serial);
      if (slot < 0) {
        report('duplicate', `Token ${serial} was already applied`, received);
        return false;
      }
      if (slot === entry.prefix.length) entry.prefix.push({ serial, text });
      else entry.prefix.splice(slot, 0, { serial, text });
      entry.prefixText = undefined;
      entry.prefixLength += text.length;
      return true;
    }
    if (entry.floor !== undefined && compareSerials(serial, entry.floor) <= 0) {
      report('duplicate', `Token ${serial} is already part of the text`, received);
      return false;
    }
    const pending = entry.pending;
    const slot = tokenSlot(pending, serial);
    if (slot < 0) {
      report('duplicate', `Token ${serial} was already applied`, received);
      return false;
    }
    if (slot === pending.length) pending.push({ serial, text });
    else pending.splice(slot, 0, { serial, text });
    entry.pendingLength += text.length;
    sealTokens(entry);
    return true;
  }

  /** A full text (`response-complete`) replaces every token published before it. */
  function applyFullText(entry: Entry, serial: string, text: string, received: unknown): boolean {
    if (entry.contactSerial !== undefined && compareSerials(serial, entry.contactSerial) < 0) {
      // Older than the first contact: it replaces the older tokens only; it is the new beginning.
      if (entry.prefix.some((token) => token.serial === serial)) {
        report('duplicate', `Full text ${serial} was already applied`, received);
        return false;
      }
      entry.prefix = [{ serial, text }, ...entry.prefix.filter((token) => compareSerials(token.serial, serial) > 0)];
      entry.prefixText = undefined;
      entry.prefixLength = entry.prefix.reduce((sum, token) => sum + token.text.length, 0);
      return true;
    }
    if (entry.floor !== undefined && compareSerials(serial, entry.floor) <= 0) {
      report('duplicate', `Full text ${serial} was already applied`, received);
      return false;
    }
    entry.prefix = [];
    entry.prefixText = undefined;
    entry.prefixLength = 0;
    entry.text.reset(text);
    entry.pending = entry.pending.filter((token) => compareSerials(token.serial, serial) > 0);
    entry.pendingLength = entry.pending.reduce((sum, token) => sum + token.text.length, 0);
    entry.floor = serial;
    return true;
  }

  function applyPerToken(message: InboundMessage): void {
    const serial = message.serial;
    if (serial === undefined) {
      report('missing-serial', `A "${message.name}" message without a serial cannot be ordered`, message.received);
      return;
    }
    if (message.action !== 'message.create') {
      report('unknown-action', `"${message.name}" messages are never ${message.action}d`, message.received);
      return;
    }
    const responseId = message.headers?.[RESPONSE_ID_HEADER];
    if (responseId === undefined || responseId.length === 0) {
      report('bad-headers', `A "${message.name}" message without a ${RESPONSE_ID_HEADER} header`, message.received);
      return;
    }
    if (seededIds.has(responseId)) return;
    const isText = message.name === TOKEN_EVENT_NAMES.token || message.name === TOKEN_EVENT_NAMES.complete;
    if (isText && typeof message.data !== 'string') {
      report('bad-data', `Token data must be a string, got ${typeof message.data}`, message.received);
      return;
    }
    const entry = tokenEntry(responseId, message, serial);
    const wasEmpty = textIsEmpty(entry);
    const statusBefore = statusOf(entry);
    const wasIncomplete = entry.missingStart;
    let applied = false;
    switch (message.name) {
      case TOKEN_EVENT_NAMES.start:
        if (entry.startSerial === serial) report('duplicate', `Start ${serial} was already applied`, message.received);
        else {
          entry.startSerial = serial;
          entry.missingStart = false;
          applied = true;
        }
        break;
      case TOKEN_EVENT_NAMES.token:
        applied = insertToken(entry, serial, message.data as string, message.received);
        break;
      case TOKEN_EVENT_NAMES.stop: {
        if (entry.stopSerial !== undefined && compareSerials(serial, entry.stopSerial) <= 0) {
          report('duplicate', `Stop ${serial} was already applied`, message.received);
          break;
        }
        entry.stopSerial = serial;
        const status = message.headers?.[STATUS_KEY];
        entry.ended = isTerminalStatus(status) ? status : 'complete';
        entry.errorReason = entry.ended === 'error' ? message.headers?.[ERROR_KEY] : undefined;
        entry.expected = readExpectedText(message.headers) ?? entry.expected;
        applied = true;
        break;
      }
      case TOKEN_EVENT_NAMES.complete: {
        if (!applyFullText(entry, serial, message.data as string, message.received)) break;
        entry.missingStart = false;
        const status = message.headers?.[STATUS_KEY];
        entry.ended = isTerminalStatus(status) ? status : (entry.ended ?? 'complete');
        applied = true;
        break;
      }
    }
    if (!applied) return;
    if (message.headers && compareSerials(serial, entry.version) >= 0) {
      entry.headers = nextHeaders(entry.headers, message.headers);
    }
    if (compareSerials(serial, entry.version) > 0) entry.version = serial;
    const wasMismatch = entry.mismatch;
    verify(entry, message.received);
    touched(
      entry,
      message,
      wasEmpty,
      statusBefore,
      wasIncomplete !== entry.missingStart || wasMismatch !== entry.mismatch,
    );
  }

  // ---- entry points ----

  function applyOne(received: unknown): void {
    const message = readInbound(received, report);
    if (message === undefined || message === 'ignore') return;
    const name = message.name;
    if (name === RESPONSE_MESSAGE_NAME) {
      applyPerResponse(message);
    } else if (
      name === TOKEN_EVENT_NAMES.start ||
      name === TOKEN_EVENT_NAMES.token ||
      name === TOKEN_EVENT_NAMES.stop ||
      name === TOKEN_EVENT_NAMES.complete
    ) {
      applyPerToken(message);
    } else if (name === undefined && message.serial !== undefined && entries.has(message.serial)) {
      // Some deliveries of a mutation omit the name; the serial says which response it is.
      applyPerResponse(message);
    }
    // Other names belong to the app (prompts, presence-like events): not ours, not an error.
  }

  function apply(received: unknown): void {
    if (disposed) return;
    batch(() => {
      try {
        applyOne(received);
      } catch (error) {
        report('internal-error', `Message could not be applied: ${String(error)}`, received);
      }
    });
  }

  function seed(responses: readonly SeedResponse[]): void {
    if (disposed) return;
    for (const response of responses) {
      if (typeof response?.responseId !== 'string' || typeof response.text !== 'string') {
        report('bad-data', 'A seed needs a string responseId and text', response);
        continue;
      }
      if (seededIds.has(response.responseId)) continue;
      seededIds.add(response.responseId);
      // The database is authoritative for completed responses: drop what the channel built for them.
      for (const entry of [...entries.values()]) {
        if (entry.responseId === response.responseId && !entry.seeded) {
          entries.delete(entry.id);
          removeOrdered(entry);
          if (entry.pattern === 'message-per-response') seededSerials.add(entry.id);
          changed(entry, true, true);
        }
      }
      const createdAt = typeof response.createdAt === 'number' ? response.createdAt : 0;
      const entry = emptyEntry(SEED_ID_PREFIX + response.responseId, response.pattern ?? 'message-per-response', '', 0);
      entry.responseId = response.responseId;
      entry.clientId = response.clientId;
      entry.createdAt = createdAt;
      entry.updatedAt = createdAt;
      entry.activityAt = createdAt;
      entry.headers = Object.freeze({ ...(response.headers ?? {}), [RESPONSE_ID_HEADER]: response.responseId });
      entry.ended = 'complete';
      entry.seeded = true;
      entry.text.reset(response.text);
      addEntry(entry);
      changed(entry, true, true);
    }
  }

  function materialize(entry: Entry): StreamedResponse {
    if (entry.cache) return entry.cache;
    const response: StreamedResponse = Object.freeze({
      id: entry.id,
      responseId: entry.responseId,
      pattern: entry.pattern,
      text: textOf(entry),
      status: statusOf(entry),
      errorReason: entry.errorReason,
      headers: entry.headers,
      clientId: entry.clientId,
      createdAt: entry.createdAt,
      updatedAt: entry.updatedAt,
      version: entry.version,
      seeded: entry.seeded,
      // Only present when true, so complete responses look exactly as before.
      ...(isIncomplete(entry) ? { incomplete: true as const } : {}),
    });
    entry.cache = response;
    return response;
  }

  if (options.seed) seed(options.seed);

  return {
    apply,
    applyHistoryPage(newestFirst) {
      batch(() => {
        for (let index = newestFirst.length - 1; index >= 0; index--) apply(newestFirst[index]);
      });
    },
    seed: (responses) => batch(() => seed(responses)),
    getSnapshot() {
      if (!snapshot) {
        snapshot = Object.freeze({
          responses: Object.freeze(order.map(materialize)),
          syncStatus,
          caughtUp,
          error: syncError,
          resyncCount,
        });
      }
      return snapshot;
    },
    getResponseIds() {
      if (!ids) ids = Object.freeze(order.map((entry) => entry.id));
      return ids;
    },
    getResponse(id) {
      const entry = entries.get(id);
      return entry && !entry.deleted ? materialize(entry) : undefined;
    },
    findByResponseId(responseId) {
      const entry = byResponseId.get(responseId);
      return entry && !entry.deleted && entries.get(entry.id) === entry ? materialize(entry) : undefined;
    },
    subscribe(listener) {
      listListeners.add(listener);
      return () => {
        listListeners.delete(listener);
      };
    },
    subscribeResponse(id, listener) {
      let listeners = responseListeners.get(id);
      if (!listeners) {
        listeners = new Set();
        responseListeners.set(id, listeners);
      }
      listeners.add(listener);
      return () => {
        const current = responseListeners.get(id);
        current?.delete(listener);
        if (current?.size === 0) responseListeners.delete(id);
      };
    },
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
    subscribeRepairs(listener) {
      repairListeners.add(listener);
      for (const request of unheardRepairs.splice(0)) {
        queueMicrotask(() => {
          if (!disposed && repairListeners.has(listener)) callRepairListener(listener, request);
        });
      }
      return () => {
        repairListeners.delete(listener);
      };
    },
    getDiagnostics() {
      return { total: diagnosticsTotal, byKind: { ...diagnosticsByKind } };
    },
    dispose() {
      if (disposed) return;
      disposed = true;
      scheduler.cancel();
      if (staleTimer !== undefined) clearTimeout(staleTimer);
      staleTimer = undefined;
      listListeners.clear();
      responseListeners.clear();
      repairListeners.clear();
      dirty.clear();
    },
  };
}
