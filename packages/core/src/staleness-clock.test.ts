import { afterEach, describe, expect, it } from 'vitest';
import { createStalenessClock } from './staleness-clock.js';

const clocks: ReturnType<typeof createStalenessClock>[] = [];
afterEach(() => {
  for (const clock of clocks.splice(0)) clock.dispose();
});

function makeClock(local: { now: number }) {
  const clock = createStalenessClock({
    staleAfterMs: 30_000,
    now: () => local.now,
    earliestActivity: () => undefined,
    sweep: () => undefined,
  });
  clocks.push(clock);
  return clock;
}

const HOUR = 60 * 60 * 1000;

describe('the staleness clock', () => {
  it('follows the server when it is ahead by seconds', () => {
    const local = { now: 1_000_000 };
    const clock = makeClock(local);
    clock.observe(1_020_000);
    expect(clock.serverNow()).toBe(1_020_000);
    local.now += 500;
    expect(clock.serverNow()).toBe(1_020_500);
  });

  it('ignores one forged timestamp hours ahead among the channel traffic', () => {
    const local = { now: 1_000_000 };
    const clock = makeClock(local);
    clock.observe(1_000_000);
    expect(clock.observe(1_000_000 + 23 * HOUR)).toBe(1_000_000);
    clock.observe(1_000_100);
    clock.observe(1_000_000 + 23 * HOUR);
    clock.observe(1_000_200);
    expect(clock.serverNow()).toBe(1_000_200);
  });

  it('takes a jump that three messages in a row agree on (a client clock minutes off)', () => {
    const local = { now: 1_000_000 };
    const clock = makeClock(local);
    const ahead = 1_000_000 + 10 * 60 * 1000;
    clock.observe(ahead);
    clock.observe(ahead + 1_000);
    expect(clock.serverNow()).toBe(1_000_000);
    clock.observe(ahead + 2_000);
    expect(clock.serverNow()).toBe(ahead + 2_000);
  });
});
