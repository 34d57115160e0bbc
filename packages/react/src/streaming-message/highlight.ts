// Loaded with a dynamic import the first time a closed code fence needs highlighting, so the
// grammars never weigh on the initial bundle.
import { common, createLowlight } from 'lowlight';

const lowlight = createLowlight(common);

/** A highlighted node: a span with classes, or text. */
export type HighlightNode =
  | { readonly type: 'text'; readonly value: string }
  | { readonly type: 'span'; readonly className: string; readonly children: readonly HighlightNode[] };

interface HastLike {
  type: string;
  value?: string;
  properties?: { className?: unknown };
  children?: HastLike[];
}

function convert(nodes: readonly HastLike[]): HighlightNode[] {
  const out: HighlightNode[] = [];
  for (const node of nodes) {
    if (node.type === 'text') out.push({ type: 'text', value: node.value ?? '' });
    else if (node.type === 'element') {
      const className = Array.isArray(node.properties?.className) ? node.properties.className.join(' ') : '';
      out.push({ type: 'span', className, children: convert(node.children ?? []) });
    }
  }
  return out;
}

/** Highlight `code` as `language`; undefined when the language is not known. */
export function highlight(code: string, language: string): HighlightNode[] | undefined {
  const name = language.toLowerCase();
  if (!lowlight.registered(name)) return undefined;
  return convert(lowlight.highlight(name, code).children as HastLike[]);
}
