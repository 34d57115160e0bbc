import { describe, expect, it } from 'vitest';
import { isAllowedImage, isAllowedLink, resolvedOrigin, resolveImage, resolveLink } from './url-policy.js';

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

describe('resolveLink', () => {
  it('renders the resolved URL, so what was checked is what the browser follows', () => {
    expect(resolveLink('https://example.com')).toBe('https://example.com/');
    expect(resolveLink('HTTPS://Example.COM/a%20b')).toBe('https://example.com/a%20b');
    expect(resolveLink('mailto:a@example.com')).toBe('mailto:a@example.com');
  });

  it('refuses, without a base, every form whose destination depends on the page', () => {
    // On an http page `https:evil.example` goes to evil.example; on an https page it is a path.
    for (const href of ['https:evil.example', 'http:evil.example', 'HTTP:evil.example', 'https:\\evil.example']) {
      expect(resolveLink(href), href).toBeUndefined();
    }
    for (const href of ['//evil.example', '\\\\evil.example', '/\\evil.example', '\\/evil.example', 'docs', '?q=1']) {
      expect(resolveLink(href), href).toBeUndefined();
    }
  });

  it('resolves scheme-relative and backslash forms against the base, then applies the same allowlist', () => {
    const http = { baseUrl: 'http://app.example/chat/1' };
    const https = { baseUrl: 'https://app.example/chat/1' };
    expect(resolveLink('https:evil.example', http)).toBe('https://evil.example/');
    expect(resolveLink('https:evil.example', https)).toBe('https://app.example/chat/evil.example');
    expect(resolveLink('http:evil.example', https)).toBe('http://evil.example/');
    expect(resolveLink('//evil.example/x', https)).toBe('https://evil.example/x');
    expect(resolveLink('\\\\evil.example/x', https)).toBe('https://evil.example/x');
    expect(resolveLink('/\\evil.example', http)).toBe('http://evil.example/');
    expect(resolveLink('/docs', https)).toBe('https://app.example/docs');
    // The allowlist is read from the resolved protocol: a base never makes a script runnable.
    expect(resolveLink('java\tscript:alert(1)', https)).toBeUndefined();
    expect(resolveLink('//evil.example', { baseUrl: 'file:///home/me/page.html' })).toBeUndefined();
    expect(resolveLink('ftp:files.example', { ...https, linkProtocols: ['https:'] })).toBeUndefined();
  });
});

describe('resolveImage', () => {
  const imageOrigins = ['https://images.example'];

  it('compares the resolved origin with the allowed ones', () => {
    const baseUrl = 'https://images.example/page';
    expect(resolveImage('/a.png', { imageOrigins, baseUrl })).toBe('https://images.example/a.png');
    expect(resolveImage('//images.example/a.png', { imageOrigins, baseUrl })).toBe('https://images.example/a.png');
    expect(resolveImage('https:a.png', { imageOrigins, baseUrl })).toBe('https://images.example/a.png');
    // On an http page the same text leaves for another host: its resolved origin is not allowed.
    expect(resolveImage('https:evil.example/a.png', { imageOrigins, baseUrl: 'http://app.example/' })).toBeUndefined();
    expect(resolveImage('\\\\evil.example/a.png', { imageOrigins, baseUrl })).toBeUndefined();
    expect(resolveImage('//images.example/a.png', { imageOrigins })).toBeUndefined();
  });

  it('names the resolved origin of a refused image', () => {
    expect(resolvedOrigin('https://evil.example/x.png')).toBe('https://evil.example');
    expect(resolvedOrigin('//evil.example/x.png', 'http://app.example/')).toBe('http://evil.example');
    expect(resolvedOrigin('//evil.example/x.png')).toBeUndefined();
  });
});
