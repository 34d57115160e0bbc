import { ResumableError } from '@resumable/core';
import type { TextStreamPart, ToolSet, UIMessageChunk } from 'ai';
import { describe, expect, it } from 'vitest';
import type { PartEvent, PartStream } from '../part-events.js';
import { fullStreamParts, uiMessageStreamParts } from './ai-sdk.js';
import { type AnthropicStreamEvent, anthropicMessageParts } from './anthropic.js';
import { readChatRequest } from './chat-endpoint.js';
import { type OpenAIChatChunk, type OpenAIResponseEvent, openaiChatParts, openaiResponsesParts } from './openai.js';

async function collect(stream: PartStream): Promise<PartEvent[]> {
  const events: PartEvent[] = [];
  for await (const event of stream) events.push(event);
  return events;
}

/** A ReadableStream without async iteration (as in older browsers): read through its reader. */
function readerOnly<T>(items: T[]): ReadableStream<T> {
  const stream = new ReadableStream<T>({
    start(controller) {
      for (const item of items) controller.enqueue(item);
      controller.close();
    },
  });
  return { getReader: () => stream.getReader() } as ReadableStream<T>;
}

describe('fullStreamParts', () => {
  it('maps tool errors, denied calls and sources, and ends at an error', async () => {
    const events: TextStreamPart<ToolSet>[] = [
      { type: 'start' },
      { type: 'tool-call', toolCallId: 'c1', toolName: 'weather', input: { city: 'Oslo' } },
      {
        type: 'tool-error',
        toolCallId: 'c1',
        toolName: 'weather',
        input: { city: 'Oslo' },
        error: new Error('offline'),
      },
      { type: 'tool-output-denied', toolCallId: 'c2', toolName: 'delete' },
      { type: 'source', sourceType: 'url', id: 's1', url: 'https://example.com/', title: 'Example' },
      { type: 'error', error: new Error('rate limited') },
      { type: 'text-delta', id: 't', text: 'never read' },
    ] as TextStreamPart<ToolSet>[];
    expect(await collect(fullStreamParts(readerOnly(events)))).toEqual([
      { type: 'tool-call', toolCallId: 'c1', toolName: 'weather', input: { city: 'Oslo' } },
      { type: 'tool-result', toolCallId: 'c1', toolName: 'weather', output: 'offline', isError: true },
      { type: 'tool-result', toolCallId: 'c2', toolName: 'delete', output: 'The tool call was denied.', isError: true },
      { type: 'data', name: 'source', data: events[4] },
      { type: 'error', error: new Error('rate limited') },
    ]);
  });

  it('an abort that is not the agent’s own cancel ends the response as an error', async () => {
    const events = [{ type: 'abort', reason: 'timeout' }] as TextStreamPart<ToolSet>[];
    expect(await collect(fullStreamParts(readerOnly(events)))).toEqual([
      { type: 'error', error: 'The model stream was aborted: timeout.' },
    ]);
  });

  it('something that is not a stream fails with a hint when read', async () => {
    const error = await collect(fullStreamParts(42 as never)).catch((cause: unknown) => cause);
    expect(error).toBeInstanceOf(ResumableError);
    expect((error as ResumableError).hint).toMatch(/fullStream/);
  });
});

describe('uiMessageStreamParts', () => {
  it('keeps app data and final outputs, skips transient data and preliminary outputs', async () => {
    const chunks: UIMessageChunk[] = [
      { type: 'start', messageId: 'm1' },
      { type: 'data-weather', data: { celsius: 18 } },
      { type: 'data-progress', data: 50, transient: true },
      { type: 'tool-input-start', toolCallId: 'c1', toolName: 'search' },
      { type: 'tool-input-delta', toolCallId: 'c1', inputTextDelta: '{"q":"x"}' },
      { type: 'tool-input-available', toolCallId: 'c1', toolName: 'search', input: { q: 'x' } },
      { type: 'tool-output-available', toolCallId: 'c1', output: { hits: 1 }, preliminary: true },
      { type: 'tool-output-available', toolCallId: 'c1', output: { hits: 2 } },
      { type: 'tool-output-error', toolCallId: 'c2', errorText: 'no such tool' },
      { type: 'finish', finishReason: 'stop' },
    ];
    expect(await collect(uiMessageStreamParts(readerOnly(chunks)))).toEqual([
      { type: 'data', name: 'weather', data: { celsius: 18 } },
      { type: 'tool-input-delta', toolCallId: 'c1', toolName: 'search', text: '' },
      { type: 'tool-input-delta', toolCallId: 'c1', toolName: 'search', text: '{"q":"x"}' },
      { type: 'tool-call', toolCallId: 'c1', toolName: 'search', input: { q: 'x' } },
      { type: 'tool-result', toolCallId: 'c1', toolName: 'search', output: { hits: 2 } },
      { type: 'tool-result', toolCallId: 'c2', toolName: 'unknown', output: 'no such tool', isError: true },
      { type: 'finish', finishReason: 'stop' },
    ]);
  });

  it('a tool input error is the call and an error result; an error chunk ends the stream', async () => {
    const chunks: UIMessageChunk[] = [
      { type: 'tool-input-error', toolCallId: 'c1', toolName: 'search', input: '{bad', errorText: 'invalid JSON' },
      { type: 'error', errorText: 'overloaded' },
    ];
    expect(await collect(uiMessageStreamParts(readerOnly(chunks)))).toEqual([
      { type: 'tool-call', toolCallId: 'c1', toolName: 'search', input: '{bad' },
      { type: 'tool-result', toolCallId: 'c1', toolName: 'search', output: 'invalid JSON', isError: true },
      { type: 'error', error: 'overloaded' },
    ]);
  });
});

