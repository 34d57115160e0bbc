/**
 * `@resumable/agent/ai-sdk`: the AI SDK's streams as part streams. `streamText(...)`'s `fullStream` and the UI
 * message stream of `toUIMessageStream()` both map onto the kit's parts (text, reasoning, tool calls with their
 * streamed input, tool results and errors, sources as data), with the finish reason and usage on the end marker.
 *
 * @module
 */
import type { TextStreamPart, ToolSet, UIMessageChunk } from 'ai';
import { type PartEvent, type PartStream, partStream } from '../part-events.js';
import { errorText, eventsOf, type SdkStream, toolCall, usageFrom } from './adapter-support.js';

type Usage = Extract<TextStreamPart<ToolSet>, { type: 'finish' }>['totalUsage'];

function usageOf(usage: Usage | undefined) {
  if (!usage) return undefined;
  return usageFrom({
    inputTokens: usage.inputTokens,
    outputTokens: usage.outputTokens,
    totalTokens: usage.totalTokens,
    reasoningTokens: usage.outputTokenDetails?.reasoningTokens,
    cachedInputTokens: usage.inputTokenDetails?.cacheReadTokens,
  });
}

async function* fromFullStream<TOOLS extends ToolSet>(
  source: SdkStream<TextStreamPart<TOOLS>>,
): AsyncGenerator<PartEvent> {
  const toolNames = new Map<string, string>();
  for await (const event of eventsOf(source, 'fullStreamParts')) {
    switch (event.type) {
      case 'text-delta':
        yield { type: 'text-delta', text: event.text };
        break;
      case 'reasoning-delta':
        yield { type: 'reasoning-delta', text: event.text };
        break;
      case 'tool-input-start':
        toolNames.set(event.id, event.toolName);
        // An empty delta opens the call's part at once, so readers see the call before its input.
        yield { type: 'tool-input-delta', toolCallId: event.id, toolName: event.toolName, text: '' };
        break;
      case 'tool-input-delta':
        yield {
          type: 'tool-input-delta',
          toolCallId: event.id,
          toolName: toolNames.get(event.id) ?? 'unknown',
          text: event.delta,
        };
        break;
      case 'tool-call': {
        yield toolCall(event.toolCallId, event.toolName, event.input);
        break;
      }
      case 'tool-result':
        yield {
          type: 'tool-result',
          toolCallId: event.toolCallId,
          toolName: event.toolName,
          output: event.output,
        };
        break;
      case 'tool-error':
        yield {
          type: 'tool-result',
          toolCallId: event.toolCallId,
          toolName: event.toolName,
          output: errorText(event.error),
          isError: true,
        };
        break;
      case 'tool-output-denied':
        yield {
          type: 'tool-result',
          toolCallId: event.toolCallId,
          toolName: event.toolName,
          output: 'The tool call was denied.',
          isError: true,
        };
        break;
      case 'source':
        yield { type: 'data', name: 'source', data: event };
        break;
      case 'finish-step':
        yield { type: 'step-finish', finishReason: event.finishReason, usage: usageOf(event.usage) };
        break;
      case 'finish':
        yield { type: 'finish', finishReason: event.finishReason, usage: usageOf(event.totalUsage) };
        return;
      case 'error':
        yield { type: 'error', error: event.error };
        return;
      case 'abort':
        // The agent's own cancel ends the response `cancelled` first; any other abort is a failure.
        yield {
          type: 'error',
          error: `The model stream was aborted${event.reason ? `: ${event.reason}` : ''}.`,
        };
        return;
      default:
        // Boundaries (start, text-start/end, steps), files, raw provider chunks: nothing a part needs.
        break;
    }
  }
}

/**
 * The `fullStream` of an AI SDK `streamText(...)` result as a part stream for `streamResponse` / `answerTurns`:
 * text and reasoning deltas, tool calls with their streamed input, tool results (and tool errors as error
 * results), sources as `data` parts named `source`; the steps' finish reason and usage go on the end marker.
 *
 * @example
 * ```ts
 * import { streamText } from 'ai';
 * import { fullStreamParts } from '@resumable/agent/ai-sdk';
 *
 * const result = streamText({ model, prompt: turn.text, tools, abortSignal: turn.signal });
 * await streamResponse(channel, fullStreamParts(result.fullStream), { turnId: turn.turnId });
 * ```
 */
