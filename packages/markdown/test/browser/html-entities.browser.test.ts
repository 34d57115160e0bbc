import { characterEntities } from 'character-entities';
import { describe, expect, it, vi } from 'vitest';
import { decodeHTMLStrict } from '../../src/html-entities.js';
import { parseMarkdown } from '../../src/streaming-markdown.js';
import { normalizeSpecHtml, specHtml } from '../spec-html.js';

describe('named character references in a browser', () => {
  it('are decoded by the browser’s own HTML parser', () => {
    const innerHtml = vi.spyOn(Element.prototype, 'innerHTML', 'set');
    expect(decodeHTMLStrict('&hearts;')).toBe('♥');
    expect(innerHtml).toHaveBeenCalled();
    innerHtml.mockRestore();
  });

  it('decode every HTML name to the characters of the HTML table', () => {
    const names = Object.keys(characterEntities);
    expect(names.length).toBeGreaterThan(2000);
    const differing = names.filter((name) => decodeHTMLStrict(`&${name};`) !== characterEntities[name]);
    expect(differing).toEqual([]);
  });

  it('leave legacy prefixes, unknown names and markup as written', () => {
    for (const text of ['&notit;', '&ampx;', '&nosuchname;', '&#zz;', '&<img src=x onerror=alert(1)>;']) {
      expect(decodeHTMLStrict(text)).toBe(text);
    }
  });

  it('reach rendered markdown', () => {
    expect(normalizeSpecHtml(specHtml(parseMarkdown('&copy; &notit; www.example.com')))).toBe(
      '<p>© &amp;notit; <a href="http://www.example.com/">www.example.com</a></p>',
    );
  });
});
