/**
 * Seeding: completed responses from the app's database join the channel's responses by `responseId`; the
 * database is authoritative, so what the channel built for a seeded id is dropped and later messages skipped.
 * A seed keeps how the response ended (`status`, `errorReason`, `cancelledBy`): a stopped answer stays stopped
 * after a reload. With `parts`, a conversation store makes one entry per part, named by the same headers the
 * channel would carry.
 *
 * @module
 */
import { addEntry, type ReducerState, removeOrdered } from './reducer-state.js';
import { type Entry, emptyEntry, SEED_ID_PREFIX } from './store-entry.js';
import type { Diagnostic, SeedPart, SeedResponse } from './types.js';
import {
  CANCELLED_BY_KEY,
  isPartKind,
  isTerminalStatus,
  PART_HEADER,
  PART_HEADERS,
  PART_KIND_HEADER,
  RESPONSE_ID_HEADER,
  TURN_ID_HEADER,
} from './wire.js';

type Report = (kind: Diagnostic['kind'], message: string, received: unknown) => void;

/** How a store wants its seeds: a conversation store splits them into parts, a response store keeps the text. */
export interface SeedOptions {
  readonly splitParts: boolean;
}

/** The id of a seeded part's entry: the first part keeps the plain seed id, so a response store's ids stay. */
export function seedEntryId(responseId: string, index: number): string {
  return index === 0 ? SEED_ID_PREFIX + responseId : `${SEED_ID_PREFIX}${index}:${responseId}`;
}

/** Why a seed cannot be used, or undefined when it can. */
function seedProblem(response: SeedResponse): string | undefined {
  if (typeof response?.responseId !== 'string' || response.responseId === '' || typeof response.text !== 'string') {
    return 'A seed needs a non-empty string responseId and a string text';
  }
  if (response.status !== undefined && !isTerminalStatus(response.status)) {
    return `A seed's status must be complete, error or cancelled, not ${JSON.stringify(response.status)}`;
  }
  if (response.turnId !== undefined && (typeof response.turnId !== 'string' || response.turnId === '')) {
    return "A seed's turnId must be a non-empty string";
  }
  if (response.parts !== undefined) {
    if (!Array.isArray(response.parts)) return "A seed's parts must be an array";
    const bad = response.parts.findIndex((part: SeedPart) => !isPartKind(part?.kind) || typeof part.text !== 'string');
    if (bad >= 0) return `Seed part ${bad} needs a known kind (text, reasoning, tool-call, tool-result, data) and text`;
  }
  return undefined;
}

function partHeaders(part: SeedPart, index: number): Record<string, string> {
  const headers: Record<string, string> = { [PART_HEADER]: String(index), [PART_KIND_HEADER]: part.kind };
  if (typeof part.toolCallId === 'string') headers[PART_HEADERS.toolCallId] = part.toolCallId;
  if (typeof part.toolName === 'string') headers[PART_HEADERS.toolName] = part.toolName;
  if (part.isError === true) headers[PART_HEADERS.toolError] = 'true';
  if (typeof part.dataName === 'string') headers[PART_HEADERS.dataName] = part.dataName;
  return headers;
}

/** Drop what the channel built for a response the database now holds. */
function dropChannelEntries(state: ReducerState, responseId: string, changed: (entry: Entry) => void): void {
  for (const entry of [...state.entries.values()]) {
    if (entry.responseId === responseId && !entry.seeded) {
      state.entries.delete(entry.id);
      removeOrdered(state, entry);
      if (entry.pattern === 'message-per-response') state.seededSerials.add(entry.orderSerial);
      changed(entry);
    }
  }
}

function seededEntry(response: SeedResponse, id: string, text: string, headers: Record<string, string>): Entry {
  const createdAt = typeof response.createdAt === 'number' ? response.createdAt : 0;
  const entry = emptyEntry(id, response.pattern ?? 'message-per-response', '', 0);
  entry.responseId = response.responseId;
  entry.clientId = response.clientId;
  entry.createdAt = createdAt;
  entry.updatedAt = createdAt;
  entry.activityAt = createdAt;
  entry.headers = Object.freeze({
    ...(response.headers ?? {}),
    ...headers,
    ...(response.turnId ? { [TURN_ID_HEADER]: response.turnId } : {}),
    [RESPONSE_ID_HEADER]: response.responseId,
  });
  entry.seeded = true;
  entry.text.reset(text);
  return entry;
}

/**
 * Add seeds to the reducer state. Returns the seeds it used (a conversation store reads their turns).
 *
 * @example
 * ```ts
 * applySeeds(state, [{ responseId: 'r1', text: 'Hello', createdAt: 1 }], { splitParts: false }, report, changed);
 * ```
 */
export function applySeeds(
  state: ReducerState,
  responses: readonly SeedResponse[],
  options: SeedOptions,
  report: Report,
  changed: (entry: Entry, urgent: boolean, listChanged: boolean) => void,
): SeedResponse[] {
  const used: SeedResponse[] = [];
  if (!Array.isArray(responses)) {
    report('bad-data', 'Seeds must be an array of completed responses', responses);
    return used;
  }
  for (const response of responses) {
    const problem = seedProblem(response);
    if (problem) {
      report('bad-data', problem, response);
      continue;
    }
    if (state.seededIds.has(response.responseId)) continue;
    state.seededIds.add(response.responseId);
    used.push(response);
    dropChannelEntries(state, response.responseId, (entry) => changed(entry, true, true));
    const pieces: { text: string; headers: Record<string, string> }[] =
      options.splitParts && response.parts && response.parts.length > 0
        ? response.parts.map((part: SeedPart, index: number) => ({
            text: part.text,
            headers: partHeaders(part, index),
          }))
        : [{ text: response.text, headers: {} }];
    const status = response.status ?? 'complete';
    const last = pieces.length - 1;
    pieces.forEach((piece, index) => {
      const entry = seededEntry(response, seedEntryId(response.responseId, index), piece.text, piece.headers);
      // Every part is done; the last one carries how the response ended, as the end marker does on the channel.
      entry.ended = index === last ? status : 'complete';
      if (index === last && status === 'error' && typeof response.errorReason === 'string') {
        entry.errorReason = response.errorReason;
      }
      if (index === last && status === 'cancelled' && typeof response.cancelledBy === 'string') {
        entry.endMetadata = Object.freeze({ [CANCELLED_BY_KEY]: response.cancelledBy });
      }
      addEntry(state, entry);
      changed(entry, true, true);
    });
  }
  return used;
}
