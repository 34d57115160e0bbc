/**
 * Builders for the conversation convention's messages (turns, parts, cancel, regenerate), in the shapes the
 * SDK delivers, for unit and property tests.
 */
import { createConversationStore } from '../conversation-store.js';
import { createImmediateScheduler } from '../schedulers.js';
import type { Diagnostic } from '../types.js';
import { append, create, start, stop, token } from './messages.js';

export function turnMessage(fields: {
  serial: string;
  turnId: string;
  text: string;
  responseId?: string;
  clientId?: string;
}) {
  return {
    id: fields.turnId,
    name: 'turn',
    action: 'message.create',
    serial: fields.serial,
    data: fields.text,
    clientId: fields.clientId ?? 'user',
    timestamp: 1000,
    extras: {
      headers: { turnId: fields.turnId, ...(fields.responseId ? { responseId: fields.responseId } : {}) },
    },
    version: { serial: fields.serial, timestamp: 1000 },
  };
}

export function requestMessage(
  name: 'cancel' | 'regenerate',
  fields: { serial: string; turnId?: string; responseId?: string; clientId?: string },
) {
  const headers: Record<string, string> = {};
  if (fields.turnId) headers.turnId = fields.turnId;
  if (fields.responseId) headers.responseId = fields.responseId;
  return {
    id: `id-${fields.serial}`,
    name,
    action: 'message.create',
    serial: fields.serial,
    data: '',
    clientId: fields.clientId ?? 'user',
    timestamp: 1000,
    extras: { headers },
    version: { serial: fields.serial, timestamp: 1000 },
  };
}

/** Headers of one part. */
export function partHeaders(
  turnId: string | undefined,
  part: number,
  kind: string,
  extra: Record<string, string> = {},
) {
  return { ...(turnId ? { turnId } : {}), part: String(part), partKind: kind, ...extra };
}

export { append, create, start, stop, token };

/** A conversation store that notifies at once, with the diagnostics it reported. */
export function makeConversationStore() {
  const diagnostics: Diagnostic[] = [];
  const store = createConversationStore({
    scheduler: createImmediateScheduler(),
    onDiagnostic: (d) => diagnostics.push(d),
  });
  return { store, diagnostics };
}
