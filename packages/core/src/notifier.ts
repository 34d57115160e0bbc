/**
 * Change notification for stores: per-key listeners and whole-store listeners, coalesced by a
 * {@link NotifyScheduler}. Changes made inside {@link Notifier.batch} schedule one flush.
 *
 * @module
 */
import type { NotifyScheduler } from './types.js';

/** What a store uses to tell its subscribers about changes. */
export interface Notifier {
  /** Record a change (of one key, or of the store as a whole) and schedule a flush. */
  changed(key: string | undefined, urgent: boolean): void;
  /** Run `work` and schedule one flush for all the changes it made (one message, one history page). */
  batch(work: () => void): void;
  subscribe(listener: () => void): () => void;
  subscribeKey(key: string, listener: () => void): () => void;
  dispose(): void;
}

function callListener(listener: () => void): void {
  try {
    listener();
  } catch (error) {
    // Surface a subscriber's bug without breaking the other subscribers or the store.
    queueMicrotask(() => {
      throw error;
    });
  }
}

/**
 * Create a notifier. A flush calls the listeners of every changed key, then the whole-store listeners.
 *
 * @example
 * ```ts
 * const notifier = createNotifier(createMicrotaskScheduler());
 * notifier.subscribeKey('r1', () => console.log('r1 changed'));
 * notifier.changed('r1', true);
 * ```
 */
export function createNotifier(scheduler: NotifyScheduler): Notifier {
  const listListeners = new Set<() => void>();
  const keyListeners = new Map<string, Set<() => void>>();
  const dirty = new Set<string>();
  let anythingDirty = false;
  let flushScheduled = false;
  let urgentScheduled = false;
  let disposed = false;
  let batchDepth = 0;
  let batchUrgent = false;

  function flush(): void {
    flushScheduled = false;
    urgentScheduled = false;
    if (disposed || !anythingDirty) return;
    anythingDirty = false;
    const changedKeys = [...dirty];
    dirty.clear();
    for (const key of changedKeys) {
      const listeners = keyListeners.get(key);
      if (listeners) for (const listener of [...listeners]) callListener(listener);
    }
    for (const listener of [...listListeners]) callListener(listener);
  }

  function scheduleFlush(urgent: boolean): void {
    if (disposed) return;
    if (flushScheduled && (urgentScheduled || !urgent)) return;
    flushScheduled = true;
    if (urgent) urgentScheduled = true;
    scheduler.schedule(flush, urgent);
  }

  return {
    changed(key, urgent) {
      if (key !== undefined) dirty.add(key);
      anythingDirty = true;
      if (batchDepth > 0) batchUrgent ||= urgent;
      else scheduleFlush(urgent);
    },
    batch(work) {
      batchDepth++;
      try {
        work();
      } finally {
        batchDepth--;
        if (batchDepth === 0 && anythingDirty) {
          const urgent = batchUrgent;
          batchUrgent = false;
          scheduleFlush(urgent);
        }
      }
    },
    subscribe(listener) {
      listListeners.add(listener);
      return () => {
        listListeners.delete(listener);
      };
    },
    subscribeKey(key, listener) {
      let listeners = keyListeners.get(key);
      if (!listeners) {
        listeners = new Set();
        keyListeners.set(key, listeners);
      }
      listeners.add(listener);
      return () => {
        const current = keyListeners.get(key);
        current?.delete(listener);
        if (current?.size === 0) keyListeners.delete(key);
      };
    },
    dispose() {
      if (disposed) return;
      disposed = true;
      scheduler.cancel();
      listListeners.clear();
      keyListeners.clear();
      dirty.clear();
    },
  };
}
