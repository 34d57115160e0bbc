import type { MarkdownNode } from '../src/tree.js';

/** The page the spec examples are rendered on: relative links and images resolve against it. */
export const SPEC_BASE = 'https://spec.example/doc/';

const escapeHtml = (s: string) =>
  s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');

function attributes(pairs: ReadonlyArray<readonly [string, string | undefined]>): string {
  return pairs
    .filter(([, value]) => value !== undefined)
    .map(([name, value]) => ` ${name}="${escapeHtml(value!)}"`)
    .join('');
}

/**
 * Write tree nodes as HTML the way the CommonMark and GFM specs write their expected output, so the
 * two can be compared after {@link normalizeSpecHtml}.
 *
 * @example
 * ```ts
 * specHtml(parseMarkdown('*a*')); // '<p><em>a</em></p>'
 * ```
 */
export function specHtml(nodes: readonly MarkdownNode[]): string {
  let out = '';
  for (const node of nodes) {
    if (node.type === 'text') {
      out += escapeHtml(node.value);
      continue;
    }
    const p = node.properties;
    const inner = () => specHtml(node.children);
    switch (node.tagName) {
      case 'pre':
        out += `<pre><code${p.language ? ` class="language-${escapeHtml(p.language)}"` : ''}>${inner()}</code></pre>`;
        break;
      case 'a':
        out += `<a${attributes([
          ['href', p.href],
          ['title', p.title],
        ])}>${inner()}</a>`;
        break;
      case 'img':
        out += `<img${attributes([
          ['src', p.src],
          ['alt', p.alt],
          ['title', p.title],
        ])}>`;
        break;
      case 'blocked-image':
        out += `<blocked-image${attributes([['alt', p.alt]])}>`;
        break;
      case 'hr':
      case 'br':
        out += `<${node.tagName}>`;
        break;
      case 'ol':
        out += `<ol${p.start !== undefined ? ` start="${p.start}"` : ''}>${inner()}</ol>`;
        break;
      case 'li': {
        const box =
          p.checked === undefined ? '' : `<input${p.checked ? ' checked=""' : ''} disabled="" type="checkbox"> `;
        out += `<li>${box}${inner()}</li>`;
        break;
      }
      case 'th':
      case 'td':
        out += `<${node.tagName}${p.align ? ` align="${p.align}"` : ''}>${inner()}</${node.tagName}>`;
        break;
      default:
        out += `<${node.tagName}>${inner()}</${node.tagName}>`;
    }
  }
  return out;
}

const decodeAttribute = (s: string) =>
  s
    .replace(/&quot;/g, '"')
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&amp;/g, '&');

function resolveAttribute(value: string): string {
  try {
    return escapeHtml(new URL(decodeAttribute(value), SPEC_BASE).href);
  } catch {
    return value;
  }
}

/**
 * Bring spec HTML and ours to one form: void elements without the slash, no line breaks between
 * tags, and link and image targets resolved against {@link SPEC_BASE} (the tree holds resolved URLs).
 *
 * @example
 * ```ts
 * normalizeSpecHtml('<p><a href="/u">a</a></p>\n<hr />'); // '<p><a href="https://spec.example/u">a</a></p><hr>'
 * ```
 */
export function normalizeSpecHtml(html: string): string {
  return html
    .replace(/\s*\/>/g, '>')
    .replace(/ (href|src)="([^"]*)"/g, (_, name: string, value: string) => ` ${name}="${resolveAttribute(value)}"`)
    .replace(/>\n+/g, '>')
    .replace(/\n+</g, '<')
    .trim();
}
