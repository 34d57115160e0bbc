/**
 * One response of a conversation store as a stream of AI SDK UI message chunks, from its beginning: what the
 * store holds now, then every change, until the response ends. The chunks are the differences between what was
 * sent and what the store shows, so a replay, a late join or a refresh all stream the same message.
 *
 * @module
 */
import type { ConversationPart, ConversationResponse, ConversationStore } from '@resumable/core';
import type { UIMessageChunk } from 'ai';
import { toolInputOf, type UIMessageOptions, uiFinishReason } from './ui-messages.js';

/** What was sent of one part. */
interface SentPart {
  readonly kind: ConversationPart['kind'];
  readonly toolCallId: string | undefined;
  text: string;
  closed: boolean;
}

/**
 * Options of {@link responseChunks}.
 *
 * @example
 * ```ts
 * const options: ResponseChunksOptions = { signal: controller.signal, submitTimeoutMs: 30_000 };
 * ```
 */
export interface ResponseChunksOptions extends UIMessageOptions {
  /** Closes the stream (the response goes on on the channel). */
  readonly signal?: AbortSignal;
  /** A response that shows no content for this long ends the stream with an error. Default 60 000 ms. */
  readonly submitTimeoutMs?: number;
}

/** The diffing state of one stream: pure functions of it produce the chunks. */
class ChunkWriter {
  private sent: SentPart[] = [];
  private started = false;
  private readonly calls = new Set<string>();

  constructor(
    private readonly responseId: string,
    private readonly options: UIMessageOptions,
  ) {}

  /** The chunks that bring the receiver from what was sent to `response`; `ended` once the response ended. */
  next(response: ConversationResponse): { chunks: UIMessageChunk[]; ended: boolean } {
    const chunks: UIMessageChunk[] = [];
    if (!this.started) {
      this.started = true;
      const metadata = this.options.messageMetadata?.(response);
      chunks.push({
        type: 'start',
        messageId: this.responseId,
        ...(metadata !== undefined ? { messageMetadata: metadata } : {}),
      });
      chunks.push({ type: 'start-step' });
    }
    if (this.diverged(response.parts)) {
      // A repair replaced text already sent (not an extension of it): send the step again from scratch.
      chunks.push({ type: 'reset-step' }, { type: 'start-step' });
      this.sent = [];
      this.calls.clear();
    }
    response.parts.forEach((part, position) => {
      chunks.push(...this.partChunks(part, position));
    });
    const ended = response.status === 'complete' || response.status === 'error' || response.status === 'cancelled';
    if (ended) chunks.push(...this.endChunks(response));
    return { chunks, ended };
  }

  private diverged(parts: readonly ConversationPart[]): boolean {
    return this.sent.some((sent, position) => {
      const part = parts[position];
      return (
        !part || part.kind !== sent.kind || part.toolCallId !== sent.toolCallId || !part.text.startsWith(sent.text)
      );
    });
  }

  private partChunks(part: ConversationPart, position: number): UIMessageChunk[] {
    let sent = this.sent[position];
    const chunks: UIMessageChunk[] = [];
    const id = `${this.responseId}:${part.index}`;
    if (part.kind === 'text' || part.kind === 'reasoning') {
      if (!sent) {
        sent = this.track(part, position);
        chunks.push({ type: `${part.kind}-start`, id });
      }
      const delta = part.text.slice(sent.text.length);
      if (delta !== '') chunks.push({ type: `${part.kind}-delta`, id, delta });
      sent.text = part.text;
      if (part.done && !sent.closed) {
        sent.closed = true;
        chunks.push({ type: `${part.kind}-end`, id });
      }
      return chunks;
    }
    const toolCallId = part.toolCallId ?? id;
    const toolName = part.toolName ?? 'unknown';
    if (part.kind === 'tool-call') {
      if (!sent) {
        sent = this.track(part, position);
        this.calls.add(toolCallId);
        chunks.push({ type: 'tool-input-start', toolCallId, toolName });
      }
      const delta = part.text.slice(sent.text.length);
      if (delta !== '') chunks.push({ type: 'tool-input-delta', toolCallId, inputTextDelta: delta });
      sent.text = part.text;
      if (part.done && !sent.closed) {
        sent.closed = true;
        chunks.push({ type: 'tool-input-available', toolCallId, toolName, input: toolInputOf(part) });
      }
      return chunks;
    }
    // Tool results and data are written whole: sent once, when final.
    if (sent || !part.done) return chunks;
    sent = this.track(part, position);
    sent.text = part.text;
    sent.closed = true;
    if (part.kind === 'data') {
      chunks.push({ type: `data-${part.dataName ?? 'unknown'}`, id, data: part.value });
      return chunks;
    }
    if (!this.calls.has(toolCallId)) {
      // The receiver needs the call before its result.
      this.calls.add(toolCallId);
      chunks.push({ type: 'tool-input-available', toolCallId, toolName, input: null });
    }
    chunks.push(
      part.isError
        ? { type: 'tool-output-error', toolCallId, errorText: part.text }
        : { type: 'tool-output-available', toolCallId, output: part.value ?? part.text },
    );
    return chunks;
  }

