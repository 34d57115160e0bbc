import { afterEach, describe, expect, it, vi } from 'vitest';
import { createImmediateScheduler, createIntervalScheduler, createMicrotaskScheduler } from './schedulers.js';

afterEach(() => {
  vi.useRealTimers();
});

describe('schedulers', () => {
  it('microtask: coalesces calls into one flush, and cancel drops it', async () => {
    const scheduler = createMicrotaskScheduler();
    const flush = vi.fn();
    scheduler.schedule(flush, false);
    scheduler.schedule(flush, true);
    expect(flush).not.toHaveBeenCalled();
    await Promise.resolve();
    expect(flush).toHaveBeenCalledTimes(1);
    scheduler.schedule(flush, false);
    scheduler.cancel();
    await Promise.resolve();
    expect(flush).toHaveBeenCalledTimes(1);
    scheduler.schedule(flush, false);
    await Promise.resolve();
    expect(flush).toHaveBeenCalledTimes(2);
  });

  it('immediate: flushes synchronously', () => {
    const flush = vi.fn();
    createImmediateScheduler().schedule(flush, false);
    expect(flush).toHaveBeenCalledTimes(1);
  });

  it('interval: at most one flush per interval, urgent ones at once', () => {
    vi.useFakeTimers();
    const scheduler = createIntervalScheduler(50);
    const flush = vi.fn();
    scheduler.schedule(flush, false);
    scheduler.schedule(flush, false);
    vi.advanceTimersByTime(49);
    expect(flush).not.toHaveBeenCalled();
    vi.advanceTimersByTime(1);
    expect(flush).toHaveBeenCalledTimes(1);
    scheduler.schedule(flush, false);
    scheduler.schedule(flush, true);
    expect(flush).toHaveBeenCalledTimes(2);
    vi.advanceTimersByTime(100);
    expect(flush).toHaveBeenCalledTimes(2);
    scheduler.schedule(flush, false);
    scheduler.cancel();
    vi.advanceTimersByTime(100);
    expect(flush).toHaveBeenCalledTimes(2);
  });
});
