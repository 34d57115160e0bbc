/**
 * The kit's conversation as AI SDK `UIMessage`s: what `useChat({ messages })` starts from and what AI Elements
 * render. Text and reasoning parts keep their text; a tool call and its result become one tool part.
 *
 * @module
 */
import type { ConversationPart, ConversationResponse, ConversationSnapshot } from '@resumable/core';
import type { FinishReason, UIMessage } from 'ai';

type UIPart = UIMessage['parts'][number];

/**
 * Options of {@link toUIMessages} and {@link responseToUIMessage}.
 *
 * @example
 * ```ts
 * const options: UIMessageOptions = { messageMetadata: (response) => ({ usage: response.usage }) };
 * ```
 */
export interface UIMessageOptions {
  /** Metadata of an assistant message (e.g. usage); none by default, as `useChat` may validate it against a schema. */
  readonly messageMetadata?: (response: ConversationResponse) => unknown;
}

/**
 * A tool call's input: its parsed value, else its text parsed as JSON, else undefined (not JSON).
 *
 * @example
 * ```ts
 * toolInputOf(part); // { city: 'Paris' }
 * ```
 */
export function toolInputOf(part: ConversationPart): unknown {
  if (part.value !== undefined) return part.value;
  try {
    return JSON.parse(part.text);
  } catch {
    return undefined;
  }
}

function toolPart(call: ConversationPart, result: ConversationPart | undefined): UIPart {
  const base = { type: `tool-${call.toolName ?? 'unknown'}` as const, toolCallId: call.toolCallId ?? '' };
  if (!call.done) return { ...base, state: 'input-streaming', input: undefined } as UIPart;
  const input = toolInputOf(call);
  if (!result?.done) return { ...base, state: 'input-available', input } as UIPart;
  if (result.isError) return { ...base, state: 'output-error', input, errorText: result.text } as UIPart;
  return { ...base, state: 'output-available', input, output: result.value ?? result.text } as UIPart;
}

/**
 * The UI parts of a response: the parts of a `useChat` message that streamed the same answer.
 *
 * @example
 * ```ts
 * uiPartsOf(response).filter((part) => part.type === 'text');
 * ```
 */
export function uiPartsOf(response: ConversationResponse): UIPart[] {
  const parts: UIPart[] = [{ type: 'step-start' }];
  const results = new Map<string, ConversationPart>();
  for (const part of response.parts)
    if (part.kind === 'tool-result' && part.toolCallId) results.set(part.toolCallId, part);
  const called = new Set(response.parts.filter((part) => part.kind === 'tool-call').map((part) => part.toolCallId));
  for (const part of response.parts) {
    const state = part.done ? 'done' : 'streaming';
    if (part.kind === 'text') {
      parts.push({ type: 'text', text: part.text, state });
    } else if (part.kind === 'reasoning') {
      // useChat keeps a reasoning part's stream id: the same one the transport's chunks use.
      parts.push({ type: 'reasoning', id: `${response.responseId}:${part.index}`, text: part.text, state });
    } else if (part.kind === 'tool-call') {
      parts.push(toolPart(part, part.toolCallId ? results.get(part.toolCallId) : undefined));
    } else if (part.kind === 'tool-result' && !called.has(part.toolCallId)) {
      // A result whose call is not in this response (a client-side tool, an older turn): shown on its own.
      parts.push(toolPart({ ...part, kind: 'tool-call', text: 'null', value: null, done: true }, part));
    } else if (part.kind === 'data' && part.done) {
      parts.push({
        type: `data-${part.dataName ?? 'unknown'}`,
        id: `${response.responseId}:${part.index}`,
        data: part.value,
      });
    }
  }
  return parts;
}

/**
 * One response as an assistant `UIMessage`, with the responseId as its id (the id the transport's stream uses, so
 * `useChat` replaces it instead of adding a second one).
 *
 * @example
 * ```ts
 * const message = responseToUIMessage(store.getResponse(responseId)!);
 * ```
 */
export function responseToUIMessage(response: ConversationResponse, options: UIMessageOptions = {}): UIMessage {
  const metadata = options.messageMetadata?.(response);
  return {
    id: response.responseId,
    role: 'assistant',
    parts: uiPartsOf(response),
    ...(metadata !== undefined ? { metadata } : {}),
  };
}

/**
 * A conversation as `UIMessage[]`: each turn's user message (id = turnId), then its newest response (after a
 * regenerate, the latest sibling). Pass it to `useChat({ messages })` after a refresh, or render it with AI Elements.
 *
 * @example
 * ```ts
 * const messages = toUIMessages(store.getSnapshot());
 * const chat = useChat({ id: chatId, messages, transport, resume: true });
 * ```
 */
export function toUIMessages(
  snapshot: Pick<ConversationSnapshot, 'turns'>,
  options: UIMessageOptions = {},
): UIMessage[] {
  const messages: UIMessage[] = [];
  for (const turn of snapshot.turns) {
    if (turn.user)
      messages.push({ id: turn.user.turnId, role: 'user', parts: [{ type: 'text', text: turn.user.text }] });
    const latest = turn.responses.at(-1);
    if (latest) messages.push(responseToUIMessage(latest, options));
  }
  return messages;
}

const FINISH_REASONS: Record<string, FinishReason> = {
  stop: 'stop',
  end_turn: 'stop',
  stop_sequence: 'stop',
  completed: 'stop',
  length: 'length',
  max_tokens: 'length',
  max_output_tokens: 'length',
  'content-filter': 'content-filter',
  content_filter: 'content-filter',
  refusal: 'content-filter',
  'tool-calls': 'tool-calls',
  tool_calls: 'tool-calls',
  tool_use: 'tool-calls',
  error: 'error',
  interrupted: 'interrupted',
};

/**
 * The AI SDK's finish reason for the one an end marker carries (AI SDK, OpenAI or Anthropic words).
 *
 * @example
 * ```ts
 * uiFinishReason('end_turn'); // 'stop'
 * ```
 */
export function uiFinishReason(reason: string | undefined): FinishReason {
  if (reason === undefined) return 'stop';
  return Object.hasOwn(FINISH_REASONS, reason) ? FINISH_REASONS[reason]! : 'other';
}
