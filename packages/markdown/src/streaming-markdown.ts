import { collectFootnoteInfo } from './footnotes.js';
import { type OpenBlock, type OpenBlockDeps, openBlockFor } from './open-block.js';
import {
  cloneEnv,
  definitionsFingerprint,
  type ParseCounters,
  type ParseEnv,
  parseBlocks,
  parseInlines,
  type Token,
} from './parser.js';
import { withPendingDefinitions } from './pending.js';
import { type RepairedTail, repairWith } from './repair.js';
import { type MarkdownElement, type MarkdownNode, type ResolvedPolicy, resolvePolicy, tokensToTree } from './tree.js';
import type { UrlPolicy } from './url-policy.js';

/** One top-level piece of a rendered document. Completed blocks keep their identity across updates. */
export interface MarkdownBlock {
  /** Stable key: the block's position among the document's blocks. */
  readonly key: string;
  /** The block's nodes (usually one; none for a definition). */
  readonly nodes: readonly MarkdownNode[];
  /** True for the open tail, which changes as text arrives; completed blocks never change. */
  readonly open: boolean;
  /** Labels of the footnotes this block uses, in order of use. */
  readonly footnoteRefs: readonly string[];
  /** Footnote definitions written in this block. */
  readonly footnoteDefs: readonly MarkdownElement[];
}

/** What {@link StreamingMarkdown.update} returns: the document as blocks. */
export interface MarkdownSnapshot {
  readonly text: string;
  readonly complete: boolean;
  readonly blocks: readonly MarkdownBlock[];
  /** Whether any block uses or defines a footnote (when not, {@link collectFootnotes} can be skipped). */
  readonly hasFootnotes: boolean;
}

/** Options shared by the streaming and the one-shot parse. */
export interface MarkdownOptions {
  /** Which links and images are allowed. Default: http, https and mailto links; no images. */
  readonly urlPolicy?: UrlPolicy;
}

/** An incremental markdown renderer for one growing text. */
export interface StreamingMarkdown {
  /**
   * Render `text`. When it extends the previous text, completed blocks are reused as they are and
   * only the open tail is parsed again. `complete` turns off the repair of the tail.
   */
  update(text: string, options?: { readonly complete?: boolean }): MarkdownSnapshot;
  /** Parser work done so far, for tests and benchmarks. */
  readonly counters: Readonly<StreamingCounters>;
}

/** Parser work done by a {@link StreamingMarkdown}. */
export interface StreamingCounters extends ParseCounters {
  /** Blocks that were completed and memoised. */
  completedBlocks: number;
  /**
   * Inline parses of completed blocks: equal to `completedBlocks` unless a link or footnote
   * definition appeared later and blocks that may refer to it were parsed again.
   */
  completedBlockParses: number;
}

interface StableEntry {
  readonly key: string;
  readonly tokens: Token[];
  /** Whether inline parsing may read definitions (the source has a `[`). */
  readonly usesDefinitions: boolean;
  block: MarkdownBlock | undefined;
  fingerprint: string | undefined;
}

/** One block parse of (a version of) the open tail, with the definitions it found. */
interface TailParse {
  readonly src: string;
  readonly env: ParseEnv;
  readonly tokens: Token[];
}

interface Group {
  readonly tokens: Token[];
  /** First line, or undefined when no token of the group carries a position. */
  readonly start: number | undefined;
}

function groupTopLevel(tokens: readonly Token[]): Group[] {
  const groups: Group[] = [];
  let current: Token[] | undefined;
  for (const token of tokens) {
    if (token.level === 0 && token.nesting >= 0) current = [];
    current?.push(token);
    if (token.level === 0 && token.nesting <= 0 && current) {
      const start = current.find((t) => t.map)?.map?.[0];
      groups.push({ tokens: current, start });
      current = undefined;
    }
  }
  return groups;
}

