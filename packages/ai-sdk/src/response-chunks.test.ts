import {
  type ConversationPart,
  type ConversationResponse,
  type ConversationStore,
  createConversationStore,
} from '@resumable/core';
import type { UIMessageChunk } from 'ai';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { responseChunks } from './response-chunks.js';
import { responseToUIMessage, toUIMessages, uiFinishReason } from './ui-messages.js';

/** A store holding one response the test replaces by hand (the reducer is tested in core). */
function storeOf(initial: ConversationResponse | undefined) {
  let current = initial;
  const listeners = new Set<() => void>();
  const store = {
    getResponse: (id: string) => (current?.responseId === id ? current : undefined),
    subscribeResponse: (_id: string, listener: () => void) => {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
  } as unknown as ConversationStore;
  return {
    store,
    set(next: ConversationResponse) {
      current = next;
      for (const listener of listeners) listener();
    },
    listeners,
  };
}

function response(
  parts: Array<Partial<ConversationPart> & Pick<ConversationPart, 'kind' | 'text'>>,
  status: ConversationResponse['status'],
  extra: Partial<ConversationResponse> = {},
): ConversationResponse {
  return {
    responseId: 'r1',
    turnId: 't1',
    pattern: 'message-per-response',
    parts: parts.map((part, index) => ({ index, done: status !== 'streaming', ...part })),
    text: '',
    status,
    errorReason: undefined,
    cancelledBy: undefined,
    cancelRequestedBy: undefined,
    clientId: 'agent',
    createdAt: 0,
    updatedAt: 0,
    seeded: false,
    ...extra,
  };
}

async function drain(stream: ReadableStream<UIMessageChunk>): Promise<UIMessageChunk[]> {
  const chunks: UIMessageChunk[] = [];
  for await (const chunk of stream as unknown as AsyncIterable<UIMessageChunk>) chunks.push(chunk);
  return chunks;
}

afterEach(() => {
  vi.useRealTimers();
});

describe('responseChunks', () => {
  it('streams growth as deltas and a text replaced by a repair as a reset step', async () => {
    const held = storeOf(response([{ kind: 'text', text: 'Hel' }], 'streaming'));
    const chunks = drain(responseChunks(held.store, 'r1'));
    held.set(response([{ kind: 'text', text: 'Hello' }], 'streaming'));
    held.set(response([{ kind: 'text', text: 'Help!' }], 'complete', { finishReason: 'end_turn' }));
    expect(await chunks).toEqual([
      { type: 'start', messageId: 'r1' },
      { type: 'start-step' },
      { type: 'text-start', id: 'r1:0' },
      { type: 'text-delta', id: 'r1:0', delta: 'Hel' },
      { type: 'text-delta', id: 'r1:0', delta: 'lo' },
      { type: 'reset-step' },
      { type: 'start-step' },
      { type: 'text-start', id: 'r1:0' },
      { type: 'text-delta', id: 'r1:0', delta: 'Help!' },
      { type: 'text-end', id: 'r1:0' },
      { type: 'finish-step' },
      { type: 'finish', finishReason: 'stop' },
    ]);
    expect(held.listeners.size).toBe(0);
  });

  it('a result without its call gets the call first; data parts; an error ends with an error chunk', async () => {
    const held = storeOf(
      response(
        [
          { kind: 'tool-result', text: '{"ok":true}', value: { ok: true }, toolCallId: 'c9', toolName: 'lookup' },
          { kind: 'data', text: '[1]', value: [1], dataName: 'chart' },
        ],
        'error',
        { errorReason: 'The model stream failed: overloaded' },
      ),
    );
    expect(await drain(responseChunks(held.store, 'r1'))).toEqual([
      { type: 'start', messageId: 'r1' },
      { type: 'start-step' },
      { type: 'tool-input-available', toolCallId: 'c9', toolName: 'lookup', input: null },
      { type: 'tool-output-available', toolCallId: 'c9', output: { ok: true } },
      { type: 'data-chart', id: 'r1:1', data: [1] },
      { type: 'finish-step' },
      { type: 'error', errorText: 'The model stream failed: overloaded' },
    ]);
  });

  it('a cancelled response ends with abort; a tool error result is an output error', async () => {
    const held = storeOf(
      response(
        [
          { kind: 'tool-call', text: '{"q":1}', value: { q: 1 }, toolCallId: 'c1', toolName: 'search' },
          { kind: 'tool-result', text: 'timeout', isError: true, toolCallId: 'c1', toolName: 'search' },
        ],
        'cancelled',
        { cancelledBy: 'ann' },
      ),
    );
    const chunks = await drain(responseChunks(held.store, 'r1'));
    expect(chunks.slice(2)).toEqual([
      { type: 'tool-input-start', toolCallId: 'c1', toolName: 'search' },
      { type: 'tool-input-delta', toolCallId: 'c1', inputTextDelta: '{"q":1}' },
      { type: 'tool-input-available', toolCallId: 'c1', toolName: 'search', input: { q: 1 } },
      { type: 'tool-output-error', toolCallId: 'c1', errorText: 'timeout' },
      { type: 'finish-step' },
      { type: 'abort', reason: 'cancelled by ann' },
    ]);
  });

  it('a response that never shows content ends with an error after submitTimeoutMs', async () => {
    vi.useFakeTimers();
    const held = storeOf(response([], 'submitted'));
    const chunks = drain(responseChunks(held.store, 'r1', { submitTimeoutMs: 5000 }));
    await vi.advanceTimersByTimeAsync(5000);
    expect(await chunks).toEqual([
      { type: 'error', errorText: 'No answer arrived within 5000 ms; is the agent running?' },
    ]);
  });

  it('an abort closes the stream at once and unsubscribes', async () => {
    const held = storeOf(response([{ kind: 'text', text: 'Hi' }], 'streaming'));
    const controller = new AbortController();
    const chunks = drain(responseChunks(held.store, 'r1', { signal: controller.signal }));
    controller.abort();
    expect((await chunks).map((chunk) => chunk.type)).toEqual(['start', 'start-step', 'text-start', 'text-delta']);
    expect(held.listeners.size).toBe(0);
  });
});

describe('toUIMessages', () => {
  it('a turn is its user message and its newest response; tool call and result are one tool part', () => {
    const first = response([{ kind: 'text', text: 'old' }], 'complete', { responseId: 'r0' });
    const latest = response(
      [
        { kind: 'reasoning', text: 'Think.' },
        { kind: 'tool-call', text: '{"q":1}', value: { q: 1 }, toolCallId: 'c1', toolName: 'search' },
        { kind: 'tool-result', text: '{"n":2}', value: { n: 2 }, toolCallId: 'c1', toolName: 'search' },
        { kind: 'text', text: 'Two.' },
      ],
      'complete',
    );
    const user = { turnId: 't1', text: 'How many?', clientId: 'ann', createdAt: 0, headers: {} };
    const messages = toUIMessages({ turns: [{ id: 't1', turnId: 't1', user, responses: [first, latest] }] });
    expect(messages).toEqual([
      { id: 't1', role: 'user', parts: [{ type: 'text', text: 'How many?' }] },
      {
        id: 'r1',
        role: 'assistant',
        parts: [
          { type: 'step-start' },
          { type: 'reasoning', id: 'r1:0', text: 'Think.', state: 'done' },
          { type: 'tool-search', toolCallId: 'c1', state: 'output-available', input: { q: 1 }, output: { n: 2 } },
          { type: 'text', text: 'Two.', state: 'done' },
        ],
      },
    ]);
  });

  it('streaming parts say so; metadata comes from the option', () => {
    const streaming = response(
      [{ kind: 'tool-call', text: '{"q":', toolCallId: 'c1', toolName: 'search', done: false }],
      'streaming',
    );
    expect(responseToUIMessage(streaming, { messageMetadata: (r) => ({ status: r.status }) })).toEqual({
      id: 'r1',
      role: 'assistant',
      parts: [
        { type: 'step-start' },
        { type: 'tool-search', toolCallId: 'c1', state: 'input-streaming', input: undefined },
      ],
      metadata: { status: 'streaming' },
    });
  });
});

describe('uiFinishReason', () => {
  it.each([
    [undefined, 'stop'],
    ['end_turn', 'stop'],
    ['tool_use', 'tool-calls'],
    ['max_output_tokens', 'length'],
    ['constructor', 'other'],
  ])('%s → %s', (reason, expected) => {
    expect(uiFinishReason(reason)).toBe(expected);
  });
});

describe('with a real conversation store', () => {
  it('waits for a response that is not in the store yet', async () => {
    const store = createConversationStore();
    const controller = new AbortController();
    const chunks = drain(responseChunks(store, 'nope', { signal: controller.signal }));
    controller.abort();
    expect(await chunks).toEqual([]);
    store.dispose();
  });
});
