'use client';
import type { ResponseStatus, ResponseStore, StreamedResponse } from '@resumable/core';
import { useCallback, useSyncExternalStore } from 'react';
import { useResponseStore } from '../provider/response-store-provider.js';

/**
 * Options of {@link useStreamedResponse}: one of `id` or `responseId`, and a store.
 *
 * @example
 * ```ts
 * const options: UseStreamedResponseOptions = { responseId: 'answer-42', store };
 * ```
 */
export interface UseStreamedResponseOptions {
  /** The response's store id (`StreamedResponse.id`). */
  readonly id?: string | undefined;
  /** The agent's `responseId` header, when you know that rather than the store id. */
  readonly responseId?: string | undefined;
  /** The store to read; defaults to the nearest `ResponseStoreProvider`. */
  readonly store?: ResponseStore | undefined;
}

/**
 * `'pending'` until the response has been seen, then the response's own status.
 *
 * @example
 * ```tsx
 * const status: StreamedResponseStatus = useStreamedResponse({ id }).status; // 'pending' | 'streaming' | 'complete' | ...
 * ```
 */
export type StreamedResponseStatus = ResponseStatus | 'pending';

/**
 * What {@link useStreamedResponse} returns.
 *
 * @example
 * ```tsx
 * const { text, status, headers, response }: StreamedResponseView = useStreamedResponse({ id });
 * ```
 */
export interface StreamedResponseView {
  readonly text: string;
  readonly status: StreamedResponseStatus;
  readonly headers: Readonly<Record<string, string>>;
  /** The whole response, or undefined while pending. */
  readonly response: StreamedResponse | undefined;
}

const NO_HEADERS: Readonly<Record<string, string>> = Object.freeze({});
const noSubscription = () => () => undefined;

/**
 * One response's text, status and headers. The component re-renders only when this response
 * changes (not when another response on the channel streams), and at most once per animation frame
 * when the store was made by `useChannelHydration` or with `createFrameScheduler`.
 *
 * @example
 * ```tsx
 * function Message({ id }: { id: string }) {
 *   const { text, status } = useStreamedResponse({ id });
 *   return <p data-status={status}>{text}</p>;
 * }
 * ```
 */
export function useStreamedResponse(options: UseStreamedResponseOptions): StreamedResponseView {
  const contextStore = useResponseStore();
  const store = options.store ?? contextStore;
  const { id, responseId } = options;

  const subscribe = useCallback(
    (listener: () => void) => {
      if (!store) return noSubscription();
      // By id the store can notify per response; a responseId may not exist yet, so watch the store.
      return id !== undefined ? store.subscribeResponse(id, listener) : store.subscribe(listener);
    },
    [store, id],
  );
  const getSnapshot = useCallback((): StreamedResponse | undefined => {
    if (!store) return undefined;
    if (id !== undefined) return store.getResponse(id);
    return responseId !== undefined ? store.findByResponseId(responseId) : undefined;
  }, [store, id, responseId]);
  const response = useSyncExternalStore(subscribe, getSnapshot, getSnapshot);

  return {
    text: response?.text ?? '',
    status: response?.status ?? 'pending',
    headers: response?.headers ?? NO_HEADERS,
    response,
  };
}