function lineStarts(text: string): number[] {
  const starts = [0];
  for (let i = text.indexOf('\n'); i >= 0; i = text.indexOf('\n', i + 1)) starts.push(i + 1);
  return starts;
}

function hasFootnoteInfo(block: MarkdownBlock): boolean {
  return block.footnoteRefs.length > 0 || block.footnoteDefs.length > 0;
}

function makeBlock(
  key: string,
  nodes: readonly MarkdownNode[],
  open: boolean,
  known?: Pick<MarkdownBlock, 'footnoteRefs' | 'footnoteDefs'>,
): MarkdownBlock {
  if (known) return { key, nodes, open, ...known };
  const footnoteRefs: string[] = [];
  const footnoteDefs: MarkdownElement[] = [];
  collectFootnoteInfo(nodes, footnoteRefs, footnoteDefs);
  return { key, nodes, open, footnoteRefs, footnoteDefs };
}

/** Whether promoting the groups before `next` is safe: its first line is whole, and nothing before it can still grow. */
function canSplitBefore(groups: readonly Group[], next: number, starts: readonly number[]): boolean {
  const start = groups[next]!.start;
  if (start === undefined || start + 1 >= starts.length) return false;
  // A reference definition's title may continue on the next line; wait for a blank line after it.
  const previous = groups[next - 1]!.tokens[0]!;
  if (previous.type === 'reference_definition' && previous.map && previous.map[1] >= start) return false;
  return true;
}

class StreamingMarkdownImpl implements StreamingMarkdown {
  readonly counters: StreamingCounters = {
    blockPasses: 0,
    inlinePasses: 0,
    parsedChars: 0,
    completedBlocks: 0,
    completedBlockParses: 0,
  };
  private readonly policy: ResolvedPolicy;
  private stablePrefix = '';
  private stable: StableEntry[] = [];
  private stableBlocks: MarkdownBlock[] = [];
  private fingerprint = '';
  private stableFootnoteBlocks = 0;
  private stableEnv: ParseEnv = cloneEnv({});
  private last: MarkdownSnapshot | undefined;
  /** Text length up to which line breaks have been looked at for blocks to promote. */
  private promoteCheckedUpTo = 0;
  /** The open tail's block with its finished part kept, when it is one of the kinds that allow it. */
  private openBlock: OpenBlock | undefined;

  constructor(options: MarkdownOptions) {
    this.policy = resolvePolicy(options.urlPolicy);
  }

