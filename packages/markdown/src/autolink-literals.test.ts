import { describe, expect, it } from 'vitest';
import { normalizeSpecHtml, specHtml } from '../test/spec-html.js';
import { parseMarkdown } from './streaming-markdown.js';

const html = (markdown: string) => normalizeSpecHtml(specHtml(parseMarkdown(markdown)));
const link = (href: string, text = href) => `<a href="${href}">${text}</a>`;

describe('GFM autolink literals', () => {
  it('links URLs with a scheme, local ones included, and leaves bare domains and file names as text', () => {
    expect(html('Open http://localhost:5173/chat now')).toBe(`<p>Open ${link('http://localhost:5173/chat')} now</p>`);
    expect(html('See example.com or README.md')).toBe('<p>See example.com or README.md</p>');
    expect(html('xhttps://example.com')).toBe('<p>xhttps://example.com</p>');
  });

  it('leaves trailing punctuation, an unbalanced parenthesis and an entity-like end outside the link', () => {
    expect(html('(see https://example.com/docs).')).toBe(`<p>(see ${link('https://example.com/docs')}).</p>`);
    expect(html('https://en.example/wiki/Foo_(bar)?')).toBe(`<p>${link('https://en.example/wiki/Foo_(bar)')}?</p>`);
    expect(html('www.example.com/q?a=1&hl;')).toBe(
      `<p>${link('http://www.example.com/q?a=1', 'www.example.com/q?a=1')}&amp;hl;</p>`,
    );
  });

  it('trims a long run of closing parentheses after a link to exactly the unbalanced ones', () => {
    // Model output can repeat a character tens of thousands of times; each one trimmed must not
    // recount the whole link (that made this input take seconds).
    const closing = ')'.repeat(60_000);
    expect(html(`https://a.example/${closing}`)).toBe(`<p>${link('https://a.example/')}${closing}</p>`);
    const pairs = '('.repeat(30_000) + ')'.repeat(30_000);
    expect(html(`https://a.example/${pairs})`)).toBe(`<p>${link(`https://a.example/${pairs}`)})</p>`);
  });

  it('reads a long run of www. inside one invalid domain once, and still links a valid one inside it', () => {
    // Each `_www.` may start a link; all of them end in the same `a_b`, which no domain may end with.
    const run = `${'_www.'.repeat(40_000)}a_b`;
    expect(html(run)).toBe(`<p>${run}</p>`);
    expect(html('x (www.a_www.example y')).toBe(`<p>x (www.a_${link('http://www.example/', 'www.example')} y</p>`);
  });

  it('keeps emphasis characters inside a URL part of it', () => {
    expect(html('https://example.com/*draft*/')).toBe(`<p>${link('https://example.com/*draft*/')}</p>`);
  });

  it('links www. only at a boundary, and not with an underscore in the last two segments', () => {
    expect(html('*www.example.com*')).toBe(`<p><em>${link('http://www.example.com/', 'www.example.com')}</em></p>`);
    expect(html('awww.example.com')).toBe('<p>awww.example.com</p>');
    expect(html('www.a_b.example')).toBe('<p>www.a_b.example</p>');
  });

  it('reads email addresses by GFM’s character rules, with or without mailto:', () => {
    expect(html('Write to *support@example.com*.')).toBe(
      `<p>Write to <em>${link('mailto:support@example.com', 'support@example.com')}</em>.</p>`,
    );
    expect(html('mailto:team@example.com')).toBe(`<p>${link('mailto:team@example.com')}</p>`);
    expect(html('hello@mail+xyz.example and a@b.example-')).toBe('<p>hello@mail+xyz.example and a@b.example-</p>');
  });

  it('does not link a URL inside a link’s text again', () => {
    expect(html('[https://a.example](https://b.example/)')).toBe(
      `<p>${link('https://b.example/', 'https://a.example')}</p>`,
    );
  });

  it('resolves an international host name to its ASCII form', () => {
    expect(html('[shop](http://bücher.example/café)')).toBe(
      `<p>${link('http://xn--bcher-kva.example/caf%C3%A9', 'shop')}</p>`,
    );
  });
});
