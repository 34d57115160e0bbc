import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { createStreamingMarkdown, type MarkdownSnapshot, parseMarkdown } from './streaming-markdown.js';
import type { MarkdownElement, MarkdownNode } from './tree.js';

function* elements(nodes: readonly MarkdownNode[]): Generator<MarkdownElement> {
  for (const node of nodes) {
    if (node.type !== 'element') continue;
    yield node;
    yield* elements(node.children);
  }
}

const textOf = (nodes: readonly MarkdownNode[]): string =>
  nodes.map((node) => (node.type === 'text' ? node.value : textOf(node.children))).join('');

const nodesOf = (snapshot: MarkdownSnapshot) => snapshot.blocks.flatMap((block) => block.nodes);

/** Live links in document order, as `href text` (a link is the same link if both agree). */
const liveLinks = (nodes: readonly MarkdownNode[]) =>
  [...elements(nodes)].filter((e) => e.tagName === 'a').map((e) => `${e.properties.href} ${textOf(e.children)}`);

const pendingTexts = (nodes: readonly MarkdownNode[]) =>
  [...elements(nodes)].filter((e) => e.tagName === 'pending-link').map((e) => textOf(e.children));

function isSubsequence(part: readonly string[], whole: readonly string[]): boolean {
  let at = 0;
  for (const item of part) {
    at = whole.indexOf(item, at);
    if (at < 0) return false;
    at++;
  }
  return true;
}

const word = fc.constantFrom('see', 'the', 'docs', 'Ably', 'resume', 'token', 'x_y', '2 * 3', 'a~b', 'v1.2');
const url = fc
  .tuple(
    fc.constantFrom('https://', 'http://', 'HTTPS://', 'www.'),
    fc.constantFrom('example.com', 'docs.ably.io', 'foo.bar'),
    fc.constantFrom('', '/', '/path', '/a_b', '/x?q=1&r=2', '/(paren)', '/docs#top'),
  )
  .map((parts) => parts.join(''));
const email = fc.constantFrom('support@example.com', 'a.b+c@mail.example', 'hello@mail+xyz.example');
// A URL directly followed by a backtick is left out: see the README's known limits.
const trailing = fc.constantFrom('', '.', ',', ')', '!', '~~', '_', '**');
const link = fc.oneof(
  fc.tuple(url, trailing).map(([u, t]) => `${u}${t}`),
  fc.tuple(email, trailing).map(([e, t]) => `${e}${t}`),
  url.map((u) => `<${u}>`),
  email.map((e) => `<${e}>`),
  fc.tuple(word, url).map(([w, u]) => `[${w}](${u})`),
  fc.tuple(word, url).map(([w, u]) => `[${w} **${w}**](${u} "title")`),
  fc.tuple(word, url).map(([w, u]) => `[${u}](${u}/${w})`),
  fc.constantFrom('[docs][ref]', '[ref]', '[Docs][REF]'),
);
const inline = fc.oneof(word, word, link);
const phrase = fc.array(inline, { minLength: 1, maxLength: 6 }).map((parts) => parts.join(' '));
// A bare URL or email right after an opening `_` or `~~` is left out: see the README's known limits.
const startsBare = (p: string) => /^(https?:\/\/|www\.|[\w.+-]+@)/i.test(p);
const wrapped = fc.oneof(
  phrase,
  phrase.map((p) => `**${p}**`),
  phrase.filter((p) => !startsBare(p)).map((p) => `_${p}_`),
  phrase.filter((p) => !startsBare(p)).map((p) => `~~${p}~~`),
  phrase.map((p) => `\` ${p} \``),
  phrase.map((p) => `*${p}`),
);
const block = fc.oneof(
  fc.array(wrapped, { minLength: 1, maxLength: 4 }).map((parts) => parts.join(' ')),
  wrapped.map((p) => `# ${p}`),
  fc.array(wrapped, { minLength: 1, maxLength: 3 }).map((items) => items.map((i) => `- ${i}`).join('\n')),
  wrapped.map((p) => `> ${p}`),
  fc.tuple(wrapped, wrapped).map(([a, b]) => `| a | b |\n|---|---|\n| ${a} | ${b} |`),
);
const definition = fc.constantFrom('', '\n\n[ref]: https://example.com/docs', '\n\n[ref]: <https://example.com/x> "T"');
const answer = fc
  .tuple(fc.array(block, { minLength: 1, maxLength: 4 }), definition, fc.boolean())
  .map(([blocks, def, newline]) => blocks.join('\n\n') + def + (newline ? '\n' : ''));

