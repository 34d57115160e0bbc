import { describe, expect, it } from 'vitest';
import { isAllowedLink } from './url-policy.js';

describe('isAllowedLink', () => {
  it('allows http, https and mailto', () => {
    expect(isAllowedLink('https://example.com/a')).toBe(true);
    expect(isAllowedLink('mailto:a@example.com')).toBe(true);
  });
  it('rejects scripts, obfuscated schemes and protocol-relative URLs', () => {
    for (const href of [
      'javascript:alert(1)',
      'JaVaScRiPt:alert(1)',
      'java\tscript:alert(1)',
      '//evil.example',
      'data:text/html,x',
      'vbscript:x',
    ]) {
      expect(isAllowedLink(href), href).toBe(false);
    }
  });
});
