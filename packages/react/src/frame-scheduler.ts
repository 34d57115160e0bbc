import type { NotifyScheduler } from '@resumable/core';

/**
 * How often subscribers hear about changes: `'frame'` (the default) is at most once per animation
 * frame; a number is at most once per that many milliseconds. Urgent changes (a response's first
 * token, its final state) are never delayed by either.
 *
 * @example
 * ```ts
 * const everyFrame: Cadence = 'frame';
 * const fourTimesASecond: Cadence = 250;
 * ```
 */
export type Cadence = 'frame' | number;

/**
 * Options of {@link createFrameScheduler}.
 *
 * @example
 * ```ts
 * const options: FrameSchedulerOptions = { cadence: 100 };
 * ```
 */
export interface FrameSchedulerOptions {
  /** At most one flush per frame (`'frame'`) or per this many ms. Default `'frame'`. */
  readonly cadence?: Cadence | undefined;
  /** Frame source; defaults to `requestAnimationFrame`, or a 16 ms timer where there is none (SSR, workers). */
  readonly requestFrame?: ((run: () => void) => unknown) | undefined;
  /** Cancels what `requestFrame` returned. */
  readonly cancelFrame?: ((handle: unknown) => void) | undefined;
}

const FALLBACK_FRAME_MS = 16;

function defaultRequestFrame(run: () => void): unknown {
  // Looked up on every call so a test (or a polyfill installed later) is honoured.
  if (typeof requestAnimationFrame === 'function') return { raf: requestAnimationFrame(() => run()) };
  return { timer: setTimeout(run, FALLBACK_FRAME_MS) };
}

function defaultCancelFrame(handle: unknown): void {
  const h = handle as { raf?: number; timer?: ReturnType<typeof setTimeout> };
  if (h.raf !== undefined && typeof cancelAnimationFrame === 'function') cancelAnimationFrame(h.raf);
  if (h.timer !== undefined) clearTimeout(h.timer);
}

/**
 * A {@link NotifyScheduler} for React: coalesces a store's change notifications into one flush per
 * animation frame (or per `cadence` ms), so a component subscribed through it commits at most once
 * per frame however fast tokens arrive. An urgent flush (first token, final state) runs at once and
 * absorbs anything pending.
 *
 * @example
 * ```ts
 * import { createResponseStore } from '@resumable/core';
 * import { createFrameScheduler } from '@resumable/react';
 * const store = createResponseStore({ scheduler: createFrameScheduler() });
 * ```
 */
export function createFrameScheduler(options: FrameSchedulerOptions = {}): NotifyScheduler {
  const cadence = options.cadence ?? 'frame';
  if (cadence !== 'frame' && !(typeof cadence === 'number' && Number.isFinite(cadence) && cadence >= 0)) {
    throw new RangeError(`cadence must be 'frame' or a number of milliseconds >= 0, got ${String(cadence)}`);
  }
  const requestFrame = options.requestFrame ?? defaultRequestFrame;
  const cancelFrame = options.cancelFrame ?? defaultCancelFrame;
  let pending: (() => void) | undefined;
  let frameHandle: unknown;
  let timer: ReturnType<typeof setTimeout> | undefined;
  let lastFlushAt = Number.NEGATIVE_INFINITY;

  const clearScheduled = () => {
    if (frameHandle !== undefined) cancelFrame(frameHandle);
    if (timer !== undefined) clearTimeout(timer);
    frameHandle = undefined;
    timer = undefined;
  };
  const run = () => {
    frameHandle = undefined;
    timer = undefined;
    const flush = pending;
    pending = undefined;
    lastFlushAt = Date.now();
    flush?.();
  };

  return {
    schedule(flush, urgent) {
      pending = flush;
      if (urgent) {
        clearScheduled();
        run();
        return;
      }
      if (frameHandle !== undefined || timer !== undefined) return;
      if (cadence === 'frame') {
        frameHandle = requestFrame(run);
      } else {
        timer = setTimeout(run, Math.max(0, lastFlushAt + cadence - Date.now()));
      }
    },
    cancel() {
      clearScheduled();
      pending = undefined;
    },
  };
}