  update(text: string, options: { readonly complete?: boolean } = {}): MarkdownSnapshot {
    const complete = options.complete ?? false;
    if (this.last && this.last.text === text && this.last.complete === complete) return this.last;
    // `===` on a slice compares memory at once; `startsWith` goes character by character.
    const prefixLength = this.stablePrefix.length;
    if (text.length < prefixLength || text.slice(0, prefixLength) !== this.stablePrefix) this.reset();

    // One open block whose finished part is kept: only the new text is parsed.
    if (this.openBlock && !complete) {
      const rendered = this.openBlock.render(text.slice(this.stablePrefix.length));
      if (rendered) return this.finish(text, complete, this.stableBlocks.slice(), rendered.nodes, rendered);
      this.openBlock = undefined;
    }

    const tail = text.slice(this.stablePrefix.length);
    // A block can only be completed by a line that ends, so without a new line break since the
    // last attempt there is nothing to promote (deferring a promotion is always safe).
    const mayPromote = !complete && text.indexOf('\n', this.promoteCheckedUpTo) >= 0;
    const probe = mayPromote ? this.promote(tail) : undefined;
    this.promoteCheckedUpTo = mayPromote ? text.length : Math.min(this.promoteCheckedUpTo, text.length);
    // Keep the prefix a slice of the text rather than a growing chain of concatenations.
    if (!complete && !probe) this.stablePrefix = text.slice(0, this.stablePrefix.length);

    const open = text.slice(this.stablePrefix.length);
    // Parses of the open tail, reused between the repair and the render: most tokens need one.
    const parses: TailParse[] = probe && probe.src === open ? [probe] : [];
    const { repaired, env: found, tokens: tailTokens } = this.parseRepaired(open, complete, parses);
    // While streaming, links through a definition are pending: a definition may still change.
    const env = complete ? found : withPendingDefinitions(found);
    const fingerprint = definitionsFingerprint(env);

    // Completed blocks are parsed once; again only if a definition they may read has changed.
    const rebuildFrom = fingerprint === this.fingerprint ? this.stableBlocks.length : 0;
    for (let i = rebuildFrom; i < this.stable.length; i++) {
      const entry = this.stable[i]!;
      if (entry.block && (entry.fingerprint === fingerprint || !entry.usesDefinitions)) continue;
      parseInlines(entry.tokens, env, this.counters);
      this.counters.completedBlockParses++;
      entry.block = makeBlock(entry.key, tokensToTree(entry.tokens, this.policy), false);
      entry.fingerprint = fingerprint;
      const previous = this.stableBlocks[i];
      if (previous && hasFootnoteInfo(previous)) this.stableFootnoteBlocks--;
      if (hasFootnoteInfo(entry.block)) this.stableFootnoteBlocks++;
      this.stableBlocks[i] = entry.block;
    }
    this.fingerprint = fingerprint;
    const blocks = this.stableBlocks.slice();
    if (!complete) this.openBlock = openBlockFor(open, tailTokens, this.openBlockDeps);
    parseInlines(tailTokens, env, this.counters);
    return this.finish(text, complete, blocks, tokensToTree(tailTokens, this.policy, repaired.held));
  }

  private finish(
    text: string,
    complete: boolean,
    blocks: MarkdownBlock[],
    tailNodes: readonly MarkdownNode[],
    footnotes?: Pick<MarkdownBlock, 'footnoteRefs' | 'footnoteDefs'>,
  ): MarkdownSnapshot {
    const key = String(this.stable.length);
    const tailBlock = tailNodes.length > 0 ? makeBlock(key, tailNodes, !complete, footnotes) : undefined;
    if (tailBlock) blocks.push(tailBlock);
    const hasFootnotes = this.stableFootnoteBlocks > 0 || (tailBlock !== undefined && hasFootnoteInfo(tailBlock));
    this.last = { text, complete, blocks, hasFootnotes };
    return this.last;
  }

  /** Repair `src` (unless complete) and parse it into block tokens, reusing `parses`. */
  private parseRepaired(
    src: string,
    complete: boolean,
    parses: TailParse[],
  ): TailParse & { readonly repaired: RepairedTail } {
    const parseTail = (piece: string): TailParse => {
      const known = parses.find((p) => p.src === piece);
      if (known) return known;
      const env = cloneEnv(this.stableEnv);
      const parsed = { src: piece, env, tokens: parseBlocks(piece, env, this.counters) };
      parses.push(parsed);
      return parsed;
    };
    const repaired = complete ? { text: src, held: undefined } : repairWith(src, (piece) => parseTail(piece).tokens);
    return { ...parseTail(repaired.text), repaired };
  }

  /** A piece of the open block, rendered as the streaming tail; see {@link OpenBlockDeps}. */
  private readonly openBlockDeps: OpenBlockDeps = {
    parseBlocks: (src) => parseBlocks(src, cloneEnv(this.stableEnv), this.counters),
    env: () => withPendingDefinitions(this.stableEnv),
    renderPiece: (src, repair = true) => {
      const { repaired, env: found, tokens } = this.parseRepaired(src, !repair, []);
      const env = withPendingDefinitions(found);
      if (definitionsFingerprint(env) !== this.fingerprint) return undefined;
      parseInlines(tokens, env, this.counters);
      return { tokens, nodes: tokensToTree(tokens, this.policy, repaired.held) };
    },
  };

