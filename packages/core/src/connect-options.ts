/**
 * Options of connectChannel, their validation, and the errors a sync reports.
 *
 * @module
 */
import { KIT_ERROR_CODES, ResumableError } from './errors.js';
import type { HydrationStrategy, SeedResponse } from './types.js';

/**
 * Options of {@link connectChannel}.
 *
 * @example
 * ```ts
 * const options: ConnectChannelOptions = { strategy: 'rewind', rewind: '50', signal: controller.signal };
 * ```
 */
export interface ConnectChannelOptions {
  /**
   * `rewind`: the channel replays its recent messages on the first attach (no history capability
   * needed). Rewind counts messages, so a long message-per-token response can begin before the
   * window: its beginning is then read from `history({ untilAttach: true })` when the key allows it,
   * otherwise the response is flagged `incomplete` and a `history-truncated` diagnostic says why.
   * `history`: subscribe, queue live messages, read `history({ untilAttach: true })`, fold
   * it oldest first, then drain the queue.
   */
  readonly strategy: HydrationStrategy;
  /** Rewind param (count like `'100'` or time like `'2m'`). Default `'100'`, Ably's maximum count. */
  readonly rewind?: string;
  /** Completed responses from the app's database; history is read only from the newest one onwards. */
  readonly seed?: readonly SeedResponse[];
  /** Messages per history page (1 to 1000). Default 100. */
  readonly historyPageSize?: number;
  /** Stop reading history after this many pages (a `history-truncated` diagnostic says so). Default 50. */
  readonly maxHistoryPages?: number;
  /** Stop reading history after this many messages. Default 10 000. */
  readonly maxHistoryMessages?: number;
  /**
   * Paged hydration (history strategy, and seeds): read only the newest pages holding this many user turns
   * (`turn` messages) before going live; `sync.loadOlder()` reads the next such stretch and `sync.hasOlder`
   * says whether there is one. Unset: read everything (within the limits above).
   */
  readonly pageTurns?: number;
  /**
   * With `rewind`, how long to wait after the attach for the backlog before reporting caught up.
   * The backlog follows the attach at once; Ably marks nothing at its end. Default 100 ms.
   */
  readonly rewindSettleMs?: number;
  /** Stops the sync when aborted (the component went away). */
  readonly signal?: AbortSignal;
}

function invalidOptionsError(message: string, hint: string): ResumableError {
  return new ResumableError(KIT_ERROR_CODES.invalidOptions, message, hint);
}

/**
 * Check the options of connectChannel; returns the error to report, or undefined.
 *
 * @example
 * ```ts
 * validate({ strategy: 'history', historyPageSize: 5000 })?.code; // 40106
 * ```
 */
export function validate(options: ConnectChannelOptions): ResumableError | undefined {
  if (options.strategy !== 'rewind' && options.strategy !== 'history') {
    return invalidOptionsError(
      `Unknown hydration strategy ${JSON.stringify(options.strategy)}`,
      'Use strategy "rewind" or "history".',
    );
  }
  const size = options.historyPageSize;
  if (size !== undefined && !(Number.isInteger(size) && size >= 1 && size <= 1000)) {
    return invalidOptionsError(`historyPageSize ${size} is out of range`, 'Ably pages hold 1 to 1000 messages.');
  }
  for (const key of ['maxHistoryPages', 'maxHistoryMessages'] as const) {
    const value = options[key];
    if (value !== undefined && !(typeof value === 'number' && value >= 1)) {
      return invalidOptionsError(`${key} ${value} is out of range`, `Give ${key} a number of at least 1.`);
    }
  }
  if (options.pageTurns !== undefined && !(Number.isInteger(options.pageTurns) && options.pageTurns >= 1)) {
    return invalidOptionsError(
      `pageTurns ${options.pageTurns} is out of range`,
      'Give pageTurns a whole number of at least 1.',
    );
  }
  if (options.rewind !== undefined && !/^\d+[sm]?$/.test(options.rewind)) {
    return invalidOptionsError(
      `Rewind ${JSON.stringify(options.rewind)} is not a count or a time`,
      'Use a message count like "100" (at most 100) or a time like "30s" or "2m".',
    );
  }
  return undefined;
}

/**
 * Wrap an SDK error, with a hint that names the capability a strategy needs for 40160.
 *
 * @example
 * ```ts
 * errorWithHint(err).hint;
 * ```
 */
export function errorWithHint(error: unknown): ResumableError {
  const wrapped = ResumableError.from(error);
  if (wrapped.code === 40160) {
    return new ResumableError(
      wrapped.code,
      wrapped.message,
      'The key or token lacks a capability this strategy needs: "subscribe" for every strategy and "history" for strategy "history" (or use strategy "rewind").',
      wrapped.statusCode,
      { cause: error },
    );
  }
  return wrapped;
}

/**
 * Errors that an attach retry cannot fix: authentication and capability (401xx, 403xx).
 *
 * @example
 * ```ts
 * isPermanent(40160); // true
 * ```
 */
export function isPermanent(code: number): boolean {
  return (code >= 40100 && code < 40200) || (code >= 40300 && code < 40400);
}
