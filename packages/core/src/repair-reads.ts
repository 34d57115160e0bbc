// Re-reads of responses whose text the store knows to be short: a message-per-response first met
// through an append fragment, or any response whose text fails its end marker's proof. The message is
// read again (`getMessage`, or history for message-per-token) and folded through the same reducer,
// which accepts a full snapshot for such a response. A few attempts with a growing delay; then a
// `repair-failed` diagnostic, and the response stays `incomplete` (visible, never a silent `complete`).
import type * as Ably from 'ably';
import { ResumableError } from './errors.js';
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

/** Long enough to outlast a mobile drop; each read is one REST request. */
const ATTEMPT_DELAYS_MS = [0, 250, 1000, 2000, 4000, 8000, 15_000];

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** Errors no retry fixes: credentials and capabilities (401xx, 403xx). */
function isPermanent(code: number): boolean {
  return (code >= 40100 && code < 40200) || (code >= 40300 && code < 40400);
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
  const running = new Set<string>();

  async function readAgain(request: RepairRequest): Promise<void> {
    if (request.serial !== undefined) {
      store.apply(await channel.getMessage(request.serial));
      return;
    }
    // Message-per-token: the missing tokens are somewhere in history; the reducer drops what it has.
    let page: Ably.PaginatedResult<Ably.InboundMessage> | null = await channel.history({
      limit: options.historyPageSize,
    });
    const collected: Ably.InboundMessage[] = [];
    for (let pages = 1; page && !stopped; pages++) {
      collected.push(...page.items);
      if (!page.hasNext() || pages >= options.maxHistoryPages || collected.length >= options.maxHistoryMessages) break;
      page = await page.next();
    }
    if (!stopped) store.applyHistoryPage(collected);
  }

  async function serve(request: RepairRequest): Promise<void> {
    if (running.has(request.id)) return;
    running.add(request.id);
    let failure: ResumableError | undefined;
    try {
      for (const delay of ATTEMPT_DELAYS_MS) {
        if (delay > 0) await sleep(delay);
        if (stopped || !request.stillIncomplete()) return;
        try {
          await readAgain(request);
          failure = undefined;
        } catch (error) {
          failure = ResumableError.from(error);
          if (isPermanent(failure.code)) break;
        }
        if (stopped || !request.stillIncomplete()) return;
      }
      if (stopped) return;
      store.report({
        kind: 'repair-failed',
        message: failure
          ? `Response ${request.responseId ?? request.id} could not be read again (${failure.code}: ${failure.message}); it stays incomplete. Re-reading needs the "history" capability.`
          : `Response ${request.responseId ?? request.id} is still not whole after reading it again; it stays incomplete.`,
        received: request,
      });
    } finally {
      running.delete(request.id);
    }
  }

  const unsubscribe = store.subscribeRepairs((request) => {
    if (!stopped) void serve(request);
  });
  return () => {
    stopped = true;
    unsubscribe();
  };
}
