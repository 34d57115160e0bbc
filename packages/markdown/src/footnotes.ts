import type { MarkdownBlock } from './streaming-markdown.js';
import type { MarkdownElement, MarkdownNode } from './tree.js';

/**
 * Add the labels of the footnotes used in `nodes` to `refs`, and the definitions written there to `defs`.
 *
 * @example
 * ```ts
 * const refs: string[] = [];
 * collectFootnoteInfo(parseMarkdown('See [^a].\n\n[^a]: A.'), refs, []); // refs: ['a']
 * ```
 */
export function collectFootnoteInfo(nodes: readonly MarkdownNode[], refs: string[], defs: MarkdownElement[]): void {
  for (const node of nodes) {
    if (node.type !== 'element') continue;
    if (node.tagName === 'footnote-ref') refs.push(node.properties.label!);
    else if (node.tagName === 'footnote-def') defs.push(node);
    collectFootnoteInfo(node.children, refs, defs);
  }
}

/** Footnotes of a document, in the order a reader meets them, numbered from 1. */
export interface FootnoteList {
  /** Label to number, for the references. */
  readonly numbers: ReadonlyMap<string, number>;
  /** Definitions that are used, in number order. */
  readonly definitions: readonly MarkdownElement[];
}

/**
 * Number a document's footnotes by first use and gather the used definitions, as GitHub does.
 * References to footnotes that are not defined are not numbered.
 *
 * @example
 * ```ts
 * const { numbers, definitions } = collectFootnotes(snapshot.blocks);
 * ```
 */
export function collectFootnotes(blocks: readonly MarkdownBlock[]): FootnoteList {
  const defined = new Map<string, MarkdownElement>();
  for (const block of blocks) {
    for (const def of block.footnoteDefs)
      if (!defined.has(def.properties.label!)) defined.set(def.properties.label!, def);
  }
  const numbers = new Map<string, number>();
  const definitions: MarkdownElement[] = [];
  for (const block of blocks) {
    for (const label of block.footnoteRefs) {
      const def = defined.get(label);
      if (!def || numbers.has(label)) continue;
      numbers.set(label, numbers.size + 1);
      definitions.push(def);
    }
  }
  return { numbers, definitions };
}
