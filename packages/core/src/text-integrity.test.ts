import { describe, expect, it } from 'vitest';
import { matchesExpected, readExpectedText, textChecksum, textProof } from './text-integrity.js';

describe('text integrity', () => {
  it('is FNV-1a over UTF-16 code units (published test vectors for ASCII)', () => {
    expect(textChecksum('')).toBe('811c9dc5');
    expect(textChecksum('a')).toBe('e40c292c');
    expect(textChecksum('foobar')).toBe('bf9cf968');
  });

  it('tells texts apart that differ by one character, and by order', () => {
    expect(textChecksum('alpha beta ')).not.toBe(textChecksum('alpha beta'));
    expect(textChecksum('ab')).not.toBe(textChecksum('ba'));
    expect(textChecksum('👋')).toHaveLength(8);
  });

  it('reads the proof back and checks a text against it', () => {
    const expected = readExpectedText({ status: 'complete', ...textProof('wörld 👋') });
    expect(expected).toEqual({ length: 8, checksum: textChecksum('wörld 👋') });
    expect(matchesExpected('wörld 👋', expected!)).toBe(true);
    expect(matchesExpected('wörld 👋 ', expected!)).toBe(false);
    expect(matchesExpected('wörld 🙂', expected!)).toBe(false);
  });

  it('ignores a missing or malformed proof (older agents, foreign publishers)', () => {
    expect(readExpectedText(undefined)).toBeUndefined();
    expect(readExpectedText({ status: 'complete' })).toBeUndefined();
    expect(readExpectedText({ textLength: '-1' })).toBeUndefined();
    expect(readExpectedText({ textLength: '1e3' })).toBeUndefined();
    expect(readExpectedText({ textLength: '3', textChecksum: 'not-hex' })).toEqual({ length: 3, checksum: undefined });
  });
});
