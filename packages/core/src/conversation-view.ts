/**
 * Pure functions that turn the reducer entries of one response (one entry per part) and the control state into
 * the frozen {@link ConversationResponse} and {@link ConversationTurn} objects a conversation store hands out.
 *
 * @module
 */
import type { ControlState, TurnRecord } from './conversation-controls.js';
import type {
  ConversationPart,
  ConversationResponse,
  ConversationResponseStatus,
  ConversationTurn,
} from './conversation-types.js';
import type { ReducerState } from './reducer-state.js';
import { type Entry, PART_ID_PREFIX, textOf } from './store-entry.js';
import {
  CANCELLED_BY_KEY,
  FINISH_REASON_KEY,
  isPartKind,
  PART_HEADER,
  PART_HEADERS,
  PART_KIND_HEADER,
  type PartKind,
  parseUsage,
  USAGE_KEY,
} from './wire.js';

/** The entries of one response, keyed by entry id, with the part headers each was last seen with. */
export interface ResponseRecord {
  readonly responseId: string;
  readonly entries: Map<string, Entry>;
  /** Per entry, the newest headers that named its part (a per-token `stop` carries none). */
  readonly partHeaders: Map<string, Readonly<Record<string, string>>>;
  turnId?: string | undefined;
  cache: ConversationResponse | undefined;
}

function partIndexOfEntry(entry: Entry, headers: Readonly<Record<string, string>> | undefined): number {
  if (entry.pattern === 'message-per-token' && !entry.seeded) {
    if (!entry.id.startsWith(PART_ID_PREFIX)) return 0;
    return Number(entry.id.slice(PART_ID_PREFIX.length, entry.id.indexOf(':', PART_ID_PREFIX.length)));
  }
  const raw = headers?.[PART_HEADER];
  return raw === undefined ? 0 : Number(raw);
}

function parsed(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

function buildPart(entry: Entry, index: number, headers: Readonly<Record<string, string>> | undefined, done: boolean) {
  const rawKind = headers?.[PART_KIND_HEADER];
  const kind: PartKind = isPartKind(rawKind) ? rawKind : 'text';
  const text = textOf(entry);
  const part: Record<string, unknown> = { index, kind, text, done };
  const toolCallId = headers?.[PART_HEADERS.toolCallId];
  const toolName = headers?.[PART_HEADERS.toolName];
  if ((kind === 'tool-call' || kind === 'tool-result') && toolCallId !== undefined) part.toolCallId = toolCallId;
  if ((kind === 'tool-call' || kind === 'tool-result') && toolName !== undefined) part.toolName = toolName;
  const isError = kind === 'tool-result' && headers?.[PART_HEADERS.toolError] === 'true';
  if (isError) part.isError = true;
  if (kind === 'data' && headers?.[PART_HEADERS.dataName] !== undefined) part.dataName = headers[PART_HEADERS.dataName];
  if (done && !isError && (kind === 'tool-call' || kind === 'tool-result' || kind === 'data')) {
    const value = parsed(text);
    if (value !== undefined) part.value = value;
  }
  return Object.freeze(part) as unknown as ConversationPart;
}

/**
 * Build the public view of one response.
 *
 * @example
 * ```ts
 * const response = buildResponse(record, state, controls, undefined);
 * response.parts.map((part) => part.kind); // ['reasoning', 'tool-call', 'tool-result', 'text']
 * ```
 */
export function buildResponse(
  found: ResponseRecord,
  state: ReducerState,
  controls: ControlState,
  cancelRequestedBy: string | undefined,
): ConversationResponse {
  const live = [...found.entries.values()].filter((entry) => !entry.deleted && state.entries.get(entry.id) === entry);
  const indexed = live
    .map((entry) => ({ entry, index: partIndexOfEntry(entry, found.partHeaders.get(entry.id)) }))
    .sort((a, b) => a.index - b.index || (a.entry.orderSerial < b.entry.orderSerial ? -1 : 1));
  const ender = [...indexed].reverse().find((item) => item.entry.ended !== undefined)?.entry;
  const last = indexed[indexed.length - 1];
  const parts = indexed.map(({ entry, index }) =>
    buildPart(entry, index, found.partHeaders.get(entry.id), ender !== undefined || index < last!.index),
  );
  const hasContent = parts.some((part) => part.text.length > 0) || indexed.length > 1;
  let status: ConversationResponseStatus;
  if (ender?.ended) status = ender.ended;
  else if (last?.entry.stale) status = 'stale';
  else status = hasContent ? 'streaming' : 'submitted';
  const expected = controls.expected.get(found.responseId);
  const first = indexed[0]?.entry;
  const pattern = first?.pattern;
  const incomplete =
    pattern === 'message-per-token' && (indexed[0]?.index !== 0 || indexed[0]?.entry.missingStart === true);
  const cancelledBy =
    ender?.endMetadata?.[CANCELLED_BY_KEY] ?? (status === 'cancelled' ? cancelRequestedBy : undefined);
  const finishReason = ender?.ended ? ender.endMetadata?.[FINISH_REASON_KEY] : undefined;
  const usage = ender?.ended ? parseUsage(ender.endMetadata?.[USAGE_KEY]) : undefined;
  return Object.freeze({
    responseId: found.responseId,
    turnId: found.turnId,
    pattern,
    parts: Object.freeze(parts),
    text: parts
      .filter((part) => part.kind === 'text')
      .map((part) => part.text)
      .join(''),
    status,
    errorReason: ender?.errorReason,
    cancelledBy,
    cancelRequestedBy,
    clientId: first?.clientId,
    createdAt: Math.min(...live.map((entry) => entry.createdAt), expected?.createdAt ?? Number.POSITIVE_INFINITY),
    updatedAt: Math.max(0, ...live.map((entry) => entry.updatedAt)),
    seeded: live.some((entry) => entry.seeded),
    ...(typeof finishReason === 'string' && finishReason !== '' ? { finishReason: finishReason.slice(0, 100) } : {}),
    ...(usage ? { usage } : {}),
    ...(incomplete ? { incomplete: true as const } : {}),
  });
}

/**
 * Build the public view of one turn.
 *
 * @example
 * ```ts
 * const turn = buildTurn('t1', 't1', controls.turns.get('t1'), [response]);
 * ```
 */
export function buildTurn(
  id: string,
  turnId: string | undefined,
  turn: TurnRecord | undefined,
  responses: readonly ConversationResponse[],
): ConversationTurn {
  return Object.freeze({
    id,
    turnId,
    user: turn
      ? Object.freeze({
          turnId: turn.turnId,
          text: turn.text,
          clientId: turn.clientId,
          createdAt: turn.createdAt,
          headers: turn.headers,
        })
      : undefined,
    responses: Object.freeze([...responses]),
  });
}
