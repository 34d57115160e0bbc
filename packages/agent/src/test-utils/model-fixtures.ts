/**
 * One answer, as each model SDK streams it: reasoning, two tool calls (Paris and Rome) with streamed input, the
 * tools' results, then text. OpenAI and Anthropic events are written by hand from their documented types (typed
 * against the SDKs, so a wrong field fails typecheck); the AI SDK's come from `streamText` over a mock model.
 */
import { jsonSchema, simulateReadableStream, stepCountIs, streamText, tool } from 'ai';
import { MockLanguageModelV4 } from 'ai/test';

/** One chunk a language model streams (the provider spec's type, as the mock takes it). */
type LanguageModelV4StreamPart =
  Awaited<ReturnType<MockLanguageModelV4['doStream']>>['stream'] extends ReadableStream<infer T> ? T : never;

import type { AnthropicStreamEvent } from '../adapters/anthropic.js';
import type { OpenAIChatChunk, OpenAIResponseEvent } from '../adapters/openai.js';
import type { PartEvent } from '../part-events.js';

export const REASONING = ['The user asks ', 'about two cities.'];
export const CALLS = [
  { id: 'call_paris', city: 'Paris', input: ['{"city":', '"Paris"}'], output: { celsius: 18 } },
  { id: 'call_rome', city: 'Rome', input: ['{"city":', '"Rome"}'], output: { celsius: 24 } },
] as const;
export const TEXT = ['Paris is 18 °C, ', 'Rome is 24 °C.'];

/** The parts every adapter's stream ends as: [kind, text, value, toolCallId]. */
export const EXPECTED_PARTS = [
  ['reasoning', REASONING.join(''), undefined, undefined],
  ['tool-call', '{"city":"Paris"}', { city: 'Paris' }, 'call_paris'],
  ['tool-call', '{"city":"Rome"}', { city: 'Rome' }, 'call_rome'],
  ['tool-result', '{"celsius":18}', { celsius: 18 }, 'call_paris'],
  ['tool-result', '{"celsius":24}', { celsius: 24 }, 'call_rome'],
  ['text', TEXT.join(''), undefined, undefined],
];

/** The results the app's tools return, yielded between two model calls. */
export const TOOL_RESULTS: PartEvent[] = CALLS.map((call) => ({
  type: 'tool-result',
  toolCallId: call.id,
  toolName: 'weather',
  output: call.output,
}));

// AI SDK: a mock model whose first call reasons and calls both tools, and whose second call answers.
function usageV4(input: number, output: number) {
  return {
    inputTokens: { total: input, noCache: input, cacheRead: 0, cacheWrite: 0 },
    outputTokens: { total: output, text: output, reasoning: 0 },
  };
}
const modelStep1: LanguageModelV4StreamPart[] = [
  { type: 'reasoning-start', id: 'r1' },
  ...REASONING.map((delta) => ({ type: 'reasoning-delta' as const, id: 'r1', delta })),
  { type: 'reasoning-end', id: 'r1' },
  ...CALLS.flatMap((call): LanguageModelV4StreamPart[] => [
    { type: 'tool-input-start', id: call.id, toolName: 'weather' },
    ...call.input.map((delta) => ({ type: 'tool-input-delta' as const, id: call.id, delta })),
    { type: 'tool-input-end', id: call.id },
    { type: 'tool-call', toolCallId: call.id, toolName: 'weather', input: call.input.join('') },
  ]),
  { type: 'finish', finishReason: { unified: 'tool-calls', raw: 'tool_calls' }, usage: usageV4(20, 10) },
];
const modelStep2: LanguageModelV4StreamPart[] = [
  { type: 'text-start', id: 't1' },
  ...TEXT.map((delta) => ({ type: 'text-delta' as const, id: 't1', delta })),
  { type: 'text-end', id: 't1' },
  { type: 'finish', finishReason: { unified: 'stop', raw: 'stop' }, usage: usageV4(40, 8) },
];

