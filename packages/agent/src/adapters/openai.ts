/**
 * `@resumable/agent/openai`: OpenAI's streams (the `openai` package) as part streams. The Responses API stream
 * (`client.responses.create({ stream: true })` or `client.responses.stream(...)`) and the Chat Completions stream
 * (`client.chat.completions.create({ stream: true })`) map onto text, reasoning and tool-call parts; usage and the
 * finish reason go on the end marker. Tools run in the app: yield their results (`{ type: 'tool-result' }`) between
 * model calls in the same part stream.
 *
 * @module
 */
import type { TokenUsage } from '@resumable/core';
import type OpenAI from 'openai';
import type { PartEvent, PartStream } from '../part-events.js';
import { partStream } from '../part-events.js';
import { eventsOf, parseToolInput, type SdkStream, toolCall, usageFrom } from './adapter-support.js';

/**
 * One event of a Responses API stream.
 *
 * @example
 * ```ts
 * const event: OpenAIResponseEvent = { type: 'response.output_text.delta', delta: 'Hi', item_id: 'msg_1', output_index: 0, content_index: 0, logprobs: [], sequence_number: 3 };
 * ```
 */
export type OpenAIResponseEvent = OpenAI.Responses.ResponseStreamEvent;

async function* fromResponses(source: SdkStream<OpenAIResponseEvent>): AsyncGenerator<PartEvent> {
  /** Tool calls by output item id (deltas name the item, not the call). */
  const calls = new Map<string, { callId: string; name: string }>();
  for await (const event of eventsOf(source, 'openaiResponsesParts')) {
    switch (event.type) {
      case 'response.output_text.delta':
      case 'response.refusal.delta':
        yield { type: 'text-delta', text: event.delta };
        break;
      case 'response.reasoning_summary_text.delta':
      case 'response.reasoning_text.delta':
        yield { type: 'reasoning-delta', text: event.delta };
        break;
      case 'response.reasoning_summary_part.added':
        // Summary parts are paragraphs of one reasoning text.
        if (event.summary_index > 0) yield { type: 'reasoning-delta', text: '\n\n' };
        break;
      case 'response.output_item.added': {
        const item = event.item;
        if ((item.type === 'function_call' || item.type === 'custom_tool_call') && item.id) {
          calls.set(item.id, { callId: item.call_id, name: item.name });
          yield { type: 'tool-input-delta', toolCallId: item.call_id, toolName: item.name, text: '' };
        }
        break;
      }
      case 'response.function_call_arguments.delta':
      case 'response.custom_tool_call_input.delta': {
        const call = calls.get(event.item_id);
        if (call)
          yield {
            type: 'tool-input-delta',
            toolCallId: call.callId,
            toolName: call.name,
            text: event.delta,
          };
        break;
      }
      case 'response.output_item.done': {
        const item = event.item;
        if (item.type === 'function_call' || item.type === 'custom_tool_call') {
          const input = item.type === 'function_call' ? parseToolInput(item.arguments) : item.input;
          yield toolCall(item.call_id, item.name, input);
        }
        break;
      }
      case 'response.completed':
      case 'response.incomplete': {
        const response = event.response;
        const usage = response.usage;
        yield {
          type: 'step-finish',
          finishReason: response.incomplete_details?.reason ?? response.status ?? 'completed',
          usage: usage
            ? usageFrom({
                inputTokens: usage.input_tokens,
                outputTokens: usage.output_tokens,
                totalTokens: usage.total_tokens,
                reasoningTokens: usage.output_tokens_details?.reasoning_tokens,
                cachedInputTokens: usage.input_tokens_details?.cached_tokens,
              })
            : undefined,
        };
        break;
      }
      case 'response.failed':
        yield { type: 'error', error: event.response.error?.message ?? 'The response failed.' };
        return;
      case 'error':
        yield { type: 'error', error: event.message };
        return;
      default:
        // Lifecycle events, annotations, built-in tool progress: nothing a part needs.
        break;
    }
  }
}

/**
 * A Responses API stream as a part stream: output text (and refusals) as text, reasoning text and summaries as
 * reasoning, function and custom tool calls with their streamed input; `response.completed` gives the finish
 * reason (`completed`, or why it is incomplete) and usage. `response.failed` and `error` end the response `error`.
 *
 * @example
 * ```ts
 * import OpenAI from 'openai';
 * import { openaiResponsesParts } from '@resumable/agent/openai';
 *
 * const openai = new OpenAI();
 * const stream = await openai.responses.create({ model: 'gpt-5', input: turn.text, stream: true }, { signal: turn.signal });
 * await streamResponse(channel, openaiResponsesParts(stream), { turnId: turn.turnId });
 * ```
 */
