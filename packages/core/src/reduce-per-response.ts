/**
 * The message-per-response reducer: one entry per message serial, built from creates, appends, updates and
 * deletes in any order and with any repetition (rules in the package README, "Reducer rules").
 *
 * @module
 */

import {
  healFromSnapshot,
  markPartial,
  recordFragment,
  snapshotHeals,
  takeExpectedText,
  verifyEntry,
} from './entry-integrity.js';
import type { InboundMessage } from './inbound.js';
import { addEntry, insertOrdered, type ReducerContext, type ReducerState, removeOrdered } from './reducer-state.js';
import { compareSerials } from './serial.js';
import { type Entry, emptyEntry, isIncomplete, nextHeaders, serialId, statusOf, textIsEmpty } from './store-entry.js';
import { ERROR_KEY, isTerminalStatus, RESPONSE_ID_HEADER, STATUS_KEY } from './wire.js';

function applyTerminal(entry: Entry, metadata: Readonly<Record<string, string>> | undefined): void {
  const status = metadata?.[STATUS_KEY];
  if (isTerminalStatus(status)) {
    entry.ended = status;
    entry.errorReason = status === 'error' ? (metadata?.[ERROR_KEY] ?? entry.errorReason) : undefined;
    entry.endMetadata = metadata;
    takeExpectedText(entry, metadata);
  }
}

function takeHeaders(state: ReducerState, entry: Entry, message: InboundMessage): void {
  if (message.headers) entry.headers = nextHeaders(entry.headers, message.headers);
  const responseId = message.headers?.[RESPONSE_ID_HEADER];
  if (entry.responseId === undefined && typeof responseId === 'string' && responseId.length > 0) {
    entry.responseId = responseId;
    state.byResponseId.set(responseId, entry);
  }
}

/**
 * Apply a message to a known entry (anything but a duplicate create or an older version, except a full snapshot
 * that heals an entry known to lack text: `order` is its version compared with the entry's).
 */
function applyToExisting(
  state: ReducerState,
  context: ReducerContext,
  existing: Entry,
  message: InboundMessage,
  version: string,
  order: number,
): void {
  const data = typeof message.data === 'string' ? message.data : '';
  const noData = message.data === undefined || message.data === null;
  const wasEmpty = textIsEmpty(existing);
  const statusBefore = statusOf(existing);
  const wasIncomplete = isIncomplete(existing);
  const heals = message.action === 'message.update' && !noData && snapshotHeals(existing, order);
  if (order > 0) existing.version = version;
  takeHeaders(state, existing, message);
  if (message.action === 'message.delete') {
    if (!existing.deleted) {
      existing.deleted = true;
      removeOrdered(state, existing);
      context.changed(existing, true, true);
    }
    return;
  }
  if (existing.deleted) {
    existing.deleted = false;
    insertOrdered(state, existing);
    context.changed(existing, true, true);
  }
  if (message.action === 'message.append') {
    existing.text.append(data);
    recordFragment(existing, version, data);
  } else if (heals) {
    healFromSnapshot(existing, data, version, order);
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
  verifyEntry(existing, context, message.received);
  context.touched(existing, message, wasEmpty, statusBefore, wasIncomplete !== isIncomplete(existing));
}

/**
 * Apply one validated message of the message-per-response pattern.
 *
 * @example
 * ```ts
 * const message = readInbound(received, context.report);
 * if (message && message !== 'ignore') applyPerResponse(state, context, message);
 * ```
 */
export function applyPerResponse(state: ReducerState, context: ReducerContext, message: InboundMessage): void {
  const serial = message.serial;
  if (serial === undefined) {
    context.report(
      'missing-serial',
      `A "${message.action}" message without a serial cannot be placed`,
      message.received,
    );
    return;
  }
  const responseId = message.headers?.[RESPONSE_ID_HEADER];
  if (state.seededSerials.has(serial) || (responseId !== undefined && state.seededIds.has(responseId))) {
    state.seededSerials.add(serial);
    return;
  }
  // No data at all is an operation that changes no text (an empty append, a metadata-only update).
  const noData = message.data === undefined || message.data === null;
  if (message.action !== 'message.delete' && !noData && typeof message.data !== 'string') {
    context.report('bad-data', `Response data must be a string, got ${typeof message.data}`, message.received);
    return;
  }
  const data = typeof message.data === 'string' ? message.data : '';
  const version = message.versionSerial ?? serial;
  const id = serialId(serial);
  const existing = state.entries.get(id);

  if (existing) {
    if (message.action === 'message.create') {
      context.report('duplicate', `Second create for serial ${serial} ignored`, message.received);
      return;
    }
    const order = compareSerials(version, existing.version);
    // A full snapshot may still complete an entry known to lack text (see entry-integrity.ts).
    const heals =
      message.action === 'message.update' && typeof message.data === 'string' && snapshotHeals(existing, order);
    if (order <= 0 && !heals) {
      context.report(
        'stale-version',
        `Version ${version} of ${serial} is at or below ${existing.version}`,
        message.received,
      );
      return;
    }
    applyToExisting(state, context, existing, message, version, order);
    return;
  }

  if (message.action === 'message.append' && responseId === undefined) {
    context.report(
      'orphan-append',
      `Append for unknown serial ${serial} without a ${RESPONSE_ID_HEADER} header; a response that never started`,
      message.received,
    );
    return;
  }
  // create, or first contact through an update or an append (the first delivery on an attachment
  // is normally a full update; an append here is taken as the state we first see).
  const entry = emptyEntry(id, 'message-per-response', serial, context.serverNow());
  entry.version = version;
  entry.clientId = message.clientId;
  entry.createdAt = message.timestamp ?? context.serverNow();
  entry.updatedAt = message.versionTimestamp ?? entry.createdAt;
  entry.activityAt = context.observeServerTime(message.versionTimestamp);
  takeHeaders(state, entry, message);
  if (message.action === 'message.delete') {
    // Remember the tombstone so older deliveries cannot bring it back.
    entry.deleted = true;
    state.entries.set(id, entry);
    return;
  }
  entry.text.reset(data);
  applyTerminal(entry, message.metadata);
  addEntry(state, entry);
  // Ably sends the first append an attachment sees as a full update; a bare fragment here means the
  // beginning was lost on the way (a transport that died with it in flight, a history read that failed).
  if (message.action === 'message.append') markPartial(entry, context, version, data, message.received);
  verifyEntry(entry, context, message.received);
  context.changed(entry, true, true);
  if (!entry.ended) context.ensureStaleTimer();
}
