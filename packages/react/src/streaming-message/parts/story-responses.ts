/**
 * Conversation responses for the part renderers' stories and tests: built the way the store builds them (frozen,
 * parts in order, `text` = the text parts joined).
 *
 * @module
 */
import type { ConversationPart, ConversationResponse, ConversationResponseStatus } from '@resumable/core';

type PartInput = Omit<ConversationPart, 'index' | 'done' | 'value'> & { readonly done?: boolean };

function parsed(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

/** A response with `parts` (each done unless it is the last one of a running response). */
export function responseWith(
  status: ConversationResponseStatus,
  parts: readonly PartInput[],
  extra: Partial<ConversationResponse> = {},
): ConversationResponse {
  const running = status === 'submitted' || status === 'streaming' || status === 'stale';
  const built = parts.map((input, index) => {
    const done = input.done ?? (!running || index < parts.length - 1);
    const { done: _done, ...rest } = input;
    const value =
      done && rest.kind !== 'text' && rest.kind !== 'reasoning' && !rest.isError ? parsed(rest.text) : undefined;
    return Object.freeze({ ...rest, index, done, ...(value === undefined ? {} : { value }) }) as ConversationPart;
  });
  return Object.freeze({
    responseId: 'r1',
    turnId: 't1',
    pattern: 'message-per-response',
    parts: Object.freeze(built),
    text: built
      .filter((part) => part.kind === 'text')
      .map((part) => part.text)
      .join(''),
    status,
    errorReason: undefined,
    cancelledBy: undefined,
    cancelRequestedBy: undefined,
    clientId: 'agent',
    createdAt: 0,
    updatedAt: 0,
    seeded: false,
    ...extra,
  });
}

export const weatherCall: PartInput = {
  kind: 'tool-call',
  text: '{"city":"Paris","unit":"celsius"}',
  toolCallId: 'c1',
  toolName: 'weather',
};
export const weatherResult: PartInput = {
  kind: 'tool-result',
  text: '{"sky":"sunny","celsius":21}',
  toolCallId: 'c1',
  toolName: 'weather',
};
export const thinking: PartInput = {
  kind: 'reasoning',
  text: 'The user wants the weather in Paris. I will call the weather tool, then answer in one sentence.',
};
export const answer: PartInput = { kind: 'text', text: 'It is **sunny** in Paris, 21 °C.' };
