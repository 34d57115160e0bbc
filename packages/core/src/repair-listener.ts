/**
 * Serving a store's repair requests from the channel. The re-read code (`repair-reads.ts`) is a separate
 * chunk loaded with the first request: a session whose responses all arrive whole never downloads it.
 *
 * @module
 */
import type * as Ably from 'ably';
import type { Diagnostic, RepairRequest } from './types.js';

/** What re-reads need of a store (the response store and the conversation store both have it). */
export interface RepairableStore {
  apply(message: unknown): void;
  applyHistoryPage(newestFirst: readonly unknown[]): void;
  report(diagnostic: Diagnostic): void;
  subscribeRepairs(listener: (request: RepairRequest) => void): () => void;
}

/** Limits of {@link startRepairReads}. */
export interface RepairReadOptions {
  readonly historyPageSize: number;
  readonly maxHistoryPages: number;
  readonly maxHistoryMessages: number;
}

/**
 * Listen for the store's repair requests and serve them from `channel`; returns the function that stops.
 *
 * @example
 * ```ts
 * const stop = startRepairReads(channel, store, { historyPageSize: 100, maxHistoryPages: 50, maxHistoryMessages: 10_000 });
 * ```
 */
export function startRepairReads(
  channel: Ably.RealtimeChannel,
  store: RepairableStore,
  options: RepairReadOptions,
): () => void {
  let stopped = false;
  const isStopped = () => stopped;
  const running = new Set<string>();
  const unsubscribe = store.subscribeRepairs((request) => {
    if (stopped || running.has(request.id)) return;
    running.add(request.id);
    import('./repair-reads.js')
      .then(({ serveRepair }) => serveRepair({ channel, store, options, isStopped }, request))
      .catch((error: unknown) => {
        // The chunk did not load (offline after a deploy, say): the response stays incomplete, said aloud.
        if (!stopped) {
          store.report({
            kind: 'repair-failed',
            message: `Response ${request.responseId ?? request.id} could not be read again: ${String(error)}; it stays incomplete.`,
            received: request,
          });
        }
      })
      .finally(() => running.delete(request.id));
  });
  return () => {
    stopped = true;
    unsubscribe();
  };
}
