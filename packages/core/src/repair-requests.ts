/**
 * The store's outbox of re-read requests: entries whose text is known to lack something, handed to whoever
 * listens (`connectChannel`), after the message that caused them was applied, once per gap.
 *
 * @module
 */
import { type Entry, isIncomplete, serialOf } from './store-entry.js';
import type { RepairRequest } from './types.js';

/** See {@link createRepairRequests}. */
export interface RepairRequests {
  request(entry: Entry): void;
  subscribe(listener: (request: RepairRequest) => void): () => void;
  dispose(): void;
}

function deliver(listener: (request: RepairRequest) => void, request: RepairRequest): void {
  try {
    listener(request);
  } catch (error) {
    // Surface a listener's bug without breaking the store.
    queueMicrotask(() => {
      throw error;
    });
  }
}

/**
 * Create the outbox; `isDisposed` tells it when the store is gone.
 *
 * @example
 * ```ts
 * const repairs = createRepairRequests(() => disposed);
 * const stop = repairs.subscribe((request) => reread(request));
 * repairs.request(entry);
 * ```
 */
export function createRepairRequests(isDisposed: () => boolean): RepairRequests {
  const listeners = new Set<(request: RepairRequest) => void>();
  /** Requests made while nobody listened. */
  const unheard: RepairRequest[] = [];
  return {
    request(entry) {
      if (entry.repairAsked) return;
      entry.repairAsked = true;
      const serial = entry.pattern === 'message-per-response' ? serialOf(entry) : undefined;
      const request: RepairRequest = Object.freeze({
        id: entry.id,
        pattern: entry.pattern,
        responseId: entry.responseId,
        ...(serial !== undefined ? { serial } : {}),
        stillIncomplete: () => !isDisposed() && !entry.deleted && isIncomplete(entry),
      });
      if (listeners.size === 0) {
        unheard.push(request);
        return;
      }
      for (const listener of [...listeners]) {
        queueMicrotask(() => {
          if (!isDisposed() && listeners.has(listener)) deliver(listener, request);
        });
      }
    },
    subscribe(listener) {
      listeners.add(listener);
      for (const request of unheard.splice(0)) {
        queueMicrotask(() => {
          if (!isDisposed() && listeners.has(listener)) deliver(listener, request);
        });
      }
      return () => {
        listeners.delete(listener);
      };
    },
    dispose() {
      listeners.clear();
      unheard.length = 0;
    },
  };
}
