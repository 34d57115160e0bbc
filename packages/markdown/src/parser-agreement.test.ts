import MarkdownIt from 'markdown-it';
import { describe, expect, it } from 'vitest';
import { answers } from '../test/corpus.js';
import { useGfmAutolinks } from './autolink-literals.js';
import { createStreamingMarkdown } from './streaming-markdown.js';
import type { MarkdownNode } from './tree.js';

// The completed streaming render, written out as HTML the way markdown-it writes it, must equal
// markdown-it's own rendering of the whole text.
const escapeHtml = (s: string) =>
  s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');

function toHtml(nodes: readonly MarkdownNode[]): string {
  let out = '';
  for (const node of nodes) {
    if (node.type === 'text') {
      out += escapeHtml(node.value);
      continue;
    }
    const p = node.properties;
    const inner = () => toHtml(node.children);
    switch (node.tagName) {
      case 'pre':
        out += `<pre><code${p.language ? ` class="language-${escapeHtml(p.language)}"` : ''}>${inner()}</code></pre>`;
        break;
      case 'a':
        out += `<a href="${escapeHtml(p.href!)}"${p.title ? ` title="${escapeHtml(p.title)}"` : ''}>${inner()}</a>`;
        break;
      case 'del':
        out += `<s>${inner()}</s>`;
        break;
      case 'hr':
      case 'br':
        out += `<${node.tagName}>`;
        break;
      case 'ol':
        out += `<ol${p.start !== undefined ? ` start="${p.start}"` : ''}>${inner()}</ol>`;
        break;
      case 'li': {
        const box = p.checked === undefined ? '' : p.checked ? '[x] ' : '[ ] ';
        out += `<li>${box}${inner()}</li>`;
        break;
      }
      case 'th':
      case 'td':
        out += `<${node.tagName}${p.align ? ` style="text-align:${p.align}"` : ''}>${inner()}</${node.tagName}>`;
        break;
      default:
        out += `<${node.tagName}>${inner()}</${node.tagName}>`;
    }
  }
  return out;
}

const normalize = (html: string) => html.replace(/>\n+/g, '>').replace(/\n+</g, '<').trim();
// markdown-it with the same autolink rules as ours (GFM's, in place of linkify-it).
const reference = new MarkdownIt({ html: false });
useGfmAutolinks(reference);
// The tree carries each link resolved (what the browser follows), so the reference's are resolved too.
const resolveHrefs = (html: string) =>
  html.replace(
    /href="([^"]*)"/g,
    (_, href: string) => `href="${escapeHtml(new URL(href.replace(/&amp;/g, '&')).href)}"`,
  );

describe('agreement with markdown-it', () => {
  it.each(Object.entries(answers).filter(([name]) => name !== 'footnotes'))(
    'the completed render of "%s" is markdown-it’s own output',
    (_name, text) => {
      const doc = createStreamingMarkdown();
      for (let end = 1; end < text.length; end += 7) doc.update(text.slice(0, end));
      const snapshot = doc.update(text, { complete: true });
      expect(normalize(toHtml(snapshot.blocks.flatMap((b) => b.nodes)))).toBe(
        normalize(resolveHrefs(reference.render(text))),
      );
    },
  );
});
