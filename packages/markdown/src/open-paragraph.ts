import { collectFootnoteInfo } from './footnotes.js';
import type { OpenBlock, OpenBlockDeps, RenderedOpenBlock } from './open-block.js';
import { closesEveryDelimiter, type ParseEnv } from './parser.js';
import { PENDING_MARK } from './pending.js';
import { scanInline } from './scan-inline.js';
import type { MarkdownElement, MarkdownNode } from './tree.js';

// A long open paragraph is split at a safe point: a space after which nothing written before can
// change any more (no code span, emphasis, link bracket or link target is open there, and none
// can be closed by later text). What comes before the point is converted once and kept; every
// token renders only the text after it, as a paragraph of its own, and the two are joined.

/**
 * Put in front of the text after the split point, so that its first line reads as the middle of
 * a paragraph (not as a list item or heading) and its first character follows a space, as it
 * does in the whole text. A private-use character no renderer shows; it comes out of the first
 * text node again.
 */
const GUARD = '\uE001 ';
// Try to move the split point only after this much new text (and after twice the text of a try
// that failed), so that looking for it costs a constant per character.
const MIN_STEP = 256;
// Candidate points tried, from the end back, before waiting for more text.
const MAX_TRIES = 6;
// A line that may be a table's delimiter row: it would turn the line before it into a header.
const DELIMITER_LIKE = /^[ \t]*[|:-][|:\- \t]*$/;
const LETTER = /\p{L}/u;
const NO_DEFS: readonly MarkdownElement[] = [];

/**
 * Whether a line starting this way is paragraph text whatever follows: no block (list, heading,
 * quote, fence, definition) starts with a letter.
 *
 * @example
 * ```ts
 * isLetterLine('Sources: see'); // true
 * isLetterLine('- item'); // false
 * ```
 */
export function isLetterLine(line: string): boolean {
  return LETTER.test(line.trimStart()[0] ?? '');
}

/** Nodes of a rendered paragraph without the guard; undefined if it is not one. */
function unguarded(nodes: readonly MarkdownNode[] | undefined): MarkdownNode[] | undefined {
  const p = nodes?.[0];
  if (nodes?.length !== 1 || p?.type !== 'element' || p.tagName !== 'p') return undefined;
  const first = p.children[0];
  if (first?.type !== 'text' || !first.value.startsWith(GUARD)) return undefined;
  const value = first.value.slice(GUARD.length);
  return value ? [{ type: 'text', value }, ...p.children.slice(1)] : p.children.slice(1);
}

/**
 * Whether all that is left of the rendered text after the split point is the guard itself: the
 * repair held the rest back (a marker typed last) and the paragraph's end trimmed the space.
 */
function isOnlyGuard(nodes: readonly MarkdownNode[] | undefined): boolean {
  const p = nodes?.[0];
  if (nodes?.length !== 1 || p?.type !== 'element' || p.tagName !== 'p' || p.children.length !== 1) return false;
  const only = p.children[0]!;
  return only.type === 'text' && only.value === GUARD.trimEnd();
}

/** The kept nodes as the end of a paragraph: the space after the split point is trimmed there. */
function withoutLastSpace(nodes: readonly MarkdownNode[]): MarkdownNode[] {
  const last = nodes[nodes.length - 1];
  if (last?.type !== 'text' || !last.value.endsWith(' ')) return nodes.slice();
  const value = last.value.slice(0, -1);
  return value ? [...nodes.slice(0, -1), { type: 'text', value }] : nodes.slice(0, -1);
}

/** `a` followed by `b`, with the text nodes where they meet made one (as the converter does). */
function join(a: readonly MarkdownNode[], b: readonly MarkdownNode[]): MarkdownNode[] {
  const last = a[a.length - 1];
  const first = b[0];
  if (last?.type !== 'text' || first?.type !== 'text') return a.concat(b);
  const joined = a.slice(0, -1);
  joined.push({ type: 'text', value: last.value + first.value }, ...b.slice(1));
  return joined;
}

