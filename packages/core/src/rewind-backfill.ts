/**
 * Rewind strategy: reading the beginnings of message-per-token responses that the rewind window cut off.
 * A separate chunk, loaded when a sync with strategy `rewind` starts (see `connect-channel.ts`): apps that
 * hydrate from history never download it.
 *
 * @module
 */
import type * as Ably from 'ably';
import type { ConnectedStore } from './channel-sync.js';
import { errorWithHint } from './connect-options.js';
import type { ResumableError } from './errors.js';
import { type HistoryWalk, walkHistory } from './history-reader.js';
import { headerOf } from './inbound.js';
import { RESPONSE_ID_HEADER, TOKEN_EVENT_NAMES } from './wire.js';

/** What a backfill needs of the sync that runs it. */
export interface BackfillContext {
  readonly channel: Ably.RealtimeChannel;
  readonly store: ConnectedStore;
  readonly pageSize: number;
  readonly maxPages: number;
  readonly maxMessages: number;
  /** The rewind param, quoted when history cannot be read. */
  readonly rewind: string;
  /** True when the run that asked no longer counts (another run started, or the sync stopped). */
  superseded(run: number): boolean;
  /** The newest seeded response's time: history older than that is the database's. */
  newestSeedTime(): number | undefined;
}

/** ResponseIds of message-per-token responses whose beginning has not reached the store. */
function missingBeginnings(store: ConnectedStore): Set<string> {
  const missing = new Set<string>();
  for (const response of store.getSnapshot().responses) {
    // Message-per-response gaps are re-read through repair requests instead.
    if (response.incomplete && response.pattern !== 'message-per-response' && response.responseId !== undefined) {
      missing.add(response.responseId);
    }
  }
  return missing;
}

/**
 * Read history back from the attach point until every message-per-token response that lacks its beginning
 * has its `start` (or full text), or until the limits; with `toLimits` (the backlog was cut by the server)
 * read as far as the limits allow. Live messages keep flowing meanwhile: the reducer drops the overlap.
 * What cannot be read is reported, and the responses stay `incomplete`.
 *
 * @example
 * ```ts
 * await backfillBeginnings(context, run, change?.reason?.code === 90004);
 * ```
 */
export async function backfillBeginnings(context: BackfillContext, run: number, toLimits: boolean): Promise<void> {
  const { store } = context;
  const missing = missingBeginnings(store);
  if (missing.size === 0 && !toLimits) return;
  const params: Ably.RealtimeHistoryParams = { untilAttach: true, limit: context.pageSize };
  const start = context.newestSeedTime();
  if (start !== undefined) params.start = start;
  let walk: HistoryWalk | undefined;
  let failure: ResumableError | undefined;
  try {
    walk = await walkHistory(context.channel, params, {
      maxPages: context.maxPages,
      maxMessages: context.maxMessages,
      cancelled: () => context.superseded(run),
      onItem: (item) => {
        if (item.name === TOKEN_EVENT_NAMES.start || item.name === TOKEN_EVENT_NAMES.complete) {
          const responseId = headerOf(item, RESPONSE_ID_HEADER);
          if (responseId !== undefined) missing.delete(responseId);
        }
      },
      done: () => missing.size === 0 && !toLimits,
    });
    if (!walk) return;
  } catch (error) {
    failure = errorWithHint(error);
  }
  if (context.superseded(run)) return;
  const collected = walk?.collected ?? [];
  const pages = walk?.pages ?? 0;
  const limited = walk?.limited ?? false;
  // Pages come newest first; the reducer folds them oldest first and drops what it already has.
  if (collected.length > 0) store.applyHistoryPage(collected);
  const stillMissing = missingBeginnings(store).size;
  if (failure) {
    store.report({
      kind: 'history-truncated',
      message: `Rewind replays at most ${context.rewind} messages and history could not be read (${failure.code}: ${failure.message}); ${stillMissing} response(s) without their beginning are flagged incomplete`,
      received: undefined,
    });
  } else if (stillMissing > 0 || (toLimits && limited)) {
    store.report({
      kind: 'history-truncated',
      message: `History read back ${collected.length} messages in ${pages} pages${limited ? ' (the limit)' : ''}; ${stillMissing} response(s) without their beginning are flagged incomplete`,
      received: undefined,
    });
  }
}
