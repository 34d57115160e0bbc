/**
 * The plain state of one response (or one part of a response) as the reducers build it, and the small pure
 * functions that read it. Nothing here notifies or schedules: see `notifier.ts` and `staleness-clock.ts`.
 *
 * @module
 */
import { compareSerials } from './serial.js';
import { TextBuffer } from './text-buffer.js';
import type { ExpectedText } from './text-integrity.js';
import type { ResponsePattern, ResponseStatus, StreamedResponse } from './types.js';
import type { TerminalStatus } from './wire.js';

/** One token of a message-per-token response, kept with its serial while it can still be reordered. */
export interface Token {
  readonly serial: string;
  readonly text: string;
}

/** The reducer's state for one response. */
export interface Entry {
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
  /** `version.metadata` (per-response) or `stop` headers (per-token) of the end marker. */
  endMetadata: Readonly<Record<string, string>> | undefined;
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

/** Id prefix of message-per-token responses. */
export const TOKEN_ID_PREFIX = 'token:';
/** Id prefix of responses that came from a database seed. */
export const SEED_ID_PREFIX = 'seed:';
/** Id prefix of a serial that itself starts with a reserved prefix (so no two kinds of id can collide). */
const SERIAL_ID_PREFIX = 'serial:';
/** Id prefix of the parts after the first of a message-per-token response (conversation stores). */
export const PART_ID_PREFIX = 'part:';
const RESERVED_PREFIXES = [TOKEN_ID_PREFIX, SEED_ID_PREFIX, SERIAL_ID_PREFIX, PART_ID_PREFIX];

/**
 * The store id of a message-per-response entry: its serial, unless the serial starts with one of the prefixes
 * the store uses for its own ids (`token:`, `seed:`, `serial:`, `part:`), in which case it is escaped with
 * `serial:`. Real Ably serials never start with these; the escape makes a collision impossible all the same.
 */
export function serialId(serial: string): string {
  for (const prefix of RESERVED_PREFIXES) if (serial.startsWith(prefix)) return SERIAL_ID_PREFIX + serial;
  return serial;
}

/** The message serial of a message-per-response entry (its create serial; the id may be escaped). */
export function serialOf(entry: Entry): string {
  return entry.orderSerial;
}

/** The store id of a message-per-token response (part 0) or of its later parts. */
export function tokenId(responseId: string, part = 0): string {
  return part === 0 ? TOKEN_ID_PREFIX + responseId : `${PART_ID_PREFIX}${part}:${responseId}`;
}

/** A fresh entry with nothing applied yet. */
export function emptyEntry(id: string, pattern: ResponsePattern, orderSerial: string, now: number): Entry {
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
    endMetadata: undefined,
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

/** Whether the entry's text is known to lack something (a missing start, a lost fragment). */
export function isIncomplete(entry: Entry): boolean {
  return entry.missingStart || entry.partial || entry.mismatch;
}

export function statusOf(entry: Entry): ResponseStatus {
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

export function textOf(entry: Entry): string {
  const base = entry.prefix.length === 0 ? entry.text.toString() : prefixTextOf(entry) + entry.text.toString();
  if (entry.pending.length === 0) return base;
  let tail = '';
  for (const token of entry.pending) tail += token.text;
  return base + tail;
}

export function textIsEmpty(entry: Entry): boolean {
  return entry.text.length === 0 && entry.pendingLength === 0 && entry.prefixLength === 0;
}

/** Index where `serial` belongs in tokens sorted by serial, or -1 when a token with it is already there. */
export function tokenSlot(tokens: readonly Token[], serial: string): number {
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
export function nextHeaders(
  previous: Readonly<Record<string, string>>,
  received: Readonly<Record<string, string>>,
): Readonly<Record<string, string>> {
  return sameHeaders(previous, received) ? previous : Object.freeze({ ...received });
}

/** Seeds sort first (by creation time), channel responses after them by serial. */
export function compareEntries(a: Entry, b: Entry): number {
  if (a.seeded !== b.seeded) return a.seeded ? -1 : 1;
  if (a.seeded) return a.createdAt - b.createdAt || compareSerials(a.id, b.id);
  return compareSerials(a.orderSerial, b.orderSerial) || compareSerials(a.id, b.id);
}

/** The public, frozen view of an entry; cached on the entry until it changes. */
export function materialize(entry: Entry): StreamedResponse {
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
