import { collectFootnoteInfo } from './footnotes.js';
import { isLetterLine, OpenParagraph } from './open-paragraph.js';
import { fenceIsOpen, type ParseEnv, type Token } from './parser.js';
import type { MarkdownElement, MarkdownNode } from './tree.js';

// One huge block that stays open (a long code fence, a long table) would otherwise be parsed
// whole on every token. Its finished lines cannot change any more, so they are parsed once and
// kept; every token parses only the block's head (the fence's opening line, the table's header
// and delimiter rows) with the lines after the kept ones, and the result is put together with
// the kept part. The work per token is proportional to the new text, not to the block.

/** A piece of the open tail rendered the way the whole tail would be: repaired, parsed, converted. */
export interface RenderedPiece {
  readonly tokens: readonly Token[];
  readonly nodes: readonly MarkdownNode[];
}

/** What an open block needs from the renderer that owns it. */
export interface OpenBlockDeps {
  /** Block tokens of `src` (no inline parse). */
  readonly parseBlocks: (src: string) => Token[];
  /** The definitions inline parsing reads while streaming. */
  readonly env: () => ParseEnv;
  /**
   * `src` rendered as a streaming tail (repaired unless `repair` is false); undefined if it would
   * read other definitions than the tail did.
   */
  readonly renderPiece: (src: string, repair?: boolean) => RenderedPiece | undefined;
}

/** An open block's nodes, with the footnotes they use and define (found without walking the kept part again). */
export interface RenderedOpenBlock {
  readonly nodes: readonly MarkdownNode[];
  readonly footnoteRefs: readonly string[];
  readonly footnoteDefs: readonly MarkdownElement[];
}

/** The open tail's one block, with its finished part kept between updates. */
export interface OpenBlock {
  /**
   * The nodes of `tail` (the open tail as it is now), or undefined when the tail no longer has
   * this block's shape (it closed, or another block started): the caller then parses it whole.
   */
  render(tail: string): RenderedOpenBlock | undefined;
}

const NONE: readonly never[] = [];

// A carriage return or NUL would be rewritten by the parser and move line ends.
const REWRITTEN = /[\r\0]/;
// The parser stops filling in a table's missing cells after this many (markdown-it's limit);
// kept rows below it can be counted as independent of each other.
const MAX_CELLS = 65_536;

function isElement(node: MarkdownNode | undefined, tagName: string): node is MarkdownElement {
  return node?.type === 'element' && node.tagName === tagName;
}

/** Whether `tokens` hold one top-level block that spans `lines` lines. */
function oneBlock(tokens: readonly Token[], lines: number): boolean {
  let blocks = 0;
  for (const token of tokens) if (token.level === 0 && token.nesting >= 0) blocks++;
  return blocks === 1 && tokens[0]?.map?.[0] === 0 && tokens[0].map[1] === lines;
}

function newlines(text: string): number {
  let count = 0;
  for (let i = text.indexOf('\n'); i >= 0; i = text.indexOf('\n', i + 1)) count++;
  return count;
}

/**
 * Split `tail` after what was kept: undefined unless it still starts with `kept`. The comparison
 * of two slices is one memory compare, far cheaper than any parse.
 */
function after(tail: string, kept: string): string | undefined {
  if (tail.length < kept.length || tail.slice(0, kept.length) !== kept) return undefined;
  const rest = tail.slice(kept.length);
  return REWRITTEN.test(rest) ? undefined : rest;
}

/** An open fenced code block: the lines after the opening one are code until a closing line. */
class OpenFence implements OpenBlock {
  /** The opening line and the code lines kept so far, as written. */
  private kept: string;
  /** The kept lines as code (the parser's content: indentation of the opening line removed). */
  private code = '';

  constructor(
    private readonly opener: string,
    private readonly deps: OpenBlockDeps,
  ) {
    this.kept = opener;
  }

  render(tail: string): RenderedOpenBlock | undefined {
    let rest = after(tail, this.kept);
    if (rest === undefined) return undefined;
    const end = rest.lastIndexOf('\n') + 1;
    if (end > 0) {
      // Whole lines arrived: keep them if none of them closed the fence.
      const src = this.opener + rest.slice(0, end);
      const tokens = this.deps.parseBlocks(src);
      const fence = tokens[0];
      if (!oneBlock(tokens, newlines(src)) || fence?.type !== 'fence' || !fenceIsOpen(fence)) return undefined;
      this.code += fence.content;
      this.kept += rest.slice(0, end);
      rest = rest.slice(end);
    }
    const nodes = this.deps.renderPiece(this.opener + rest)?.nodes;
    const pre = nodes?.[0];
    if (nodes?.length !== 1 || !isElement(pre, 'pre') || !pre.properties.open) return undefined;
    const last = pre.children[0];
    const code = this.code + (last?.type === 'text' ? last.value : '');
    // Code holds no footnotes.
    return { nodes: [{ ...pre, children: [{ type: 'text', value: code }] }], footnoteRefs: NONE, footnoteDefs: NONE };
  }
}

