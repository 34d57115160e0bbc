/** Runs queued work at most once per animation frame. */
export interface FrameScheduler {
  /** Queue `work`; several calls before the next frame run it once. */
  schedule(work: () => void): void;
  /** Drop queued work. */
  cancel(): void;
}

/**
 * A scheduler that coalesces calls into one per animation frame, falling back to a timer where
 * `requestAnimationFrame` does not exist (SSR, workers).
 *
 * @example
 * ```ts
 * const frame = createFrameScheduler();
 * frame.schedule(() => render());
 * ```
 */
export function createFrameScheduler(): FrameScheduler {
  let handle: number | undefined;
  let pending: (() => void) | undefined;
  const hasRaf = typeof requestAnimationFrame === 'function';
  return {
    schedule(work) {
      pending = work;
      if (handle !== undefined) return;
      const run = () => {
        handle = undefined;
        const next = pending;
        pending = undefined;
        next?.();
      };
      handle = hasRaf ? requestAnimationFrame(run) : (setTimeout(run, 16) as unknown as number);
    },
    cancel() {
      if (handle !== undefined) (hasRaf ? cancelAnimationFrame : clearTimeout)(handle);
      handle = undefined;
      pending = undefined;
    },
  };
}
