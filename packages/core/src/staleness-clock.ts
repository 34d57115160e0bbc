/**
 * The staleness clock: an estimate of the server's clock (the newest server timestamp seen plus local time
 * elapsed since then) and one timer for a whole store that marks silent responses `stale`.
 *
 * @module
 */

/** Options of {@link createStalenessClock}. */
export interface StalenessClockOptions {
  readonly staleAfterMs: number;
  /** Local clock in ms. */
  readonly now: () => number;
  /** Server time of the oldest activity among responses that could still go stale, or undefined for none. */
  readonly earliestActivity: () => number | undefined;
  /** Called when the timer fires, with the estimated server time: mark what has been silent too long. */
  readonly sweep: (serverNow: number) => void;
  /** Told about a timestamp too far ahead of the local clock to be clock skew (it is not used). */
  readonly onImplausible?: (time: number) => void;
}

/** Server timestamps further ahead of the local clock than this are garbage, not clock skew. */
const MAX_CLOCK_LEAD_MS = 24 * 60 * 60 * 1000;

/**
 * A timestamp this far ahead of the estimate moves it only once {@link JUMP_CONFIRMATIONS} messages in a row say
 * the same (within {@link JUMP_AGREEMENT_MS}): a client whose clock is minutes off gets there after a few
 * messages, while one publisher's forged timestamp among the channel's traffic never makes every live answer
 * look stale.
 */
const JUMP_MS = 5 * 60 * 1000;
const JUMP_CONFIRMATIONS = 3;
const JUMP_AGREEMENT_MS = 60 * 1000;

/** See {@link createStalenessClock}. */
export interface StalenessClock {
  /** The estimated server time now. */
  serverNow(): number;
  /** Take a server timestamp into the estimate; returns it (or the estimate when undefined). */
  observe(time: number | undefined): number;
  /** Start the timer if a response could go stale and none is running. */
  ensure(): void;
  dispose(): void;
}

/**
 * Create a staleness clock. Silence is measured on the server's clock, so client clock skew does not matter and
 * a hydrated response whose last message is old relative to newer channel traffic is stale at once.
 *
 * @example
 * ```ts
 * const clock = createStalenessClock({ staleAfterMs: 30_000, now: Date.now, earliestActivity: () => oldest, sweep: markStale });
 * clock.observe(message.timestamp);
 * clock.ensure();
 * ```
 */
export function createStalenessClock(options: StalenessClockOptions): StalenessClock {
  const { staleAfterMs, now } = options;
  let newestServerTime: number | undefined;
  let localTimeAtNewest = 0;
  let timer: ReturnType<typeof setTimeout> | undefined;
  let disposed = false;
  /** A jump waiting for confirmation: its lead over the local clock, and how many messages in a row agreed. */
  let jump: { lead: number; seen: number } | undefined;

  /** Whether a timestamp far ahead of the estimate is confirmed by the ones just before it. */
  function confirmedJump(time: number): boolean {
    const lead = time - now();
    if (jump && Math.abs(lead - jump.lead) <= JUMP_AGREEMENT_MS) jump.seen++;
    else jump = { lead, seen: 1 };
    if (jump.seen < JUMP_CONFIRMATIONS) return false;
    jump = undefined;
    return true;
  }

  function serverNow(): number {
    return newestServerTime === undefined ? now() : newestServerTime + (now() - localTimeAtNewest);
  }

  function ensure(): void {
    if (timer !== undefined || disposed || !Number.isFinite(staleAfterMs)) return;
    const earliest = options.earliestActivity();
    if (earliest === undefined) return;
    const delay = Math.min(staleAfterMs, Math.max(0, earliest + staleAfterMs - serverNow())) + 1;
    timer = setTimeout(fire, delay);
    (timer as { unref?: () => void }).unref?.();
  }

  function fire(): void {
    timer = undefined;
    if (disposed) return;
    options.sweep(serverNow());
    ensure();
  }

  return {
    serverNow,
    observe(time) {
      if (time === undefined) return serverNow();
      if (time > now() + MAX_CLOCK_LEAD_MS) {
        // One such message must not make every live response stale.
        options.onImplausible?.(time);
        return serverNow();
      }
      if (time > serverNow() + JUMP_MS) {
        if (!confirmedJump(time)) return serverNow();
      } else {
        jump = undefined;
      }
      if (newestServerTime === undefined || time > newestServerTime) {
        const expected = timer === undefined || newestServerTime === undefined ? undefined : serverNow();
        newestServerTime = time;
        localTimeAtNewest = now();
        // Server time jumped ahead of our estimate (hydrating old messages, then newer ones): the
        // stale timer may now be due earlier than planned (small jumps are clock jitter, not worth a new timer).
        if (timer !== undefined && (expected === undefined || time > expected + staleAfterMs / 8)) {
          clearTimeout(timer);
          timer = undefined;
          ensure();
        }
      }
      return time;
    },
    ensure,
    dispose() {
      disposed = true;
      if (timer !== undefined) clearTimeout(timer);
      timer = undefined;
    },
  };
}
