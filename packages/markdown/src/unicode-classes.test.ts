import * as ucMicro from 'uc.micro';
import { describe, expect, it } from 'vitest';
import * as ours from './unicode-classes.js';

describe('Unicode classes for markdown-it', () => {
  it('call the same code points punctuation or symbols as uc.micro, over all of Unicode', () => {
    const differing: number[] = [];
    for (let code = 0; code <= 0x10ffff; code++) {
      if (code >= 0xd800 && code <= 0xdfff) continue;
      const char = String.fromCodePoint(code);
      const theirs = ucMicro.P.test(char) || ucMicro.S.test(char);
      if ((ours.P.test(char) || ours.S.test(char)) !== theirs) differing.push(code);
    }
    expect(differing).toEqual([]);
  });

  it('match the separators, controls and format characters uc.micro matches in the Basic Multilingual Plane', () => {
    const pairs = [
      ['Z', ours.Z, ucMicro.Z],
      ['Cc', ours.Cc, ucMicro.Cc],
      ['Cf', ours.Cf, ucMicro.Cf],
    ] as const;
    for (const [name, mine, theirs] of pairs) {
      const differing: number[] = [];
      for (let code = 0; code <= 0xffff; code++) {
        const char = String.fromCharCode(code);
        if (mine.test(char) !== theirs.test(char)) differing.push(code);
      }
      expect(differing, name).toEqual([]);
    }
  });

  it('match any code point, lone surrogates included, as uc.micro’s Any does', () => {
    for (const char of ['a', '\ud800', '\udfff', '😀', '\u{10ffff}', '\0']) {
      expect(ours.Any.exec(char)?.[0], JSON.stringify(char)).toBe(ucMicro.Any.exec(char)?.[0]);
    }
  });
});
