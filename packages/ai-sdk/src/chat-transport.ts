/**
 * A `ChatTransport` for the AI SDK's `useChat` that sends through the app's endpoint and reads the answer from
 * the conversation's Ably channel, so a refresh, a late join or an outage resumes from the channel, exactly.
 *
 * @module
 */
import {
  type ConnectChannelOptions,
  type ConversationStore,
  type ConversationStoreOptions,
  connectChannel,
  createConversationStore,
  KIT_ERROR_CODES,
  publishCancel,
  ResumableError,
} from '@resumable/core';
import type * as Ably from 'ably';
import type { ChatTransport, UIMessage, UIMessageChunk } from 'ai';
import { responseChunks } from './response-chunks.js';
import { toUIMessages, type UIMessageOptions } from './ui-messages.js';

/**
 * What the transport POSTs to the app's endpoint. The server answers it by publishing the turn (or a regenerate)
 * with these ids, e.g. with `answerTurns(...).publishTurn({ text, turnId, responseId })` from `@resumable/agent`.
 *
 * @example
 * ```ts
 * const request = (await req.json()) as ChatEndpointRequest;
 * ```
 */
export interface ChatEndpointRequest {
  readonly chatId: string;
  readonly trigger: 'submit-message' | 'regenerate-message';
  /** The user message's id, used as the turn's id. */
  readonly turnId: string;
  /** The id the answer must be published with. */
  readonly responseId: string;
  /** The user message's text. */
  readonly text: string;
  /** `useChat`'s messages, for the model's context. */
  readonly messages: readonly UIMessage[];
  /** `useChat`'s request `body`, merged in. */
  readonly [extra: string]: unknown;
}

/**
 * Options of {@link createResumableChatTransport}.
 *
 * @example
 * ```ts
 * const options: ResumableChatTransportOptions = { channel: (chatId) => realtime.channels.get(`ai:${chatId}`), api: '/api/chat' };
 * ```
 */
export interface ResumableChatTransportOptions extends UIMessageOptions {
  /** The conversation's channel for a chat id (the browser needs subscribe and history; publish for stop). */
  readonly channel: (chatId: string) => Ably.RealtimeChannel;
  /** The app's endpoint that starts an answer. Default `/api/chat`. */
  readonly api?: string;
  readonly fetch?: typeof globalThis.fetch;
  /** Headers of every request (merged with `useChat`'s per-request headers). */
  readonly headers?: Record<string, string>;
  /** How a conversation is read from its channel. Default `{ strategy: 'rewind' }`. */
  readonly hydration?: Omit<ConnectChannelOptions, 'signal'>;
  readonly store?: ConversationStoreOptions;
  /**
   * How `stop()` reaches the agent. Default: a cancel message on the channel (needs publish rights); pass a
   * function to send it another way (e.g. to your endpoint).
   */
  readonly cancel?: (request: { readonly chatId: string; readonly responseId: string }) => Promise<void>;
  /**
   * Whether `useChat`'s `stop()` also cancels the answer on the channel. Default true. `useChat` calls `stop()`
   * when its component unmounts too: where a chat unmounts while answers stream (a route change) and they should
   * go on, pass false and call {@link ResumableChatTransport.cancel} from the Stop button.
   */
  readonly cancelOnStop?: boolean;
  /** See {@link ResponseChunksOptions.submitTimeoutMs}. */
  readonly submitTimeoutMs?: number;
}

/**
 * The transport: a `ChatTransport` plus access to each chat's conversation store.
 *
 * @example
 * ```ts
 * const messages = await transport.loadMessages(chatId); // for useChat({ messages }) after a refresh
 * ```
 */
export interface ResumableChatTransport extends ChatTransport<UIMessage> {
  /** The conversation store of a chat, hydrating from its channel (created on first use). */
  conversation(chatId: string): { readonly store: ConversationStore; readonly ready: Promise<void> };
  /** Cancel the chat's answer in progress, if any (see `cancel` and `cancelOnStop` in the options). */
  cancel(chatId: string): Promise<void>;
  /** The chat's conversation as `UIMessage[]`, once hydrated. */
  loadMessages(chatId: string): Promise<UIMessage[]>;
  /** Stop every channel sync; the channels stay attached. */
  close(): void;
}

interface Conversation {
  readonly store: ConversationStore;
  readonly ready: Promise<void>;
  readonly channel: Ably.RealtimeChannel;
  stop(): void;
  /** Counts reconnects, so a reconnect superseded by the next one is not taken for a stop. */
  reconnects: number;
}

const TERMINAL = new Set(['complete', 'error', 'cancelled']);

/** The transport's headers, then the request's (a plain object or a `Headers`), over a JSON content type. */
function requestHeaders(base: Record<string, string> | undefined, extra: HeadersInit | undefined): Headers {
  const merged = new Headers({ 'content-type': 'application/json', ...base });
  new Headers(extra).forEach((value, name) => {
    merged.set(name, value);
  });
  return merged;
}

function textOf(message: UIMessage | undefined): string {
  return (message?.parts ?? [])
    .filter((part): part is { type: 'text'; text: string } => part.type === 'text')
    .map((part) => part.text)
    .join('');
}

