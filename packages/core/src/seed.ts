/**
 * Seeding: completed responses from the app's database join the channel's responses by `responseId`; the
 * database is authoritative, so what the channel built for a seeded id is dropped and later messages skipped.
 *
 * @module
 */
import { addEntry, type ReducerState, removeOrdered } from './reducer-state.js';
import { type Entry, emptyEntry, SEED_ID_PREFIX } from './store-entry.js';
import type { Diagnostic, SeedResponse } from './types.js';
import { RESPONSE_ID_HEADER } from './wire.js';

/**
 * Add seeds to the reducer state.
 *
 * @example
 * ```ts
 * applySeeds(state, [{ responseId: 'r1', text: 'Hello', createdAt: 1 }], report, changed);
 * ```
 */
export function applySeeds(
  state: ReducerState,
  responses: readonly SeedResponse[],
  report: (kind: Diagnostic['kind'], message: string, received: unknown) => void,
  changed: (entry: Entry, urgent: boolean, listChanged: boolean) => void,
): void {
  for (const response of responses) {
    if (typeof response?.responseId !== 'string' || typeof response.text !== 'string') {
      report('bad-data', 'A seed needs a string responseId and text', response);
      continue;
    }
    if (state.seededIds.has(response.responseId)) continue;
    state.seededIds.add(response.responseId);
    // The database is authoritative for completed responses: drop what the channel built for them.
    for (const entry of [...state.entries.values()]) {
      if (entry.responseId === response.responseId && !entry.seeded) {
        state.entries.delete(entry.id);
        removeOrdered(state, entry);
        if (entry.pattern === 'message-per-response') state.seededSerials.add(entry.orderSerial);
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
    addEntry(state, entry);
    changed(entry, true, true);
  }
}