/** An open table: rows after the delimiter row are independent of each other once their line ends. */
class OpenTable implements OpenBlock {
  /** The header and delimiter rows and the body rows kept so far, as written. */
  private kept: string;
  private readonly rows: MarkdownNode[] = [];
  /** Footnotes used in the kept rows (a table cell can use one but not define one). */
  private readonly refs: string[] = [];
  private rowLines = 0;

  constructor(
    private readonly head: string,
    private readonly columns: number,
    private readonly deps: OpenBlockDeps,
  ) {
    this.kept = head;
  }

  render(tail: string): RenderedOpenBlock | undefined {
    let rest = after(tail, this.kept);
    if (rest === undefined) return undefined;
    const end = rest.lastIndexOf('\n') + 1;
    if (end > 0) {
      const lines = newlines(rest.slice(0, end));
      if ((this.rowLines + lines + 1) * this.columns > MAX_CELLS) return undefined;
      const piece = this.deps.renderPiece(this.head + rest.slice(0, end));
      const table = piece?.nodes[0];
      if (!piece || !oneBlock(piece.tokens, 2 + lines) || !isElement(table, 'table')) return undefined;
      const body = table.children[1];
      if (!isElement(body, 'tbody') || body.children.length !== lines) return undefined;
      this.rows.push(...body.children);
      collectFootnoteInfo(body.children, this.refs, []);
      this.rowLines += lines;
      this.kept += rest.slice(0, end);
      rest = rest.slice(end);
    }
    const nodes = this.deps.renderPiece(this.head + rest)?.nodes;
    const table = nodes?.[0];
    if (nodes?.length !== 1 || !isElement(table, 'table')) return undefined;
    const [thead, body] = table.children;
    const live = isElement(body, 'tbody') ? body.children : NONE;
    // In document order, as a walk of the whole table would find them.
    const footnoteRefs: string[] = [];
    const footnoteDefs: MarkdownElement[] = [];
    collectFootnoteInfo([thead!], footnoteRefs, footnoteDefs);
    footnoteRefs.push(...this.refs);
    collectFootnoteInfo(live, footnoteRefs, footnoteDefs);
    const rows = live.length > 0 ? this.rows.concat(live) : this.rows;
    if (rows.length === 0) return { nodes, footnoteRefs, footnoteDefs };
    const tbody: MarkdownElement = { type: 'element', tagName: 'tbody', properties: {}, children: rows };
    return { nodes: [{ ...table, children: [thead!, tbody] }], footnoteRefs, footnoteDefs };
  }
}

/**
 * An {@link OpenBlock} for `tail` when its one block is a kind whose finished part can be kept
 * (an open fenced code block, a table, a paragraph), given the tail's block tokens; undefined otherwise.
 *
 * @example
 * ```ts
 * const block = openBlockFor(tail, parseBlocks(tail, env), deps);
 * const nodes = block?.render(tail + token) ?? renderWhole(tail + token);
 * ```
 */
export function openBlockFor(tail: string, tokens: readonly Token[], deps: OpenBlockDeps): OpenBlock | undefined {
  // Every render checks the shape again, so a block that has in fact ended is simply given up.
  if (REWRITTEN.test(tail) || !oneBlock(tokens, tokens[0]?.map?.[1] ?? -1)) return undefined;
  const first = tokens[0]!;
  if (first.type === 'fence' && fenceIsOpen(first)) {
    const end = tail.indexOf('\n') + 1;
    return end > 0 ? new OpenFence(tail.slice(0, end), deps) : undefined;
  }
  if (first.type === 'table_open') {
    const headEnd = tail.indexOf('\n', tail.indexOf('\n') + 1) + 1;
    let columns = 0;
    for (const token of tokens) {
      if (token.type === 'th_open') columns++;
      if (token.type === 'thead_close') break;
    }
    return headEnd > 0 ? new OpenTable(tail.slice(0, headEnd), columns, deps) : undefined;
  }
  // A paragraph whose first line could turn into another block (a definition) is left whole.
  if (first.type === 'paragraph_open' && isLetterLine(tail)) return new OpenParagraph(tail, deps);
  return undefined;
}
