import { describe, expect, it } from 'vitest';
import { createFrameScheduler } from './frame-scheduler.js';

describe('createFrameScheduler', () => {
  it('runs the latest work once per frame', async () => {
    const frame = createFrameScheduler();
    const seen: number[] = [];
    for (let i = 0; i < 10; i++) frame.schedule(() => seen.push(i));
    await new Promise((resolve) => requestAnimationFrame(() => resolve(undefined)));
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(seen).toEqual([9]);
  });
});
