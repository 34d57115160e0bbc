/**
 * Pairing tool calls with their results, and the state a card shows: pure functions of a response's parts.
 *
 * @module
 */
import type { ConversationPart, ConversationResponseStatus } from '@resumable/core';
import type { ToolCallState } from './part-types.js';

/** What the parts list renders: a part on its own, or a tool call card holding its call and result. */
export type PartSlot =
  | { readonly kind: 'part'; readonly key: string; readonly part: ConversationPart }
  | {
      readonly kind: 'tool';
      readonly key: string;
      readonly call: ConversationPart | undefined;
      readonly result: ConversationPart | undefined;
      /** 1 for a tool's first card in the response, 2 for its second...: names stay unique for assistive tech. */
      readonly ordinal: number;
    };

/**
 * Group a response's parts into slots: each tool result joins the card of the call with the same `toolCallId`;
 * a result without a shown call gets a card of its own. Keys are stable while the response streams.
 *
 * @example
 * ```ts
 * slotsOf(response.parts).map((slot) => slot.kind); // ['part', 'tool', 'part']
 * ```
 */
export function slotsOf(parts: readonly ConversationPart[]): PartSlot[] {
  const slots: PartSlot[] = [];
  const cardByCall = new Map<string, number>();
  const cardsPerTool = new Map<string, number>();
  const ordinalOf = (part: ConversationPart) => {
    const name = part.toolName ?? '';
    const ordinal = (cardsPerTool.get(name) ?? 0) + 1;
    cardsPerTool.set(name, ordinal);
    return ordinal;
  };
  for (const part of parts) {
    if (part.kind === 'tool-call') {
      if (part.toolCallId !== undefined) cardByCall.set(part.toolCallId, slots.length);
      slots.push({ kind: 'tool', key: `tool-${part.index}`, call: part, result: undefined, ordinal: ordinalOf(part) });
    } else if (part.kind === 'tool-result') {
      const at = part.toolCallId === undefined ? undefined : cardByCall.get(part.toolCallId);
      const card = at === undefined ? undefined : slots[at];
      if (card?.kind === 'tool' && card.result === undefined) {
        slots[at!] = { ...card, result: part };
      } else {
        slots.push({
          kind: 'tool',
          key: `tool-${part.index}`,
          call: undefined,
          result: part,
          ordinal: ordinalOf(part),
        });
      }
    } else {
      slots.push({ kind: 'part', key: `part-${part.index}`, part });
    }
  }
  return slots;
}

/**
 * The state of a tool call card.
 *
 * @example
 * ```ts
 * toolCallState(call, undefined, 'cancelled'); // 'cancelled'
 * ```
 */
export function toolCallState(
  call: ConversationPart | undefined,
  result: ConversationPart | undefined,
  responseStatus: ConversationResponseStatus | 'pending',
): ToolCallState {
  // A result is published whole (one part, never streamed): once it is here the call is over.
  if (result) return result.isError ? 'error' : 'done';
  if (responseStatus === 'cancelled') return 'cancelled';
  if (responseStatus === 'error' || responseStatus === 'stale') return 'error';
  if (responseStatus === 'complete') return call?.done ? 'done' : 'error';
  return 'running';
}

/**
 * A tool input or output for display: pretty JSON once it parsed, else the raw text as it streams.
 *
 * @example
 * ```ts
 * displayJson({ text: '{"a":1}', value: { a: 1 }, done: true } as ConversationPart); // '{\n  "a": 1\n}'
 * ```
 */
export function displayJson(part: ConversationPart | undefined): string {
  if (!part) return '';
  if (part.value !== undefined) return JSON.stringify(part.value, null, 2);
  // A result is published whole, so it can be shown pretty before a later part marks it done.
  if (part.done || part.kind === 'tool-result') {
    try {
      return JSON.stringify(JSON.parse(part.text), null, 2);
    } catch {
      return part.text;
    }
  }
  return part.text;
}