  /**
   * Move every top-level block of `tail` that can no longer change into the stable list. Returns
   * the parse of `tail` when nothing moved, so the caller can reuse it.
   */
  private promote(tail: string): TailParse | undefined {
    const probeEnv = cloneEnv(this.stableEnv);
    const tokens = parseBlocks(tail, probeEnv, this.counters);
    const groups = groupTopLevel(tokens);
    if (groups.length < 2) return { src: tail, tokens, env: probeEnv };
    const starts = lineStarts(tail);
    let split = groups.length - 1;
    while (split > 0 && !canSplitBefore(groups, split, starts)) split--;
    if (split === 0) return { src: tail, tokens, env: probeEnv };

    let from = 0;
    let pending: Token[] = [];
    for (let i = 0; i < split; i++) {
      pending = pending.concat(groups[i]!.tokens);
      const nextStart = groups[i + 1]!.start;
      if (nextStart === undefined) continue; // no position to cut at: keep with the next group
      const to = starts[nextStart]!;
      this.stable.push({
        key: String(this.stable.length),
        tokens: pending,
        usesDefinitions: tail.slice(from, to).includes('['),
        block: undefined,
        fingerprint: undefined,
      });
      this.counters.completedBlocks++;
      this.recordDefinitions(pending, probeEnv);
      pending = [];
      from = to;
    }
    this.stablePrefix += tail.slice(0, from);
    return undefined;
  }

  private recordDefinitions(tokens: readonly Token[], found: ParseEnv): void {
    const references = this.stableEnv.references!;
    const footnotes = this.stableEnv.footnotes!.refs!;
    for (const token of tokens) {
      const label = (token.meta as { label?: string } | null)?.label;
      if (label === undefined) continue;
      if (token.type === 'reference_definition') {
        const definition = found.references?.[label];
        if (definition && references[label] === undefined) references[label] = definition;
      } else if (token.type === 'footnote_reference_open') {
        footnotes[`:${label}`] = -1;
      }
    }
  }

  private reset(): void {
    this.stablePrefix = '';
    this.stable = [];
    this.stableBlocks = [];
    this.fingerprint = '';
    this.stableFootnoteBlocks = 0;
    this.stableEnv = cloneEnv({});
    this.last = undefined;
    this.promoteCheckedUpTo = 0;
    this.openBlock = undefined;
  }
}

/**
 * Create an incremental renderer for one growing markdown text. Completed blocks are parsed once
 * and keep their identity (so a UI can memoise them); only the open tail is parsed again and,
 * while the text is incomplete, repaired with {@link repairMarkdown}. A text that does not extend
 * the previous one (a replacement) starts over.
 *
 * @example
 * ```ts
 * const doc = createStreamingMarkdown();
 * doc.update('# Title\n\nSome **bo');          // the tail renders as 'Some <strong>bo</strong>'
 * doc.update('# Title\n\nSome **bold**.', { complete: true });
 * ```
 */
export function createStreamingMarkdown(options: MarkdownOptions = {}): StreamingMarkdown {
  return new StreamingMarkdownImpl(options);
}

/**
 * Parse a whole text at once into tree nodes, the same way {@link createStreamingMarkdown} renders
 * it. With `repair: true` the text is treated as an incomplete stream and its end is repaired first.
 *
 * @example
 * ```ts
 * const nodes = parseMarkdown('| a |\n|---|\n| 1 |');
 * nodes[0]; // { type: 'element', tagName: 'table', ... }
 * ```
 */
export function parseMarkdown(
  text: string,
  options: MarkdownOptions & { readonly repair?: boolean } = {},
): MarkdownNode[] {
  const repaired = options.repair ? repairWith(text, (src) => parseBlocks(src, {})) : { text, held: undefined };
  const found = cloneEnv({});
  const tokens = parseBlocks(repaired.text, found);
  const env = options.repair ? withPendingDefinitions(found) : found;
  parseInlines(tokens, env);
  return tokensToTree(tokens, resolvePolicy(options.urlPolicy), repaired.held);
}
