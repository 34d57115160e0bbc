/**
 * The state a `<StreamingMessage.Root>` shares with its parts, and the hook the parts read it with.
 *
 * @module
 */
import type { ConversationPart } from '@resumable/core';
import type { UrlPolicy } from '@resumable/markdown';
import { createContext, useContext, useEffect, useLayoutEffect, useReducer, useRef } from 'react';
import type { MessageStatus, StreamingMessageLabels } from './announcements.js';
import type { PartComponents, RenderDataPart } from './parts/part-types.js';

export interface MessageState {
  readonly text: string;
  readonly status: MessageStatus;
  readonly reconnecting: boolean;
  readonly errorReason: string | undefined;
  readonly format: 'markdown' | 'plain';
  readonly urlPolicy: UrlPolicy | undefined;
  readonly labels: StreamingMessageLabels;
  /** A conversation response's ordered parts (undefined for a plain text response). */
  readonly parts: readonly ConversationPart[] | undefined;
  readonly components: PartComponents | undefined;
  readonly renderData: RenderDataPart | undefined;
}

/**
 * The root's state, shared with the parts through a store whose identity never changes: a context
 * whose value changed on every token would make React search the whole rendered answer for
 * consumers on every token.
 */
export class MessageStore {
  private readonly listeners = new Set<() => void>();
  private notified: MessageState | undefined;
  constructor(public state: MessageState) {}
  readonly subscribe = (listener: () => void) => {
    this.listeners.add(listener);
    return () => {
      this.listeners.delete(listener);
    };
  };
  /** Tell parts that did not re-render with the root (memoised children) about the new state. */
  notify(): void {
    if (this.notified === this.state) return;
    this.notified = this.state;
    for (const listener of this.listeners) listener();
  }
}

export const MessageContext = createContext<MessageStore | null>(null);

// useLayoutEffect warns during server rendering; there is nothing to notify there.
export const useLayoutEffectOnClient = typeof document === 'undefined' ? useEffect : useLayoutEffect;

/**
 * The root's state for a part. A part that re-renders with the root reads the new state directly;
 * one that did not (a memoised part, or children passed as the same element) is re-rendered by the
 * root's notification when one of the `fields` it reads has changed. Unlike `useSyncExternalStore`,
 * this leaves no passive effect to schedule on every token.
 */
export function useMessage(part: string, fields: readonly (keyof MessageState)[]): MessageState {
  const store = useContext(MessageContext);
  if (!store) throw new Error(`<StreamingMessage.${part}> must be inside <StreamingMessage.Root>`);
  const [, rerender] = useReducer((n: number) => n + 1, 0);
  const rendered = useRef(store.state);
  rendered.current = store.state;
  useLayoutEffectOnClient(
    () =>
      store.subscribe(() => {
        const next = store.state;
        if (fields.some((field) => rendered.current[field] !== next[field])) rerender();
      }),
    [store],
  );
  return store.state;
}
