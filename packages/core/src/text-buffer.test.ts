import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { TextBuffer } from './text-buffer.js';

describe('TextBuffer', () => {
  it('equals plain concatenation for any appends, resets and reads in between', () => {
    fc.assert(
      fc.property(
        fc.array(
          fc.oneof(
            fc.record({ append: fc.string({ maxLength: 4 }) }),
            fc.record({ reset: fc.string({ maxLength: 8 }) }),
            fc.constant({ read: true }),
          ),
          { maxLength: 3000 },
        ),
        (operations) => {
          const buffer = new TextBuffer();
          let expected = '';
          for (const operation of operations) {
            if ('append' in operation) {
              buffer.append(operation.append);
              expected += operation.append;
            } else if ('reset' in operation) {
              buffer.reset(operation.reset);
              expected = operation.reset;
            } else {
              expect(buffer.toString()).toBe(expected);
            }
            expect(buffer.length).toBe(expected.length);
          }
          expect(buffer.toString()).toBe(expected);
        },
      ),
      { numRuns: 200 },
    );
  });

  it('returns the same string until something is appended', () => {
    const buffer = new TextBuffer('ab');
    const first = buffer.toString();
    expect(buffer.toString()).toBe(first);
    buffer.append('');
    expect(buffer.toString()).toBe('ab');
    buffer.append('c');
    expect(buffer.toString()).toBe('abc');
  });
});
