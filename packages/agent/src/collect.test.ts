import { describe, expect, it } from 'vitest';
import { collectText } from './collect.js';

describe('collectText', () => {
  it('concatenates chunks and rejects non-strings', async () => {
    async function* good() {
      yield 'Hel';
      yield 'lo';
    }
    expect(await collectText(good())).toBe('Hello');
    async function* bad() {
      yield 'a';
      yield 1 as unknown as string;
    }
    await expect(collectText(bad())).rejects.toThrow(/strings/);
  });
});
