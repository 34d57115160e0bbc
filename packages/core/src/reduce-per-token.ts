/**
 * The message-per-token reducer: `start`, `token`, `stop` and `response-complete` messages grouped into one
 * entry per response (or per part), tokens de-duplicated by serial and kept in serial order (rules in the
 * package README, "Reducer rules").
 *
 * @module
 */

import { takeExpectedText, verifyEntry } from './entry-integrity.js';
import type { InboundMessage } from './inbound.js';
import { addEntry, insertOrdered, type ReducerContext, type ReducerState, removeOrdered } from './reducer-state.js';
import { compareSerials } from './serial.js';
import { type Entry, emptyEntry, nextHeaders, statusOf, textIsEmpty, tokenSlot } from './store-entry.js';
import { ERROR_KEY, isTerminalStatus, RESPONSE_ID_HEADER, STATUS_KEY, TOKEN_EVENT_NAMES } from './wire.js';

function tokenEntry(
  state: ReducerState,
  context: ReducerContext,
  id: string,
  responseId: string,
  message: InboundMessage,
  serial: string,
): Entry {
  let entry = state.entries.get(id);
  if (!entry) {
    entry = emptyEntry(id, 'message-per-token', serial, context.observeServerTime(message.versionTimestamp));
    entry.responseId = responseId;
    entry.clientId = message.clientId;
    entry.createdAt = message.timestamp ?? context.serverNow();
    entry.updatedAt = entry.createdAt;
    entry.version = serial;
    entry.contactSerial = serial;
    // First contact through anything but the start: what came before it was not seen (yet).
    entry.missingStart = message.name !== TOKEN_EVENT_NAMES.start && message.name !== TOKEN_EVENT_NAMES.complete;
    addEntry(state, entry);
    context.changed(entry, true, true);
  } else if (compareSerials(serial, entry.orderSerial) < 0) {
    // An older message of this response arrived late: it now starts the response.
    removeOrdered(state, entry);
    entry.orderSerial = serial;
    if (message.timestamp !== undefined) entry.createdAt = Math.min(entry.createdAt, message.timestamp);
    insertOrdered(state, entry);
    context.changed(entry, false, true);
  }
  return entry;
}

/** Move the oldest pending tokens into the flat text once the window is full. */
function sealTokens(entry: Entry, reorderWindow: number): void {
  if (entry.pending.length < 2 * reorderWindow) return;
  const sealed = entry.pending.splice(0, entry.pending.length - reorderWindow);
  for (const token of sealed) {
    entry.text.append(token.text);
    entry.pendingLength -= token.text.length;
  }
  entry.floor = sealed[sealed.length - 1]!.serial;
}

function insertToken(
  state: ReducerState,
  context: ReducerContext,
  entry: Entry,
  serial: string,
  text: string,
  received: unknown,
): boolean {
  if (entry.contactSerial !== undefined && compareSerials(serial, entry.contactSerial) < 0) {
    // Older than anything seen before: a backfill reaching back towards the start.
    const slot = tokenSlot(entry.prefix, serial);
    if (slot < 0) {
      context.report('duplicate', `Token ${serial} was already applied`, received);
      return false;
    }
    if (slot === entry.prefix.length) entry.prefix.push({ serial, text });
    else entry.prefix.splice(slot, 0, { serial, text });
    entry.prefixText = undefined;
    entry.prefixLength += text.length;
    return true;
  }
  if (entry.floor !== undefined && compareSerials(serial, entry.floor) <= 0) {
    context.report('duplicate', `Token ${serial} is already part of the text`, received);
    return false;
  }
  const pending = entry.pending;
  const slot = tokenSlot(pending, serial);
  if (slot < 0) {
    context.report('duplicate', `Token ${serial} was already applied`, received);
    return false;
  }
  if (slot === pending.length) pending.push({ serial, text });
  else pending.splice(slot, 0, { serial, text });
  entry.pendingLength += text.length;
  sealTokens(entry, state.reorderWindow);
  return true;
}