/** `streamText` over the mock model with a `weather` tool that answers from {@link CALLS}. */
export function aiSdkStreamText() {
  const model = new MockLanguageModelV4({
    doStream: [
      { stream: simulateReadableStream({ chunks: modelStep1, chunkDelayInMs: null, initialDelayInMs: null }) },
      { stream: simulateReadableStream({ chunks: modelStep2, chunkDelayInMs: null, initialDelayInMs: null }) },
    ],
  });
  const weather = tool({
    inputSchema: jsonSchema<{ city: string }>({ type: 'object', properties: { city: { type: 'string' } } }),
    execute: async ({ city }) => CALLS.find((call) => call.city === city)!.output,
  });
  return streamText({ model, prompt: 'Weather in Paris and Rome?', tools: { weather }, stopWhen: stepCountIs(2) });
}

// OpenAI Responses API.
function openaiResponse(status: 'in_progress' | 'completed', output: number) {
  return {
    id: 'resp_1',
    object: 'response' as const,
    created_at: 1_700_000_000,
    model: 'gpt-5',
    status,
    output: [],
    output_text: '',
    error: null,
    incomplete_details: null,
    instructions: null,
    metadata: null,
    access_programs: null,
    parallel_tool_calls: true,
    temperature: null,
    top_p: null,
    tool_choice: 'auto' as const,
    tools: [],
    ...(status === 'completed'
      ? {
          usage: {
            input_tokens: 20,
            input_tokens_details: { cached_tokens: 4, cache_write_tokens: 0 },
            output_tokens: output,
            output_tokens_details: { reasoning_tokens: 3 },
            total_tokens: 20 + output,
          },
        }
      : {}),
  };
}

let sequence = 0;
const seq = () => sequence++;

export const openaiResponsesStep1: OpenAIResponseEvent[] = [
  { type: 'response.created', response: openaiResponse('in_progress', 0), sequence_number: seq() },
  {
    type: 'response.output_item.added',
    output_index: 0,
    item: { type: 'reasoning', id: 'rs_1', summary: [] },
    sequence_number: seq(),
  },
  {
    type: 'response.reasoning_summary_part.added',
    item_id: 'rs_1',
    output_index: 0,
    summary_index: 0,
    part: { type: 'summary_text', text: '' },
    sequence_number: seq(),
  },
  ...REASONING.map(
    (delta): OpenAIResponseEvent => ({
      type: 'response.reasoning_summary_text.delta',
      item_id: 'rs_1',
      output_index: 0,
      summary_index: 0,
      delta,
      sequence_number: seq(),
    }),
  ),
  ...CALLS.flatMap((call, index): OpenAIResponseEvent[] => [
    {
      type: 'response.output_item.added',
      output_index: index + 1,
      item: { type: 'function_call', id: `fc_${index}`, call_id: call.id, name: 'weather', arguments: '' },
      sequence_number: seq(),
    },
    ...call.input.map(
      (delta): OpenAIResponseEvent => ({
        type: 'response.function_call_arguments.delta',
        item_id: `fc_${index}`,
        output_index: index + 1,
        delta,
        sequence_number: seq(),
      }),
    ),
    {
      type: 'response.function_call_arguments.done',
      item_id: `fc_${index}`,
      output_index: index + 1,
      arguments: call.input.join(''),
      sequence_number: seq(),
    },
    {
      type: 'response.output_item.done',
      output_index: index + 1,
      item: {
        type: 'function_call',
        id: `fc_${index}`,
        call_id: call.id,
        name: 'weather',
        arguments: call.input.join(''),
        status: 'completed',
      },
      sequence_number: seq(),
    },
  ]),
  { type: 'response.completed', response: openaiResponse('completed', 10), sequence_number: seq() },
];

export const openaiResponsesStep2: OpenAIResponseEvent[] = [
  { type: 'response.created', response: openaiResponse('in_progress', 0), sequence_number: seq() },
  ...TEXT.map(
    (delta): OpenAIResponseEvent => ({
      type: 'response.output_text.delta',
      item_id: 'msg_1',
      output_index: 0,
      content_index: 0,
      delta,
      logprobs: [],
      sequence_number: seq(),
    }),
  ),
  { type: 'response.completed', response: openaiResponse('completed', 8), sequence_number: seq() },
];

