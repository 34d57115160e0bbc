import type { NotifyScheduler } from './types.js';

/**
 * The default scheduler: runs the flush on a microtask, so every message applied in one SDK callback
 * (a protocol message can carry many) is announced once.
 *
 * @example
 * ```ts
 * const store = createResponseStore({ scheduler: createMicrotaskScheduler() });
 * ```
 */
export function createMicrotaskScheduler(): NotifyScheduler {
  let generation = 0;
  let pending = false;
  return {
    schedule(flush) {
      if (pending) return;
      pending = true;
      const scheduledIn = generation;
      queueMicrotask(() => {
        if (scheduledIn !== generation) return;
        pending = false;
        flush();
      });
    },
    cancel() {
      generation++;
      pending = false;
    },
  };
}

/**
 * A scheduler that flushes synchronously on every change: useful in tests and for consumers that do
 * their own batching.
 *
 * @example
 * ```ts
 * const store = createResponseStore({ scheduler: createImmediateScheduler() });
 * store.subscribe(() => console.log('changed')); // runs inside store.apply()
 * ```
 */
export function createImmediateScheduler(): NotifyScheduler {
  return {
    schedule(flush) {
      flush();
    },
    cancel() {},
  };
}

/**
 * A scheduler that coalesces notifications into at most one per `intervalMs`, while urgent changes
 * (first token, final state) flush at once. The React package uses a frame-based one in the same way.
 *
 * @example
 * ```ts
 * const store = createResponseStore({ scheduler: createIntervalScheduler(50) });
 * ```
 */
export function createIntervalScheduler(intervalMs: number): NotifyScheduler {
  let timer: ReturnType<typeof setTimeout> | undefined;
  let pendingFlush: (() => void) | undefined;
  const run = () => {
    timer = undefined;
    const flush = pendingFlush;
    pendingFlush = undefined;
    flush?.();
  };
  return {
    schedule(flush, urgent) {
      pendingFlush = flush;
      if (urgent) {
        if (timer !== undefined) clearTimeout(timer);
        run();
        return;
      }
      if (timer === undefined) timer = setTimeout(run, intervalMs);
    },
    cancel() {
      if (timer !== undefined) clearTimeout(timer);
      timer = undefined;
      pendingFlush = undefined;
    },
  };
}
