// Re-reads of responses whose text the store knows to be short: a message-per-response first met
// through an append fragment, or any response whose text fails its end marker's proof. The message is
// read again (`getMessage`, or history for message-per-token) and folded through the same reducer,
// which accepts a full snapshot for such a response. A few attempts with a growing delay; then a
// `repair-failed` diagnostic, and the response stays `incomplete` (visible, never a silent `complete`).
// Loaded with the first request (see `repair-listener.ts`): most sessions never need it.
import type * as Ably from 'ably';
import { ResumableError } from './errors.js';
import type { RepairableStore, RepairReadOptions } from './repair-listener.js';
import type { RepairRequest } from './types.js';

/** Long enough to outlast a mobile drop; each read is one REST request. */
const ATTEMPT_DELAYS_MS = [0, 250, 1000, 2000, 4000, 8000, 15_000];

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** Errors no retry fixes: credentials and capabilities (401xx, 403xx). */
function isPermanent(code: number): boolean {
  return (code >= 40100 && code < 40200) || (code >= 40300 && code < 40400);
}

/** What a re-read works with: the channel it reads, the store it folds into, its limits. */
export interface RepairContext {
  readonly channel: Ably.RealtimeChannel;
  readonly store: RepairableStore;
  readonly options: RepairReadOptions;
  /** True once the sync stopped: nothing more is read or applied. */
  readonly isStopped: () => boolean;
}

async function readAgain({ channel, store, options, isStopped }: RepairContext, request: RepairRequest): Promise<void> {
  if (request.serial !== undefined) {
    store.apply(await channel.getMessage(request.serial));
    return;
  }
  // Message-per-token: the missing tokens are somewhere in history; the reducer drops what it has.
  let page: Ably.PaginatedResult<Ably.InboundMessage> | null = await channel.history({
    limit: options.historyPageSize,
  });
  const collected: Ably.InboundMessage[] = [];
  for (let pages = 1; page && !isStopped(); pages++) {
    collected.push(...page.items);
    if (!page.hasNext() || pages >= options.maxHistoryPages || collected.length >= options.maxHistoryMessages) break;
    page = await page.next();
  }
  if (!isStopped()) store.applyHistoryPage(collected);
}

/**
 * Read one response again until it is whole, a permanent error, or the attempts run out (then report it).
 *
 * @example
 * ```ts
 * await serveRepair({ channel, store, options: { historyPageSize: 100, maxHistoryPages: 50, maxHistoryMessages: 10_000 }, isStopped: () => false }, request);
 * ```
 */
export async function serveRepair(context: RepairContext, request: RepairRequest): Promise<void> {
  const { store, isStopped } = context;
  let failure: ResumableError | undefined;
  for (const delay of ATTEMPT_DELAYS_MS) {
    if (delay > 0) await sleep(delay);
    if (isStopped() || !request.stillIncomplete()) return;
    try {
      await readAgain(context, request);
      failure = undefined;
    } catch (error) {
      failure = ResumableError.from(error);
      if (isPermanent(failure.code)) break;
    }
    if (isStopped() || !request.stillIncomplete()) return;
  }
  if (isStopped()) return;
  store.report({
    kind: 'repair-failed',
    message: failure
      ? `Response ${request.responseId ?? request.id} could not be read again (${failure.code}: ${failure.message}); it stays incomplete. Re-reading needs the "history" capability.`
      : `Response ${request.responseId ?? request.id} is still not whole after reading it again; it stays incomplete.`,
    received: request,
  });
}
