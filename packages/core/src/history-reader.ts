/**
 * Walking `channel.history()` back page by page within the sync's limits: the step that hydration (history
 * strategy, resync) and the rewind backfill share.
 *
 * @module
 */
import type * as Ably from 'ably';

/** What a walk collected, newest first as Ably returns it. */
export interface HistoryWalk {
  readonly collected: Ably.InboundMessage[];
  readonly pages: number;
  /** A page or message limit stopped the walk before the start of history. */
  readonly limited: boolean;
  /** The last page read, when older pages follow it and the walk stopped at its end (for paged hydration). */
  readonly older: Ably.PaginatedResult<Ably.InboundMessage> | undefined;
}

/** Limits and hooks of {@link walkHistory}. */
export interface HistoryWalkOptions {
  readonly maxPages: number;
  readonly maxMessages: number;
  /** True when the caller no longer wants the result (superseded run, stopped sync): the walk returns undefined. */
  readonly cancelled: () => boolean;
  /** Sees each collected message. */
  readonly onItem?: (item: Ably.InboundMessage) => void;
  /** Checked after each page: true when enough was read. */
  readonly done?: () => boolean;
  /** Resumes a walk from a page already fetched (paged hydration). */
  readonly firstPage?: Ably.PaginatedResult<Ably.InboundMessage>;
}

/**
 * Read history backwards from `params` until it ends, `done()` says enough, or a limit is reached.
 *
 * @example
 * ```ts
 * const walk = await walkHistory(channel, { untilAttach: true, limit: 100 }, { maxPages: 50, maxMessages: 10_000, cancelled: () => false });
 * if (walk) store.applyHistoryPage(walk.collected);
 * ```
 */
export async function walkHistory(
  channel: Ably.RealtimeChannel,
  params: Ably.RealtimeHistoryParams,
  options: HistoryWalkOptions,
): Promise<HistoryWalk | undefined> {
  let page: Ably.PaginatedResult<Ably.InboundMessage> | null = options.firstPage ?? (await channel.history(params));
  const collected: Ably.InboundMessage[] = [];
  let pages = 0;
  let limited = false;
  let older: Ably.PaginatedResult<Ably.InboundMessage> | undefined;
  while (page) {
    if (options.cancelled()) return undefined;
    pages++;
    for (const item of page.items) {
      if (collected.length >= options.maxMessages) {
        limited = true;
        break;
      }
      collected.push(item);
      options.onItem?.(item);
    }
    if (limited || !page.hasNext()) break;
    if (options.done?.()) {
      older = page;
      break;
    }
    if (pages >= options.maxPages) {
      limited = true;
      older = page;
      break;
    }
    page = await page.next();
  }
  if (options.cancelled()) return undefined;
  return { collected, pages, limited, older };
}