// OpenAI Chat Completions (reasoning as an OpenAI-compatible server sends it).
function chatChunk(
  delta: OpenAIChatChunk['choices'][number]['delta'],
  finishReason: OpenAIChatChunk['choices'][number]['finish_reason'] = null,
): OpenAIChatChunk {
  return {
    id: 'chatcmpl_1',
    object: 'chat.completion.chunk',
    created: 1_700_000_000,
    model: 'gpt-4o',
    choices: [{ index: 0, delta, finish_reason: finishReason, logprobs: null }],
  };
}
function chatUsage(completion: number): OpenAIChatChunk {
  return {
    id: 'chatcmpl_1',
    object: 'chat.completion.chunk',
    created: 1_700_000_000,
    model: 'gpt-4o',
    choices: [],
    usage: { prompt_tokens: 20, completion_tokens: completion, total_tokens: 20 + completion },
  };
}

export const openaiChatStep1: OpenAIChatChunk[] = [
  chatChunk({ role: 'assistant', content: '' }),
  ...REASONING.map((reasoning_content) => chatChunk({ reasoning_content })),
  ...CALLS.flatMap((call, index) =>
    call.input.map((piece, at) =>
      chatChunk({
        tool_calls: [
          at === 0
            ? { index, id: call.id, type: 'function', function: { name: 'weather', arguments: piece } }
            : { index, function: { arguments: piece } },
        ],
      }),
    ),
  ),
  chatChunk({}, 'tool_calls'),
  chatUsage(10),
];

export const openaiChatStep2: OpenAIChatChunk[] = [
  ...TEXT.map((content) => chatChunk({ content })),
  chatChunk({}, 'stop'),
  chatUsage(8),
];

// Anthropic Messages.
function anthropicStart(): AnthropicStreamEvent {
  return {
    type: 'message_start',
    message: {
      id: 'msg_1',
      type: 'message',
      role: 'assistant',
      model: 'claude-sonnet-4-5',
      content: [],
      container: null,
      stop_reason: null,
      stop_sequence: null,
      stop_details: null,
      diagnostics: null,
      usage: {
        input_tokens: 20,
        output_tokens: 1,
        cache_creation_input_tokens: null,
        cache_read_input_tokens: 4,
        cache_creation: null,
        inference_geo: null,
        output_tokens_details: null,
        server_tool_use: null,
        service_tier: null,
        speed: null,
      },
    },
  };
}
function anthropicEnd(stopReason: 'tool_use' | 'end_turn', output: number): AnthropicStreamEvent[] {
  return [
    {
      type: 'message_delta',
      delta: { stop_reason: stopReason, stop_sequence: null, container: null, stop_details: null },
      usage: {
        input_tokens: null,
        output_tokens: output,
        cache_creation_input_tokens: null,
        cache_read_input_tokens: null,
        output_tokens_details: null,
        server_tool_use: null,
      },
    },
    { type: 'message_stop' },
  ];
}

export const anthropicStep1: AnthropicStreamEvent[] = [
  anthropicStart(),
  { type: 'content_block_start', index: 0, content_block: { type: 'thinking', thinking: '', signature: '' } },
  ...REASONING.map(
    (thinking): AnthropicStreamEvent => ({
      type: 'content_block_delta',
      index: 0,
      delta: { type: 'thinking_delta', thinking },
    }),
  ),
  { type: 'content_block_delta', index: 0, delta: { type: 'signature_delta', signature: 'sig' } },
  { type: 'content_block_stop', index: 0 },
  ...CALLS.flatMap((call, at): AnthropicStreamEvent[] => [
    {
      type: 'content_block_start',
      index: at + 1,
      content_block: { type: 'tool_use', id: call.id, name: 'weather', input: {}, caller: { type: 'direct' } },
    },
    ...call.input.map(
      (partial_json): AnthropicStreamEvent => ({
        type: 'content_block_delta',
        index: at + 1,
        delta: { type: 'input_json_delta', partial_json },
      }),
    ),
    { type: 'content_block_stop', index: at + 1 },
  ]),
  ...anthropicEnd('tool_use', 10),
];

export const anthropicStep2: AnthropicStreamEvent[] = [
  anthropicStart(),
  { type: 'content_block_start', index: 0, content_block: { type: 'text', text: '', citations: null } },
  ...TEXT.map(
    (text): AnthropicStreamEvent => ({ type: 'content_block_delta', index: 0, delta: { type: 'text_delta', text } }),
  ),
  { type: 'content_block_stop', index: 0 },
  ...anthropicEnd('end_turn', 8),
];
