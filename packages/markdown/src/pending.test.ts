import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { growingLinkStart } from './pending.js';

/** The rule as one regular expression (clear, but quadratic in a long word): the reference. */
function byRegExp(line: string): number | undefined {
  const wordStart = line.search(/\S*$/);
  if (wordStart === line.length) return undefined;
  const word = line.slice(wordStart);
  const start = /<(?=[a-z][a-z0-9+.-]*:|[^\s<>@]+@)|[a-z][a-z0-9+.-]*:\/\/|www\.|mailto:|[a-z0-9._+-]+@/gi;
  for (let match = start.exec(word); match; match = start.exec(word)) {
    const before = match.index > 0 ? word[match.index - 1]! : ' ';
    if (!/[a-z0-9]/i.test(before) || match[0] === '<') return wordStart + match.index;
    start.lastIndex = match.index + 1;
  }
  return undefined;
}

const pieces = [
  'a',
  'Z',
  '7',
  '.',
  '+',
  '-',
  '_',
  '@',
  '<',
  '>',
  ':',
  '/',
  '//',
  'www.',
  'WWW.',
  'mailto:',
  'http',
  ' ',
  '\n',
  'é',
];

describe('growingLinkStart', () => {
  it('finds where a link-like last word starts', () => {
    expect(growingLinkStart('See https://exa')).toBe(4);
    expect(growingLinkStart('See the docs')).toBeUndefined();
    expect(growingLinkStart('Mail (ops+ai@exa')).toBe(6);
    expect(growingLinkStart('x 9https://a')).toBeUndefined();
    expect(growingLinkStart('go <https://a')).toBe(3);
    expect(growingLinkStart('at WWW.exa')).toBe(3);
  });

  it('agrees with the rule written as one regular expression', () => {
    fc.assert(
      fc.property(fc.array(fc.constantFrom(...pieces), { maxLength: 24 }), (parts) => {
        const line = parts.join('');
        expect(growingLinkStart(line)).toBe(byRegExp(line));
      }),
      { numRuns: 20_000 },
    );
  });

  it('reads a long word of repeated characters whole', () => {
    // Each of these made the regular expression read the rest of the word from every position.
    expect(growingLinkStart(`x ${'_a'.repeat(50_000)}`)).toBeUndefined();
    expect(growingLinkStart(`x ${'a.'.repeat(50_000)}//`)).toBeUndefined();
    expect(growingLinkStart(`x ${'a.'.repeat(50_000)}@b`)).toBe(2);
  });
});
