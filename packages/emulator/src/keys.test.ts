import { describe, expect, it } from 'vitest';
import { parseKey } from './keys.js';

describe('parseKey', () => {
  it('splits a key and rejects malformed ones with 40005', () => {
    expect(parseKey('app.key:secret')).toEqual({ keyName: 'app.key', appId: 'app', secret: 'secret' });
    expect(() => parseKey('nope')).toThrow(expect.objectContaining({ code: 40005 }));
  });
});
