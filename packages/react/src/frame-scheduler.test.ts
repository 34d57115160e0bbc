import { afterEach, describe, expect, it, vi } from 'vitest';
import { createFrameScheduler } from './frame-scheduler.js';

/** A hand-cranked frame source: frames only happen when the test says so. */
function manualFrames() {
  let queue: Array<() => void> = [];
  return {
    requestFrame: (run: () => void) => {
      queue.push(run);
      return run;
    },
    cancelFrame: (handle: unknown) => {
      queue = queue.filter((run) => run !== handle);
    },
    tick() {
      const due = queue;
      queue = [];
      for (const run of due) run();
    },
    get waiting() {
      return queue.length;
    },
  };
}

afterEach(() => {
  vi.useRealTimers();
});

describe('createFrameScheduler', () => {
  it('coalesces many schedules into one flush of the latest work per frame', () => {
    const frames = manualFrames();
    const scheduler = createFrameScheduler(frames);
    const seen: number[] = [];
    for (let i = 0; i < 10; i++) scheduler.schedule(() => seen.push(i), false);
    expect(seen).toEqual([]);
    expect(frames.waiting).toBe(1);
    frames.tick();
    expect(seen).toEqual([9]);
    frames.tick();
    expect(seen).toEqual([9]);
  });

  it('runs urgent work at once and drops the frame it replaces', () => {
    const frames = manualFrames();
    const scheduler = createFrameScheduler(frames);
    const seen: string[] = [];
    scheduler.schedule(() => seen.push('token'), false);
    scheduler.schedule(() => seen.push('final'), true);
    expect(seen).toEqual(['final']);
    expect(frames.waiting).toBe(0);
  });

  it('cancel drops pending work', () => {
    const frames = manualFrames();
    const scheduler = createFrameScheduler(frames);
    const seen: number[] = [];
    scheduler.schedule(() => seen.push(1), false);
    scheduler.cancel();
    frames.tick();
    expect(seen).toEqual([]);
  });

  it('with a numeric cadence flushes at most once per interval', () => {
    vi.useFakeTimers();
    const scheduler = createFrameScheduler({ cadence: 100 });
    const seen: number[] = [];
    scheduler.schedule(() => seen.push(1), false);
    vi.advanceTimersByTime(0);
    expect(seen).toEqual([1]);
    scheduler.schedule(() => seen.push(2), false);
    scheduler.schedule(() => seen.push(3), false);
    vi.advanceTimersByTime(50);
    expect(seen).toEqual([1]);
    vi.advanceTimersByTime(50);
    expect(seen).toEqual([1, 3]);
  });

  it('falls back to requestAnimationFrame by default', async () => {
    const scheduler = createFrameScheduler();
    const seen: number[] = [];
    scheduler.schedule(() => seen.push(1), false);
    await new Promise((resolve) => requestAnimationFrame(() => resolve(undefined)));
    expect(seen).toEqual([1]);
  });

  it('rejects a cadence that is not a frame or a duration', () => {
    expect(() => createFrameScheduler({ cadence: -1 })).toThrow(RangeError);
    expect(() => createFrameScheduler({ cadence: Number.NaN })).toThrow(RangeError);
  });
});
