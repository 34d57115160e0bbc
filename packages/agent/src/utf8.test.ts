import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { anyText } from './test-utils/arbitraries.js';
import { utf8ByteLength } from './utf8.js';

describe('utf8ByteLength', () => {
  it('matches an encoder for any string, lone surrogates included', () => {
    fc.assert(
      fc.property(anyText(40), (text) => {
        expect(utf8ByteLength(text)).toBe(new TextEncoder().encode(text).length);
      }),
    );
  });

  it('counts each width', () => {
    expect(utf8ByteLength('a')).toBe(1);
    expect(utf8ByteLength('é')).toBe(2);
    expect(utf8ByteLength('€')).toBe(3);
    expect(utf8ByteLength('👋')).toBe(4);
    expect(utf8ByteLength('\ud83d')).toBe(3);
  });
});