describe('openaiResponsesParts', () => {
  it('refusals are text, summary paragraphs are separated, a failed response is an error', async () => {
    const events = [
      {
        type: 'response.refusal.delta',
        item_id: 'm',
        output_index: 0,
        content_index: 0,
        delta: 'No.',
        sequence_number: 1,
      },
      {
        type: 'response.reasoning_summary_part.added',
        item_id: 'r',
        output_index: 1,
        summary_index: 1,
        part: { type: 'summary_text', text: '' },
        sequence_number: 2,
      },
      { type: 'response.failed', response: { error: { code: 'server_error', message: 'boom' } }, sequence_number: 3 },
    ] as OpenAIResponseEvent[];
    expect(await collect(openaiResponsesParts(readerOnly(events)))).toEqual([
      { type: 'text-delta', text: 'No.' },
      { type: 'reasoning-delta', text: '\n\n' },
      { type: 'error', error: 'boom' },
    ]);
  });

  it('an error event ends the stream with its message', async () => {
    const events: OpenAIResponseEvent[] = [
      { type: 'error', code: 'rate_limit', message: 'slow down', param: null, sequence_number: 1 },
    ];
    expect(await collect(openaiResponsesParts(readerOnly(events)))).toEqual([{ type: 'error', error: 'slow down' }]);
  });
});

describe('openaiChatParts', () => {
  it('every tool call is completed at the finish reason, with its parsed arguments', async () => {
    const chunk = (delta: OpenAIChatChunk['choices'][number]['delta'], finish: 'tool_calls' | null = null) =>
      ({
        id: 'c',
        object: 'chat.completion.chunk',
        created: 0,
        model: 'm',
        choices: [{ index: 0, delta, finish_reason: finish, logprobs: null }],
      }) satisfies OpenAIChatChunk;
    const events = await collect(
      openaiChatParts(
        readerOnly([
          chunk({ reasoning: 'Hmm.' }),
          chunk({ tool_calls: [{ index: 0, id: 'a', function: { name: 'f', arguments: '{"x":1}' } }] }),
          chunk({ tool_calls: [{ index: 1, id: 'b', function: { name: 'g', arguments: 'not json' } }] }),
          chunk({}, 'tool_calls'),
        ]),
      ),
    );
    expect(events.filter((event) => event.type === 'tool-call')).toEqual([
      { type: 'tool-call', toolCallId: 'a', toolName: 'f', input: { x: 1 } },
      { type: 'tool-call', toolCallId: 'b', toolName: 'g', input: 'not json' },
    ]);
    expect(events[0]).toEqual({ type: 'reasoning-delta', text: 'Hmm.' });
    expect(events.at(-1)).toEqual({ type: 'step-finish', finishReason: 'tool_calls', usage: undefined });
  });
});

describe('anthropicMessageParts', () => {
  it('a tool use without input deltas keeps its start input; server tool errors are error results', async () => {
    const events = [
      {
        type: 'content_block_start',
        index: 0,
        content_block: { type: 'tool_use', id: 't1', name: 'now', input: { zone: 'UTC' }, caller: { type: 'direct' } },
      },
      { type: 'content_block_stop', index: 0 },
      {
        type: 'content_block_start',
        index: 1,
        content_block: {
          type: 'web_search_tool_result',
          tool_use_id: 's1',
          content: { type: 'web_search_tool_result_error', error_code: 'max_uses_exceeded' },
        },
      },
    ] as AnthropicStreamEvent[];
    expect(await collect(anthropicMessageParts(readerOnly(events)))).toEqual([
      { type: 'tool-input-delta', toolCallId: 't1', toolName: 'now', text: '' },
      { type: 'tool-call', toolCallId: 't1', toolName: 'now', input: { zone: 'UTC' } },
      {
        type: 'tool-result',
        toolCallId: 's1',
        toolName: 'web_search',
        output: { type: 'web_search_tool_result_error', error_code: 'max_uses_exceeded' },
        isError: true,
      },
    ]);
  });
});

describe('readChatRequest', () => {
  const valid = { chatId: 'c', trigger: 'submit-message', turnId: 't', responseId: 'r', text: 'hi', messages: [] };

  it('returns the checked fields', () => {
    expect(readChatRequest(valid)).toEqual({
      chatId: 'c',
      trigger: 'submit-message',
      turnId: 't',
      responseId: 'r',
      text: 'hi',
    });
  });

  it.each([
    ['not an object', null, /JSON object/],
    ['a bad trigger', { ...valid, trigger: 'delete' }, /trigger/],
    ['a missing text', { ...valid, text: 3 }, /"text"/],
    ['an empty turnId', { ...valid, turnId: '' }, /"turnId"/],
    ['an oversized responseId', { ...valid, responseId: 'x'.repeat(201) }, /"responseId"/],
  ])('rejects %s with a coded error', (_case, body, message) => {
    expect(() => readChatRequest(body)).toThrow(message);
    try {
      readChatRequest(body);
    } catch (error) {
      expect(error).toBeInstanceOf(ResumableError);
      expect((error as ResumableError).code).toBe(40106);
    }
  });
});