  private track(part: ConversationPart, position: number): SentPart {
    const sent: SentPart = { kind: part.kind, toolCallId: part.toolCallId, text: '', closed: false };
    this.sent[position] = sent;
    return sent;
  }

  private endChunks(response: ConversationResponse): UIMessageChunk[] {
    if (response.status === 'error') {
      return [{ type: 'finish-step' }, { type: 'error', errorText: response.errorReason ?? 'The response failed.' }];
    }
    if (response.status === 'cancelled') {
      return [{ type: 'finish-step' }, { type: 'abort', reason: `cancelled by ${response.cancelledBy ?? 'unknown'}` }];
    }
    const metadata = this.options.messageMetadata?.(response);
    return [
      { type: 'finish-step' },
      {
        type: 'finish',
        finishReason: uiFinishReason(response.finishReason),
        ...(metadata !== undefined ? { messageMetadata: metadata } : {}),
      },
    ];
  }
}

/**
 * Stream one response of a store as UI message chunks, from its beginning: a `start` with the responseId as the
 * message id, then its parts as they grow, then `finish` (complete), `error` or `abort` (cancelled). A response
 * not in the store yet is waited for; one that stays empty past `submitTimeoutMs` ends the stream with an error.
 *
 * @example
 * ```ts
 * const stream = responseChunks(store, responseId, { signal });
 * for await (const chunk of stream) console.log(chunk.type);
 * ```
 */
export function responseChunks(
  store: ConversationStore,
  responseId: string,
  options: ResponseChunksOptions = {},
): ReadableStream<UIMessageChunk> {
  const writer = new ChunkWriter(responseId, options);
  let stop = () => {};
  return new ReadableStream<UIMessageChunk>({
    start(controller) {
      let done = false;
      let timer: ReturnType<typeof setTimeout> | undefined;
      let unsubscribe = () => {};
      const finish = () => {
        done = true;
        clearTimeout(timer);
        unsubscribe();
        options.signal?.removeEventListener('abort', onAbort);
      };
      const close = () => {
        try {
          controller.close();
        } catch {
          // Already cancelled by the reader.
        }
      };
      const onAbort = () => {
        if (done) return;
        finish();
        close();
      };
      stop = onAbort;
      const pump = () => {
        if (done) return;
        const response = store.getResponse(responseId);
        // Until content arrives the response is `submitted` (or unknown): nothing to show yet.
        if (!response || response.status === 'submitted') return;
        clearTimeout(timer);
        const { chunks, ended } = writer.next(response);
        for (const chunk of chunks) controller.enqueue(chunk);
        if (ended) {
          finish();
          close();
        }
      };
      if (options.signal?.aborted) {
        done = true;
        controller.close();
        return;
      }
      options.signal?.addEventListener('abort', onAbort, { once: true });
      unsubscribe = store.subscribeResponse(responseId, pump);
      const timeoutMs = options.submitTimeoutMs ?? 60_000;
      timer = setTimeout(() => {
        if (done) return;
        finish();
        controller.enqueue({
          type: 'error',
          errorText: `No answer arrived within ${timeoutMs} ms; is the agent running?`,
        });
        close();
      }, timeoutMs);
      pump();
    },
    cancel() {
      stop();
    },
  });
}