export function fullStreamParts<TOOLS extends ToolSet>(fullStream: SdkStream<TextStreamPart<TOOLS>>): PartStream {
  return partStream(fromFullStream(fullStream));
}

async function* fromUIMessageStream(source: SdkStream<UIMessageChunk>): AsyncGenerator<PartEvent> {
  const toolNames = new Map<string, string>();
  const nameOf = (toolCallId: string) => toolNames.get(toolCallId) ?? 'unknown';
  for await (const chunk of eventsOf(source, 'uiMessageStreamParts')) {
    switch (chunk.type) {
      case 'text-delta':
        yield { type: 'text-delta', text: chunk.delta };
        break;
      case 'reasoning-delta':
        yield { type: 'reasoning-delta', text: chunk.delta };
        break;
      case 'tool-input-start':
        toolNames.set(chunk.toolCallId, chunk.toolName);
        yield {
          type: 'tool-input-delta',
          toolCallId: chunk.toolCallId,
          toolName: chunk.toolName,
          text: '',
        };
        break;
      case 'tool-input-delta':
        yield {
          type: 'tool-input-delta',
          toolCallId: chunk.toolCallId,
          toolName: nameOf(chunk.toolCallId),
          text: chunk.inputTextDelta,
        };
        break;
      case 'tool-input-available':
      case 'tool-input-error': {
        toolNames.set(chunk.toolCallId, chunk.toolName);
        yield toolCall(chunk.toolCallId, chunk.toolName, chunk.input);
        if (chunk.type === 'tool-input-error') {
          yield {
            type: 'tool-result',
            toolCallId: chunk.toolCallId,
            toolName: chunk.toolName,
            output: chunk.errorText,
            isError: true,
          };
        }
        break;
      }
      case 'tool-output-available':
        // A preliminary output is superseded by the final one; only the final output is a result.
        if (chunk.preliminary) break;
        yield {
          type: 'tool-result',
          toolCallId: chunk.toolCallId,
          toolName: nameOf(chunk.toolCallId),
          output: chunk.output,
        };
        break;
      case 'tool-output-error':
      case 'tool-output-denied':
        yield {
          type: 'tool-result',
          toolCallId: chunk.toolCallId,
          toolName: nameOf(chunk.toolCallId),
          output: chunk.type === 'tool-output-error' ? chunk.errorText : 'The tool call was denied.',
          isError: true,
        };
        break;
      case 'source-url':
      case 'source-document':
        yield { type: 'data', name: 'source', data: chunk };
        break;
      case 'finish':
        yield { type: 'finish', ...(chunk.finishReason ? { finishReason: chunk.finishReason } : {}) };
        return;
      case 'error':
        yield { type: 'error', error: chunk.errorText };
        return;
      case 'abort':
        yield {
          type: 'error',
          error: `The model stream was aborted${chunk.reason ? `: ${chunk.reason}` : ''}.`,
        };
        return;
      default:
        if (chunk.type.startsWith('data-') && 'data' in chunk && !(chunk as { transient?: boolean }).transient) {
          yield { type: 'data', name: chunk.type.slice('data-'.length), data: chunk.data };
        }
        break;
    }
  }
}

/**
 * The UI message stream of `result.toUIMessageStream()` (or any `createUIMessageStream`) as a part stream: the
 * same parts as {@link fullStreamParts}, plus app `data-*` chunks as `data` parts (transient ones are skipped,
 * as the AI SDK does not keep them either).
 *
 * @example
 * ```ts
 * import { streamText } from 'ai';
 * import { uiMessageStreamParts } from '@resumable/agent/ai-sdk';
 *
 * const result = streamText({ model, prompt: turn.text, abortSignal: turn.signal });
 * await streamResponse(channel, uiMessageStreamParts(result.toUIMessageStream({ sendReasoning: true })));
 * ```
 */
export function uiMessageStreamParts(stream: SdkStream<UIMessageChunk>): PartStream {
  return partStream(fromUIMessageStream(stream));
}

export type { SdkStream } from './adapter-support.js';
export { answerChatRequest, type ChatRequest, readChatRequest } from './chat-endpoint.js';
