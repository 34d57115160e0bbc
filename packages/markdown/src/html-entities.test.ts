import { characterEntities } from 'character-entities';
import { decodeHTMLStrict as referenceDecode } from 'entities';
import { describe, expect, it } from 'vitest';
import { normalizeSpecHtml, specHtml } from '../test/spec-html.js';
import { decodeHTMLStrict } from './html-entities.js';
import { parseMarkdown } from './streaming-markdown.js';

const names = Object.keys(characterEntities);

describe('named character references', () => {
  it('decode every HTML name as the entities package does', () => {
    expect(names.length).toBeGreaterThan(2000);
    const differing = names.filter((name) => decodeHTMLStrict(`&${name};`) !== referenceDecode(`&${name};`));
    expect(differing).toEqual([]);
  });

  it('leave a name that is only a legacy prefix, an unknown name or anything else as written', () => {
    for (const text of ['&notit;', '&ampx;', '&nosuchname;', '&#zz;', '&copy', 'copy;', '&<b>;']) {
      expect(decodeHTMLStrict(text)).toBe(text);
    }
  });

  it('reach markdown text, link titles and fence info strings', () => {
    expect(normalizeSpecHtml(specHtml(parseMarkdown('&copy; &notit; [a](https://x.example "&quot;t&quot;")')))).toBe(
      '<p>© &amp;notit; <a href="https://x.example/" title="&quot;t&quot;">a</a></p>',
    );
  });
});
