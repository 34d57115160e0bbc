import { describe, expect, it } from 'vitest';
import { EarlyCancels } from './early-cancels.js';

describe('early cancels', () => {
  it('apply once to the answer they name, by responseId or (first answer only) by turnId', () => {
    const early = new EarlyCancels();
    early.remember({ responseId: 'r1' }, 'ann');
    early.remember({ turnId: 't2' }, 'ben');
    expect(early.take('r1', 't1', false)).toBe('ann');
    expect(early.take('r1', 't1', false)).toBeUndefined();
    expect(early.take('r9', 't2', true)).toBeUndefined();
    expect(early.take('r2', 't2', false)).toBe('ben');
    early.remember({}, 'nobody');
    expect(early.take('r3', 't3', false)).toBeUndefined();
  });

  it('expire after a minute and keep at most 256', () => {
    let now = 0;
    const early = new EarlyCancels(() => now);
    early.remember({ responseId: 'old' }, 'ann');
    now = 60_001;
    expect(early.take('old', 't', false)).toBeUndefined();
    for (let index = 0; index < 300; index++) early.remember({ responseId: `r${index}` }, 'flood');
    expect(early.take('r0', 't', false)).toBeUndefined();
    expect(early.take('r299', 't', false)).toBe('flood');
    expect(early.take('r44', 't', false)).toBe('flood');
  });
});
