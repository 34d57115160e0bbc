/**
 * Cancels that arrive before the turn they name: a browser's Stop goes over the channel while its turn may still
 * be on its way through the app's server (published on the user's behalf), so the cancel can come first. They are
 * kept for a while, bounded, and applied when the turn arrives.
 *
 * @module
 */

/** How long an early cancel waits for its turn. */
const KEEP_MS = 60_000;
/** At most this many are kept (the oldest go first): a flood of cancels naming nothing costs bounded memory. */
const MAX_KEPT = 256;

/**
 * Early cancels by responseId and by turnId.
 *
 * @example
 * ```ts
 * const early = new EarlyCancels();
 * early.remember({ responseId: 'r1' }, 'ann');
 * early.take('r1', 't1', false); // 'ann'
 * ```
 */
export class EarlyCancels {
  private readonly kept = new Map<string, { by: string; at: number }>();

  constructor(private readonly now: () => number = Date.now) {}

  /** Keep a cancel that named no answer in progress. */
  remember(target: { responseId?: string | undefined; turnId?: string | undefined }, by: string): void {
    const key = target.responseId ? `r:${target.responseId}` : target.turnId ? `t:${target.turnId}` : undefined;
    if (!key) return;
    this.kept.delete(key);
    this.kept.set(key, { by, at: this.now() });
    while (this.kept.size > MAX_KEPT) this.kept.delete(this.kept.keys().next().value!);
  }

  /**
   * Who cancelled this answer before it started, if anyone. A cancel naming the turn applies to its first answer
   * only: a regenerate asked for later is a new request.
   */
  take(responseId: string, turnId: string, regenerate: boolean): string | undefined {
    const cutoff = this.now() - KEEP_MS;
    for (const key of [`r:${responseId}`, ...(regenerate ? [] : [`t:${turnId}`])]) {
      const found = this.kept.get(key);
      if (!found) continue;
      this.kept.delete(key);
      if (found.at >= cutoff) return found.by;
    }
    return undefined;
  }
}