/** Whether nothing in `seg` (which ends with a space) is left open for later text to close. */
function settles(seg: string, env: ParseEnv): boolean {
  if (seg.includes(PENDING_MARK) || seg.includes(GUARD[0]!)) return false;
  const scan = scanInline(seg, true);
  if (scan.removals.length > 0 || scan.openers.length > 0 || scan.pendingLink) return false;
  return closesEveryDelimiter(seg, env);
}

/**
 * An open paragraph, kept up to its last safe split point.
 *
 * @example
 * ```ts
 * const paragraph = new OpenParagraph(tail, deps);
 * paragraph.render(tail + token)?.nodes; // [{ tagName: 'p', ... }], or undefined: parse it whole
 * ```
 */
export class OpenParagraph implements OpenBlock {
  private kept = '';
  private nodes: MarkdownNode[] = [];
  private readonly refs: string[] = [];
  /** The kept text ends inside a line that starts with a letter (so it is paragraph text). */
  private keptLineIsText: boolean;
  private nextTry = MIN_STEP;

  constructor(
    tail: string,
    private readonly deps: OpenBlockDeps,
  ) {
    this.keptLineIsText = isLetterLine(tail);
  }

  render(tail: string): RenderedOpenBlock | undefined {
    if (tail.length < this.kept.length || tail.slice(0, this.kept.length) !== this.kept) return undefined;
    let rest = tail.slice(this.kept.length);
    if (/[\r\0]/.test(rest)) return undefined;
    // The line after the first may be a delimiter row: the first line's whole text decides.
    const second = rest.indexOf('\n') + 1;
    const secondEnd = rest.indexOf('\n', second);
    if (second > 0 && DELIMITER_LIKE.test(rest.slice(second, secondEnd < 0 ? rest.length : secondEnd)))
      return undefined;
    if (rest.length >= this.nextTry) rest = this.advance(rest);
    const rendered = this.deps.renderPiece(GUARD + rest)?.nodes;
    const nodes = unguarded(rendered);
    let children: MarkdownNode[];
    if (nodes) children = join(this.nodes, nodes);
    else if (isOnlyGuard(rendered)) children = withoutLastSpace(this.nodes);
    else return undefined;
    const footnoteRefs = this.refs.slice();
    collectFootnoteInfo(nodes ?? [], footnoteRefs, []);
    const p: MarkdownElement = { type: 'element', tagName: 'p', properties: {}, children };
    return { nodes: [p], footnoteRefs, footnoteDefs: NO_DEFS };
  }

  /** Move the split point to one of the last safe spaces of `rest`, if there is one; returns what is left. */
  private advance(rest: string): string {
    // While no point is safe (an open code span, say) try again only after the text grew by half.
    this.nextTry = Math.max(MIN_STEP, Math.ceil(rest.length * 1.5));
    // The last word may still grow, so the point is before it; a space next to other whitespace
    // could be part of a hard break or of indentation.
    let at = rest.length - 1;
    for (let tries = 0; tries < MAX_TRIES; tries++) {
      at = rest.lastIndexOf(' ', at - 1);
      while (at > 0 && (/\s/.test(rest[at - 1]!) || /\s/.test(rest[at + 1]!))) at = rest.lastIndexOf(' ', at - 1);
      if (at <= 0) return rest;
      const lineStart = rest.lastIndexOf('\n', at) + 1;
      if (lineStart === 0 ? !this.keptLineIsText : !isLetterLine(rest.slice(lineStart))) continue;
      const seg = rest.slice(0, at + 1);
      if (!settles(seg, this.deps.env())) continue;
      // Not repaired: what ends the piece is not the end of the text (`[a]` is not typed last).
      const rendered = unguarded(this.deps.renderPiece(GUARD + seg, false)?.nodes);
      if (!rendered) return rest;
      // The paragraph ends at its last non-space character, so the space is given back here.
      const segNodes = join(rendered, [{ type: 'text', value: ' ' }]);
      collectFootnoteInfo(segNodes, this.refs, []);
      this.nodes = join(this.nodes, segNodes);
      this.kept += seg;
      this.keptLineIsText = true;
      this.nextTry = MIN_STEP;
      return rest.slice(seg.length);
    }
    return rest;
  }
}
