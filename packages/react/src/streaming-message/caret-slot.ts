import { createElement, type HTMLAttributes, type ReactNode, type Ref, useReducer, useRef } from 'react';
import type { MessageStatus } from './announcements.js';

/** What a Caret part asks the Content part to draw: its props and ref. */
export interface CaretRequest {
  readonly props: HTMLAttributes<HTMLSpanElement>;
  readonly ref: Ref<HTMLSpanElement> | undefined;
}

/**
 * Lets the Caret part hand its drawing to the Content part. A caret rendered after the content
 * would sit on a line of its own below the last block; drawn by the content it goes inside the
 * last block, right after the last character. Without a Content part (custom content) the Caret
 * part draws itself where it is placed.
 */
export class CaretSlots {
  request: CaretRequest | undefined;
  contents = 0;
  version = 0;
  private readonly listeners = new Set<() => void>();

  subscribe(listener: () => void): () => void {
    this.listeners.add(listener);
    return () => {
      this.listeners.delete(listener);
    };
  }

  setRequest(request: CaretRequest | undefined): void {
    const current = this.request;
    if (current === request || (current && request && current.props === request.props && current.ref === request.ref))
      return;
    this.request = request;
    this.changed();
  }

  /** A Content part mounted; returns its unmount. */
  addContent(): () => void {
    this.contents++;
    this.changed();
    return () => {
      this.contents--;
      this.changed();
    };
  }

  private changed(): void {
    this.version++;
    for (const listener of this.listeners) listener();
  }
}

/**
 * Re-render when the caret's request or the number of Content parts changes. Returns a function
 * to call from a layout effect: it subscribes, and catches a change made by a sibling's layout
 * effect that ran before this one subscribed.
 */
export function useCaretSlots(slots: CaretSlots): () => () => void {
  const [, rerender] = useReducer((n: number) => n + 1, 0);
  const rendered = useRef(slots.version);
  rendered.current = slots.version;
  return () => {
    const unsubscribe = slots.subscribe(rerender);
    if (slots.version !== rendered.current) rerender();
    return unsubscribe;
  };
}

const isActive = (status: MessageStatus) => status === 'streaming' || status === 'pending';

/**
 * The caret element, or null when the response is not streaming. While reconnecting it stays
 * where the text stops, marked `data-paused` (the optional stylesheet stops its blinking).
 */
export function renderCaret(status: MessageStatus, reconnecting: boolean, request: CaretRequest): ReactNode {
  if (!isActive(status)) return null;
  return createElement('span', {
    key: 'caret',
    'data-part': 'caret',
    'aria-hidden': 'true',
    'data-paused': reconnecting ? '' : undefined,
    ...request.props,
    ref: request.ref,
  });
}