/** A full text (`response-complete`) replaces every token published before it. */
function applyFullText(
  context: ReducerContext,
  entry: Entry,
  serial: string,
  text: string,
  received: unknown,
): boolean {
  if (entry.contactSerial !== undefined && compareSerials(serial, entry.contactSerial) < 0) {
    // Older than the first contact: it replaces the older tokens only; it is the new beginning.
    if (entry.prefix.some((token) => token.serial === serial)) {
      context.report('duplicate', `Full text ${serial} was already applied`, received);
      return false;
    }
    entry.prefix = [{ serial, text }, ...entry.prefix.filter((token) => compareSerials(token.serial, serial) > 0)];
    entry.prefixText = undefined;
    entry.prefixLength = entry.prefix.reduce((sum, token) => sum + token.text.length, 0);
    return true;
  }
  if (entry.floor !== undefined && compareSerials(serial, entry.floor) <= 0) {
    context.report('duplicate', `Full text ${serial} was already applied`, received);
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

/** Apply the message to its entry by name; returns whether it changed anything. */
function applyByName(
  state: ReducerState,
  context: ReducerContext,
  entry: Entry,
  message: InboundMessage,
  serial: string,
): boolean {
  switch (message.name) {
    case TOKEN_EVENT_NAMES.start:
      if (entry.startSerial === serial) {
        context.report('duplicate', `Start ${serial} was already applied`, message.received);
        return false;
      }
      entry.startSerial = serial;
      entry.missingStart = false;
      return true;
    case TOKEN_EVENT_NAMES.token:
      return insertToken(state, context, entry, serial, message.data as string, message.received);
    case TOKEN_EVENT_NAMES.stop: {
      if (entry.stopSerial !== undefined && compareSerials(serial, entry.stopSerial) <= 0) {
        context.report('duplicate', `Stop ${serial} was already applied`, message.received);
        return false;
      }
      entry.stopSerial = serial;
      const status = message.headers?.[STATUS_KEY];
      entry.ended = isTerminalStatus(status) ? status : 'complete';
      entry.errorReason = entry.ended === 'error' ? message.headers?.[ERROR_KEY] : undefined;
      entry.endMetadata = message.headers;
      takeExpectedText(entry, message.headers);
      return true;
    }
    case TOKEN_EVENT_NAMES.complete: {
      if (!applyFullText(context, entry, serial, message.data as string, message.received)) return false;
      entry.missingStart = false;
      const status = message.headers?.[STATUS_KEY];
      entry.ended = isTerminalStatus(status) ? status : (entry.ended ?? 'complete');
      return true;
    }
    default:
      return false;
  }
}

/**
 * Apply one validated message of the message-per-token pattern (`start`, `token`, `stop`, `response-complete`).
 *
 * @example
 * ```ts
 * const message = readInbound(received, context.report);
 * if (message && message !== 'ignore') applyPerToken(state, context, message);
 * ```
 */
export function applyPerToken(state: ReducerState, context: ReducerContext, message: InboundMessage): void {
  const serial = message.serial;
  if (serial === undefined) {
    context.report(
      'missing-serial',
      `A "${message.name}" message without a serial cannot be ordered`,
      message.received,
    );
    return;
  }
  if (message.action !== 'message.create') {
    context.report('unknown-action', `"${message.name}" messages are never ${message.action}d`, message.received);
    return;
  }
  const responseId = message.headers?.[RESPONSE_ID_HEADER];
  if (responseId === undefined || responseId.length === 0) {
    context.report(
      'bad-headers',
      `A "${message.name}" message without a ${RESPONSE_ID_HEADER} header`,
      message.received,
    );
    return;
  }
  if (state.seededIds.has(responseId)) return;
  const isText = message.name === TOKEN_EVENT_NAMES.token || message.name === TOKEN_EVENT_NAMES.complete;
  if (isText && typeof message.data !== 'string') {
    context.report('bad-data', `Token data must be a string, got ${typeof message.data}`, message.received);
    return;
  }
  const id = context.tokenEntryId(responseId, message);
  if (id === undefined) return;
  const entry = tokenEntry(state, context, id, responseId, message, serial);
  const wasEmpty = textIsEmpty(entry);
  const statusBefore = statusOf(entry);
  const wasIncomplete = entry.missingStart;
  if (!applyByName(state, context, entry, message, serial)) return;
  if (message.headers && compareSerials(serial, entry.version) >= 0) {
    entry.headers = nextHeaders(entry.headers, message.headers);
  }
  if (compareSerials(serial, entry.version) > 0) entry.version = serial;
  const wasMismatch = entry.mismatch;
  verifyEntry(entry, context, message.received);
  context.touched(
    entry,
    message,
    wasEmpty,
    statusBefore,
    wasIncomplete !== entry.missingStart || wasMismatch !== entry.mismatch,
  );
}
