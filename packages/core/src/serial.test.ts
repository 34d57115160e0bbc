import { describe, expect, it } from 'vitest';
import { compareSerials } from './serial.js';
import { isTerminalStatus } from './wire.js';

describe('compareSerials', () => {
  it('orders serials lexicographically', () => {
    const serials = ['01826232498871-001@a:010', '01826232498871-001@a:002', '01826232498870-005@a:001'];
    expect([...serials].sort(compareSerials)).toEqual([
      '01826232498870-005@a:001',
      '01826232498871-001@a:002',
      '01826232498871-001@a:010',
    ]);
    expect(compareSerials('x', 'x')).toBe(0);
  });
});

describe('isTerminalStatus', () => {
  it('accepts only the wire convention statuses', () => {
    expect(isTerminalStatus('complete')).toBe(true);
    expect(isTerminalStatus('cancelled')).toBe(true);
    expect(isTerminalStatus('streaming')).toBe(false);
    expect(isTerminalStatus(3)).toBe(false);
  });
});