export function openaiResponsesParts(stream: SdkStream<OpenAIResponseEvent>): PartStream {
  return partStream(fromResponses(stream));
}

/**
 * One chunk of a Chat Completions stream. OpenAI-compatible servers (DeepSeek, vLLM, OpenRouter, ...) add the
 * reasoning as `reasoning_content` or `reasoning` on the delta; both are read.
 *
 * @example
 * ```ts
 * const chunk: OpenAIChatChunk = { id: 'c1', object: 'chat.completion.chunk', created: 0, model: 'gpt-4o', choices: [{ index: 0, delta: { content: 'Hi' }, finish_reason: null }] };
 * ```
 */
export type OpenAIChatChunk = Omit<OpenAI.Chat.Completions.ChatCompletionChunk, 'choices'> & {
  choices: Array<
    Omit<OpenAI.Chat.Completions.ChatCompletionChunk.Choice, 'delta'> & {
      delta: OpenAI.Chat.Completions.ChatCompletionChunk.Choice.Delta & {
        reasoning_content?: string | null;
        reasoning?: string | null;
      };
    }
  >;
};

async function* fromChat(source: SdkStream<OpenAIChatChunk>): AsyncGenerator<PartEvent> {
  /** Tool calls of choice 0 by their index: the id and name come with the first delta only. */
  const calls = new Map<number, { id: string; name: string; input: string }>();
  let finishReason: string | undefined;
  let usage: TokenUsage | undefined;
  for await (const chunk of eventsOf(source, 'openaiChatParts')) {
    if (chunk.usage) {
      usage = usageFrom({
        inputTokens: chunk.usage.prompt_tokens,
        outputTokens: chunk.usage.completion_tokens,
        totalTokens: chunk.usage.total_tokens,
        reasoningTokens: chunk.usage.completion_tokens_details?.reasoning_tokens,
        cachedInputTokens: chunk.usage.prompt_tokens_details?.cached_tokens,
      });
    }
    // One answer is streamed: choice 0 (ask for n = 1).
    const choice = chunk.choices?.find((candidate) => candidate.index === 0);
    if (!choice) continue;
    const delta = choice.delta ?? {};
    const reasoning = delta.reasoning_content ?? delta.reasoning;
    if (reasoning) yield { type: 'reasoning-delta', text: reasoning };
    if (delta.content) yield { type: 'text-delta', text: delta.content };
    if (delta.refusal) yield { type: 'text-delta', text: delta.refusal };
    for (const toolCall of delta.tool_calls ?? []) {
      let call = calls.get(toolCall.index);
      if (!call) {
        call = { id: toolCall.id ?? `call-${toolCall.index}`, name: toolCall.function?.name ?? 'unknown', input: '' };
        calls.set(toolCall.index, call);
      }
      const text = toolCall.function?.arguments ?? '';
      call.input += text;
      yield { type: 'tool-input-delta', toolCallId: call.id, toolName: call.name, text };
    }
    if (choice.finish_reason) {
      finishReason = choice.finish_reason;
      for (const call of calls.values()) {
        yield toolCall(call.id, call.name, parseToolInput(call.input));
      }
    }
  }
  // The usage chunk (stream_options.include_usage) follows the finish reason, so the step ends with the stream.
  if (finishReason !== undefined || usage) yield { type: 'step-finish', finishReason, usage };
}

/**
 * A Chat Completions stream as a part stream: content (and refusals) as text, `reasoning_content` / `reasoning`
 * deltas of compatible servers as reasoning, tool calls with their streamed arguments; the finish reason and the
 * usage chunk (`stream_options: { include_usage: true }`) go on the end marker. Choice 0 is streamed.
 *
 * @example
 * ```ts
 * import OpenAI from 'openai';
 * import { openaiChatParts } from '@resumable/agent/openai';
 *
 * const openai = new OpenAI();
 * const stream = await openai.chat.completions.create(
 *   { model: 'gpt-4o', messages: [{ role: 'user', content: turn.text }], stream: true, stream_options: { include_usage: true } },
 *   { signal: turn.signal },
 * );
 * await streamResponse(channel, openaiChatParts(stream), { turnId: turn.turnId });
 * ```
 */
export function openaiChatParts(stream: SdkStream<OpenAIChatChunk>): PartStream {
  return partStream(fromChat(stream));
}
export type { SdkStream } from './adapter-support.js';