describe('links while streaming', () => {
  it('are never live with an href other than the final one, for any answer and chunking (property)', () => {
    fc.assert(
      fc.property(answer, fc.array(fc.integer({ min: 1, max: 12 }), { minLength: 1, maxLength: 20 }), (text, sizes) => {
        const final = liveLinks(parseMarkdown(text));
        const doc = createStreamingMarkdown();
        for (let end = 0, i = 0; end < text.length; i++) {
          end = Math.min(text.length, end + sizes[i % sizes.length]!);
          const live = liveLinks(nodesOf(doc.update(text.slice(0, end))));
          expect(isSubsequence(live, final), `${JSON.stringify(text.slice(0, end))}: ${live} / ${final}`).toBe(true);
        }
        expect(liveLinks(nodesOf(doc.update(text, { complete: true })))).toEqual(final);
      }),
      { numRuns: 200 },
    );
  }, 120_000);

  it('checks every prefix, one character at a time (property)', () => {
    fc.assert(
      fc.property(answer, (text) => {
        const final = liveLinks(parseMarkdown(text));
        const doc = createStreamingMarkdown();
        for (let end = 1; end < text.length; end++) {
          const live = liveLinks(nodesOf(doc.update(text.slice(0, end))));
          expect(isSubsequence(live, final), `${JSON.stringify(text.slice(0, end))}: ${live} / ${final}`).toBe(true);
        }
      }),
      { numRuns: 100 },
    );
  }, 120_000);

  it.each([
    ['a bare URL', 'See https://e', 'https://e'],
    ['an email address', 'Mail support@example.c', 'support@example.c'],
    ['an autolink, without its <', 'Read <https://e', 'https://e'],
    ['a link whose target is arriving', 'See [the docs](https://exa', 'the docs'],
    ['a link whose label is arriving', 'See [the **do', 'the do'],
    ['a link text that may get a target', 'See [the docs]', 'the docs'],
  ])('renders %s as a pending link', (_name, text, pending) => {
    const nodes = parseMarkdown(text, { repair: true });
    expect(liveLinks(nodes)).toEqual([]);
    expect(pendingTexts(nodes)).toEqual([pending]);
    expect(nodesOf(createStreamingMarkdown().update(text))).toEqual(nodes);
  });

  it('makes a bare URL live once a character that ends it arrives', () => {
    expect(liveLinks(parseMarkdown('See https://example.com/x ', { repair: true }))).toEqual([
      'https://example.com/x https://example.com/x',
    ]);
    expect(liveLinks(parseMarkdown('See https://example.com/x\n', { repair: true }))).toHaveLength(1);
  });

  it('never lets a repair closer become part of a URL', () => {
    const cases = [
      ['~~old https://example.com/v', 'del'],
      ['_see https://example.com/x', 'em'],
      ['**a https://foo.bar/', 'strong'],
    ] as const;
    for (const [text, tagName] of cases) {
      const nodes = parseMarkdown(text, { repair: true });
      const wrapper = [...elements(nodes)].find((e) => e.tagName === tagName);
      expect(wrapper, text).toBeDefined();
      expect(pendingTexts(wrapper!.children), text).toEqual([text.slice(text.indexOf('http'))]);
    }
    expect(JSON.stringify(parseMarkdown('__a<https://foo.bar/', { repair: true }))).not.toContain('__');
  });

  it('keeps a reference link pending while definitions can still change, then live', () => {
    const text = 'Read [docs][ref] now.\n\nMore text here.\n\n[ref]: https://example.com/docs\n';
    const doc = createStreamingMarkdown();
    for (let end = 1; end < text.length; end++) {
      const nodes = nodesOf(doc.update(text.slice(0, end)));
      expect(liveLinks(nodes)).toEqual([]);
    }
    const streaming = nodesOf(doc.update(text));
    expect(pendingTexts(streaming)).toEqual(['docs']);
    expect(liveLinks(nodesOf(doc.update(text, { complete: true })))).toEqual(['https://example.com/docs docs']);
  });

  it('re-parses completed blocks once per new definition label and once on completion, however long the URL', () => {
    const body = Array.from({ length: 30 }, (_, i) => `Paragraph ${i} cites [docs][ref${i % 3}].`).join('\n\n');
    const defs = '\n\n[ref0]: https://example.com/a-long-path/to/the/docs\n[ref1]: https://example.com/b\n';
    const text = body + defs;
    const doc = createStreamingMarkdown();
    for (let end = 1; end <= text.length; end++) doc.update(text.slice(0, end));
    doc.update(text, { complete: true });
    const { completedBlocks, completedBlockParses } = doc.counters;
    // Every paragraph uses a definition: each is parsed when completed, again for each of the two
    // labels, and once on completion.
    expect(completedBlockParses).toBeLessThanOrEqual(completedBlocks * 4);
  });
});
