import { describe, expect, it } from 'vitest';
import { isAllowedImage, isAllowedLink } from './url-policy.js';

describe('isAllowedLink', () => {
  it('allows http, https and mailto', () => {
    expect(isAllowedLink('https://example.com/a')).toBe(true);
    expect(isAllowedLink('http://example.com/a')).toBe(true);
    expect(isAllowedLink('mailto:a@example.com')).toBe(true);
  });
  it('rejects scripts, obfuscated schemes, relative and protocol-relative URLs', () => {
    for (const href of [
      'javascript:alert(1)',
      'JaVaScRiPt:alert(1)',
      'java\tscript:alert(1)',
      'java\u0000script:alert(1)',
      ' javascript:alert(1)',
      '\u200bjavascript:alert(1)',
      '//evil.example',
      '\\\\evil.example',
      '/\\evil.example',
      'data:text/html,x',
      'vbscript:x',
      'file:///etc/passwd',
      'ftp://example.com',
      '/relative',
      '#fragment',
      '',
    ]) {
      expect(isAllowedLink(href), href).toBe(false);
    }
  });
  it('takes a configured protocol list', () => {
    expect(isAllowedLink('ftp://example.com', ['ftp:'])).toBe(true);
    expect(isAllowedLink('https://example.com', ['ftp:'])).toBe(false);
  });
});

describe('isAllowedImage', () => {
  it('blocks every image by default', () => {
    expect(isAllowedImage('https://evil.example/?q=secret')).toBe(false);
    expect(isAllowedImage('https://images.example/a.png')).toBe(false);
  });
  it('allows only the configured origins, over http(s)', () => {
    const origins = ['https://images.example'];
    expect(isAllowedImage('https://images.example/a.png', origins)).toBe(true);
    expect(isAllowedImage('https://images.example.evil.example/a.png', origins)).toBe(false);
    expect(isAllowedImage('http://images.example/a.png', origins)).toBe(false);
    expect(isAllowedImage('//images.example/a.png', origins)).toBe(false);
    expect(isAllowedImage('/a.png', origins)).toBe(false);
    expect(isAllowedImage('data:image/png;base64,AAAA', origins)).toBe(false);
  });
});
