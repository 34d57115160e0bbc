/**
 * The plain state the reducers work on (entries, their display order, the seed join) and the context through
 * which they report what they did. The reducers (`reduce-per-response.ts`, `reduce-per-token.ts`) are functions
 * of `(state, context, message)`: they change the state and tell the context, nothing else.
 *
 * @module
 */
import type { InboundMessage } from './inbound.js';
import { compareEntries, type Entry } from './store-entry.js';
import type { Diagnostic, ResponseStatus } from './types.js';

/** Everything the reducers read and change. */
export interface ReducerState {
  readonly entries: Map<string, Entry>;
  /** Live (not deleted) entries in display order. */
  readonly order: Entry[];
  readonly byResponseId: Map<string, Entry>;
  /** responseIds completed in the database: channel messages for them are skipped. */
  readonly seededIds: Set<string>;
  /** Serials of channel messages that belong to seeded responses (for appends without headers). */
  readonly seededSerials: Set<string>;
  /** Per-token tokens kept with their serial for reordering (see `ResponseStoreOptions.reorderWindow`). */
  readonly reorderWindow: number;
}

/** How the reducers report what they did; the store composes it from its notifier and staleness clock. */
export interface ReducerContext {
  report(kind: Diagnostic['kind'], message: string, received: unknown): void;
  /** An entry (or the list, when `listChanged`) changed. */
  changed(entry: Entry, urgent: boolean, listChanged?: boolean): void;
  /** A message changed this entry: clears `stale`, refreshes activity, notifies (urgent on a visible change). */
  touched(
    entry: Entry,
    message: InboundMessage,
    wasEmpty: boolean,
    statusBefore: ResponseStatus,
    urgent?: boolean,
  ): void;
  /** Estimated server time now. */
  serverNow(): number;
  /** Take a server timestamp into the clock; returns it, or the estimate when undefined. */
  observeServerTime(time: number | undefined): number;
  /** Start the staleness timer if needed. */
  ensureStaleTimer(): void;
  /** Ask for this entry to be read again from the channel (its text is known to lack something). */
  requestRepair(entry: Entry): void;
  /**
   * The id of the message-per-token entry a message belongs to, or undefined when this store does not keep
   * it (a response store keeps part 0 only; a conversation store keeps every part).
   */
  tokenEntryId(responseId: string, message: InboundMessage): string | undefined;
}

/**
 * Create empty reducer state.
 *
 * @example
 * ```ts
 * const state = createReducerState(256);
 * ```
 */
export function createReducerState(reorderWindow: number): ReducerState {
  return {
    entries: new Map(),
    order: [],
    byResponseId: new Map(),
    seededIds: new Set(),
    seededSerials: new Set(),
    reorderWindow,
  };
}

/** Put an entry in its place in the display order. */
export function insertOrdered(state: ReducerState, entry: Entry): void {
  const order = state.order;
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

/** Take an entry out of the display order. */
export function removeOrdered(state: ReducerState, entry: Entry): void {
  const index = state.order.indexOf(entry);
  if (index >= 0) state.order.splice(index, 1);
}

/** Add a new entry to the state. */
export function addEntry(state: ReducerState, entry: Entry): void {
  state.entries.set(entry.id, entry);
  insertOrdered(state, entry);
  if (entry.responseId !== undefined) state.byResponseId.set(entry.responseId, entry);
}