/**
 * Create a `ChatTransport` for `useChat` that reads answers from Ably. `sendMessages` POSTs a
 * {@link ChatEndpointRequest} to `api` and streams the answer from the channel; `reconnectToStream` (used by
 * `useChat({ resume: true })`) replays the chat's in-progress answer from the channel from its beginning
 * (`resumeStreamIsReplay`), so the message is rebuilt exactly, under the same id, never twice. `stop()`
 * publishes a cancel the agent honours, whichever process streams.
 *
 * @example
 * ```ts
 * import { useChat } from '@ai-sdk/react';
 * import { createResumableChatTransport } from '@resumable/ai-sdk';
 *
 * const transport = createResumableChatTransport({ channel: (chatId) => realtime.channels.get(`ai:${chatId}`) });
 * const messages = await transport.loadMessages(chatId);
 * // in a component:
 * const chat = useChat({ id: chatId, messages, transport, resume: true });
 * ```
 */
export function createResumableChatTransport(options: ResumableChatTransportOptions): ResumableChatTransport {
  if (typeof options?.channel !== 'function') {
    throw new ResumableError(
      KIT_ERROR_CODES.invalidOptions,
      'createResumableChatTransport needs a `channel` function.',
      'Pass { channel: (chatId) => realtime.channels.get("ai:" + chatId) }.',
    );
  }
  const conversations = new Map<string, Conversation>();
  const cancelOnStop = options.cancelOnStop ?? true;
  /** Aborted by close(): ends the streams in flight, whose stores are disposed. */
  let closing = new AbortController();
  const api = options.api ?? '/api/chat';

  function conversation(chatId: string): Conversation {
    let found = conversations.get(chatId);
    if (!found) {
      const channel = options.channel(chatId);
      const store = createConversationStore(options.store);
      const sync = connectChannel(channel, store, options.hydration ?? { strategy: 'rewind' });
      found = {
        store,
        ready: sync.ready,
        channel,
        reconnects: 0,
        stop: () => {
          sync.stop();
          store.dispose();
        },
      };
      conversations.set(chatId, found);
    }
    return found;
  }

  async function cancel(chatId: string, responseId: string): Promise<void> {
    try {
      if (options.cancel) await options.cancel({ chatId, responseId });
      else {
        // After close() there is no conversation left to cancel in.
        const channel = conversations.get(chatId)?.channel;
        if (channel) await publishCancel(channel, { responseId });
      }
    } catch {
      // Best effort: the response stays on the channel and ends when the agent ends it.
    }
  }

  const stream = (chatId: string, responseId: string, signal: AbortSignal | undefined) =>
    responseChunks(conversation(chatId).store, responseId, {
      signal: signal ? AbortSignal.any([signal, closing.signal]) : closing.signal,
      ...(options.messageMetadata ? { messageMetadata: options.messageMetadata } : {}),
      ...(options.submitTimeoutMs !== undefined ? { submitTimeoutMs: options.submitTimeoutMs } : {}),
    });

  return {
    resumeStreamIsReplay: true,

    async sendMessages({ chatId, trigger, messages, abortSignal, headers, body }) {
      const user = messages.findLast((message) => message.role === 'user');
      if (!user) {
        throw new ResumableError(
          KIT_ERROR_CODES.invalidOptions,
          'There is no user message to answer.',
          'Send a message with sendMessage({ text }) before regenerating.',
        );
      }
      const responseId = globalThis.crypto.randomUUID();
      const { ready } = conversation(chatId);
      await ready;
      const request: ChatEndpointRequest = {
        ...(body ?? {}),
        chatId,
        trigger,
        turnId: user.id,
        responseId,
        text: textOf(user),
        messages,
      };
      // A stop (useChat's stop()) ends this stream and asks the agent to stop, even before the POST returns.
      if (cancelOnStop) abortSignal?.addEventListener('abort', () => void cancel(chatId, responseId), { once: true });
      const response = await (options.fetch ?? globalThis.fetch)(api, {
        method: 'POST',
        headers: requestHeaders(options.headers, headers),
        body: JSON.stringify(request),
        ...(abortSignal ? { signal: abortSignal } : {}),
      });
      if (!response.ok) {
        throw new ResumableError(
          KIT_ERROR_CODES.unknown,
          `The chat endpoint ${api} answered ${response.status}.`,
          'Check that the endpoint publishes the turn (answerChatRequest or answerTurns(...).publishTurn) and returns 2xx.',
          response.status,
        );
      }
      return stream(chatId, responseId, abortSignal);
    },

    async reconnectToStream({ chatId, abortSignal }): Promise<ReadableStream<UIMessageChunk> | null> {
      const found = conversation(chatId);
      const generation = ++found.reconnects;
      await found.ready;
      const latest = found.store.getSnapshot().turns.at(-1)?.responses.at(-1);
      if (!latest || TERMINAL.has(latest.status)) return null;
      if (cancelOnStop)
        abortSignal?.addEventListener(
          'abort',
          () => {
            // useChat aborts a reconnect it replaces by the next one (StrictMode, a second resume) just before
            // calling reconnectToStream again: only an abort nothing follows is a stop.
            queueMicrotask(() => {
              if (found.reconnects === generation) void cancel(chatId, latest.responseId);
            });
          },
          { once: true },
        );
      return stream(chatId, latest.responseId, abortSignal);
    },

    async cancel(chatId) {
      const found = conversation(chatId);
      await found.ready;
      const latest = found.store.getSnapshot().turns.at(-1)?.responses.at(-1);
      if (latest && !TERMINAL.has(latest.status)) await cancel(chatId, latest.responseId);
    },

    conversation(chatId) {
      const { store, ready } = conversation(chatId);
      return { store, ready };
    },

    async loadMessages(chatId) {
      const { store, ready } = conversation(chatId);
      await ready;
      return toUIMessages(store.getSnapshot(), options);
    },

    close() {
      closing.abort();
      closing = new AbortController();
      for (const found of conversations.values()) found.stop();
      conversations.clear();
    },
  };
}
