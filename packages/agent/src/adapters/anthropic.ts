/**
 * `@resumable/agent/anthropic`: Anthropic's Messages stream (`@anthropic-ai/sdk`) as a part stream. Text,
 * thinking and tool-use blocks map onto text, reasoning and tool-call parts (tool input streamed as it arrives),
 * server tool results onto tool-result parts; the stop reason and usage go on the end marker. Your own tools
 * run in the app: yield their results (`{ type: 'tool-result' }`) between model calls in the same part stream.
 *
 * @module
 */
import type Anthropic from '@anthropic-ai/sdk';
import type { TokenUsage } from '@resumable/core';
import { type PartEvent, type PartStream, partStream } from '../part-events.js';
import { eventsOf, parseToolInput, type SdkStream, toolCall, usageFrom } from './adapter-support.js';

/**
 * One event of a Messages stream (`client.messages.create({ stream: true })` or `client.messages.stream(...)`).
 *
 * @example
 * ```ts
 * const event: AnthropicStreamEvent = { type: 'content_block_delta', index: 0, delta: { type: 'text_delta', text: 'Hi' } };
 * ```
 */
export type AnthropicStreamEvent = Anthropic.Messages.RawMessageStreamEvent;

type Usage = Partial<Pick<Anthropic.Messages.MessageDeltaUsage, 'input_tokens' | 'output_tokens'>> & {
  cache_read_input_tokens?: number | null;
};

/** A tool-use block being streamed. */
interface ToolBlock {
  readonly id: string;
  readonly name: string;
  readonly startInput: unknown;
  input: string;
}

/** Server tool results (web search, code execution, ...) name the call they answer and carry its content. */
function serverToolResult(block: AnthropicStreamEvent & { type: 'content_block_start' }): PartEvent | undefined {
  const content = block.content_block as { type: string; tool_use_id?: unknown; content?: unknown };
  if (!content.type.endsWith('_tool_result') || typeof content.tool_use_id !== 'string') return undefined;
  const kind = (content.content as { type?: unknown } | null)?.type;
  return {
    type: 'tool-result',
    toolCallId: content.tool_use_id,
    toolName: content.type.slice(0, -'_tool_result'.length),
    output: content.content,
    ...(typeof kind === 'string' && kind.endsWith('_error') ? { isError: true } : {}),
  };
}

async function* fromMessages(source: SdkStream<AnthropicStreamEvent>): AsyncGenerator<PartEvent> {
  const toolBlocks = new Map<number, ToolBlock>();
  let usage: Usage = {};
  let stopReason: string | undefined;
  const tokenUsage = (): TokenUsage | undefined =>
    usageFrom({
      inputTokens: usage.input_tokens,
      outputTokens: usage.output_tokens,
      cachedInputTokens: usage.cache_read_input_tokens,
    });
  for await (const event of eventsOf(source, 'anthropicMessageParts')) {
    switch (event.type) {
      case 'message_start':
        usage = { ...event.message.usage };
        break;
      case 'content_block_start': {
        const block = event.content_block;
        if (block.type === 'text' && block.text) yield { type: 'text-delta', text: block.text };
        else if (block.type === 'thinking' && block.thinking) {
          yield { type: 'reasoning-delta', text: block.thinking };
        } else if (block.type === 'tool_use' || block.type === 'server_tool_use') {
          toolBlocks.set(event.index, { id: block.id, name: block.name, startInput: block.input, input: '' });
          yield { type: 'tool-input-delta', toolCallId: block.id, toolName: block.name, text: '' };
        } else {
          const result = serverToolResult(event);
          if (result) yield result;
        }
        break;
      }
      case 'content_block_delta': {
        const delta = event.delta;
        if (delta.type === 'text_delta') yield { type: 'text-delta', text: delta.text };
        else if (delta.type === 'thinking_delta') yield { type: 'reasoning-delta', text: delta.thinking };
        else if (delta.type === 'input_json_delta') {
          const block = toolBlocks.get(event.index);
          if (!block) break;
          block.input += delta.partial_json;
          yield {
            type: 'tool-input-delta',
            toolCallId: block.id,
            toolName: block.name,
            text: delta.partial_json,
          };
        }
        // Signatures and citations are provider bookkeeping, not part text.
        break;
      }
      case 'content_block_stop': {
        const block = toolBlocks.get(event.index);
        if (!block) break;
        toolBlocks.delete(event.index);
        // No input deltas: the start block held the whole input.
        const input = block.input === '' ? block.startInput : parseToolInput(block.input);
        yield toolCall(block.id, block.name, input);
        break;
      }
      case 'message_delta':
        if (event.delta.stop_reason) stopReason = event.delta.stop_reason;
        // The delta's counts are cumulative: they replace the start's.
        for (const [name, value] of Object.entries(event.usage ?? {})) {
          if (typeof value === 'number') (usage as Record<string, number>)[name] = value;
        }
        break;
      case 'message_stop':
        yield { type: 'step-finish', finishReason: stopReason, usage: tokenUsage() };
        break;
      default:
        break;
    }
  }
}

/**
 * A Messages stream as a part stream: text blocks as text, thinking as reasoning (redacted thinking is opaque
 * and skipped), tool-use and server-tool-use blocks as tool calls with their streamed JSON input, server tool
 * results as tool results; `stop_reason` and usage go on the end marker. A failing request throws from the SDK's
 * stream, which ends the response `error`.
 *
 * @example
 * ```ts
 * import Anthropic from '@anthropic-ai/sdk';
 * import { anthropicMessageParts } from '@resumable/agent/anthropic';
 *
 * const anthropic = new Anthropic();
 * const stream = anthropic.messages.stream(
 *   { model: 'claude-sonnet-4-5', max_tokens: 1024, messages: [{ role: 'user', content: turn.text }] },
 *   { signal: turn.signal },
 * );
 * await streamResponse(channel, anthropicMessageParts(stream), { turnId: turn.turnId });
 * ```
 */
export function anthropicMessageParts(stream: SdkStream<AnthropicStreamEvent>): PartStream {
  return partStream(fromMessages(stream));
}
export type { SdkStream } from './adapter-support.js';
