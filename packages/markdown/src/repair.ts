import { parseBlocks, type Token } from './parser.js';
import { growingLinkStart, PENDING_MARK } from './pending.js';
import { scanInline } from './scan-inline.js';

// A last line that is only the start of a block marker: shown as is, it would flash an empty
// bullet, an empty heading, a setext underline or a stray fence character.
const CONTAINER_PREFIX = /^(?:[ \t]*>)*[ \t]*/;
const HALF_TYPED_LINE = [
  /^(?:[-+*]|\d{1,9}[.)])(?:[ \t]+(?:\[[ xX]?\]?)?)?[ \t]*$/, // list marker, maybe with a half task box
  /^#{1,6}[ \t]*$/, // heading marker without text
  /^(?:`{1,2}|~{1,2})$/, // the start of a fence
  // A definition being typed: until its line is whole it may parse as a paragraph with live links.
  /^ {0,3}\[(?:[^\]\\]|\\.)+\]:/,
];
const TABLE_ROW = /^\|/;
const TABLE_DELIMITER_SO_FAR = /^\|?[ \t:|-]*$/;

function lastLineStart(text: string): number {
  return text.lastIndexOf('\n') + 1;
}

function withoutContainer(line: string): string {
  return line.replace(CONTAINER_PREFIX, '');
}

/** Drop a last line that is only a half-typed block marker. */
function holdBackHalfTypedLine(text: string): string {
  if (text.endsWith('\n')) return text;
  const start = lastLineStart(text);
  const line = withoutContainer(text.slice(start));
  if (HALF_TYPED_LINE.some((re) => re.test(line))) return text.slice(0, start);
  return text;
}

/** The last leaf token (inline contents, fence, indented code), the table holding it if any, and its lines. */
function lastLeaf(
  tokens: readonly Token[],
): { leaf: Token; table: Token | undefined; inParagraph: boolean; map: [number, number] } | undefined {
  for (let i = tokens.length - 1; i >= 0; i--) {
    const token = tokens[i]!;
    if (token.type !== 'inline' && token.type !== 'fence' && token.type !== 'code_block') continue;
    let table: Token | undefined;
    let map = token.map ?? undefined;
    let depth = token.level;
    for (let j = i - 1; j >= 0 && depth > 0; j--) {
      const t = tokens[j]!;
      if (t.nesting === 1 && t.level < depth) {
        depth = t.level;
        if (!map && t.map) map = t.map; // table cells carry no position; their row does
        if (t.type === 'table_open') table = t;
      }
    }
    if (!map) return undefined;
    return { leaf: token, table, inParagraph: tokens[i - 1]?.type === 'paragraph_open', map };
  }
  return undefined;
}

function lineStartOf(text: string, line: number): number {
  let at = 0;
  for (let i = 0; i < line; i++) at = text.indexOf('\n', at) + 1;
  return at;
}

function lineCount(text: string): number {
  if (text === '') return 0;
  const newlines = text.match(/\n/g)?.length ?? 0;
  return text.endsWith('\n') ? newlines : newlines + 1;
}

function lastLineOf(text: string): string {
  return text.slice(lastLineStart(text));
}

/** A repaired tail, and the still-streaming link text that {@link PENDING_MARK} stands for in it. *
 * @example
 * ```ts
 * repairWith('See https://exa', parse); // { text: 'See \uE000', held: 'https://exa' }
 * ```
 */
export interface RepairedTail {
  readonly text: string;
  readonly held: string | undefined;
}

function repairInline(text: string, leaf: Token, mode: PendingMode): RepairedTail {
  let content = leaf.content;
  let trimmed = text.replace(/\s+$/, '');
  const lastLineOffset = content.lastIndexOf('\n') + 1;
  // Offsets in the leaf's last line map to the end of the text; earlier lines may have lost a
  // container prefix (`> `), so only last-line edits are made.
  if (!content || !trimmed.endsWith(content.slice(lastLineOffset))) return { text, held: undefined };
  const markPending = mode === 'mark' && !text.includes(PENDING_MARK);
  // A bare URL, email or autolink typed last can still grow: it stands aside as one mark, so
  // closers added below cannot become part of it and it renders as a pending link.
  let held: string | undefined;
  const linkStart = trimmed === text ? growingLinkStart(content.slice(lastLineOffset)) : undefined;
  if (linkStart !== undefined) {
    const from = lastLineOffset + linkStart;
    const run = content.slice(from);
    // Without marks (or when the text has one of its own) the run is held back instead.
    const stand = markPending ? PENDING_MARK : '';
    if (markPending) held = run;
    content = content.slice(0, from) + stand;
    trimmed = trimmed.slice(0, trimmed.length - run.length) + stand;
  }
  const base = trimmed.length - content.length;
  const { removals, openers, pendingLink } = scanInline(content, markPending);
  const edits = removals.filter(([start]) => start >= lastLineOffset).sort((a, b) => b[0] - a[0]);
  if (edits.length === 0 && openers.length === 0 && !pendingLink) {
    return { text: linkStart === undefined ? text : trimmed, held };
  }
  let result = trimmed;
  for (const [start, end] of edits) result = result.slice(0, base + start) + result.slice(base + end);
  const toResult = (at: number): number => {
    let shift = 0;
    for (const [start, end] of edits) if (end <= at) shift += end - start;
    return base + at - shift;
  };
  const open = openers.filter((o) => !edits.some(([start, end]) => o.at >= start && o.at < end));
  result = result.trimEnd();
  // An opener with nothing after it is held back rather than closed (`**` + `**` shows as text).
  for (let top = open[open.length - 1]; top && top.at >= lastLineOffset; top = open[open.length - 1]) {
    const at = toResult(top.at);
    if (at + top.run.length < result.length) break;
    result = result.slice(0, at).trimEnd();
    open.pop();
  }
  // Closers put right after a URL that whitespace ended would be read as part of it
  // (`https://a.example~~`): the URL then waits, pending, for the text after it.
  let suffix = pendingLink?.suffix;
  const finalRunStart =
    held === undefined && (open.length > 0 || suffix) ? growingLinkStart(lastLineOf(result)) : undefined;
  if (finalRunStart !== undefined) {
    const from = result.length - lastLineOf(result).length + finalRunStart;
    if (markPending) held = result.slice(from);
    result = result.slice(0, from) + (markPending ? PENDING_MARK : '');
  }
  // Closers of the openers inside a pending link's text come before the suffix that ends it.
  for (let k = open.length - 1; k >= 0; k--) {
    if (suffix && open[k]!.at < pendingLink!.innerFrom) {
      result += suffix;
      suffix = undefined;
    }
    result += open[k]!.run;
  }
  if (suffix) result += suffix;
  return { text: result, held };
}

/**
 * Repair the open end of a streaming markdown text so that a parser renders it without flashing
 * syntax: unclosed emphasis, strong, strikethrough and inline code are closed; a link shows its
 * text until its target is complete; a URL or email address still being typed at the end is held
 * back (it could still grow); images and footnote references are held back until complete;
 * a half-typed list marker, heading marker, fence start or table row is held back. An unclosed
 * code fence needs nothing: the parser already renders it as code to the end.
 *
 * Pure, and it only changes the last block, so `repairMarkdown(a + b)` equals
 * `a + repairMarkdown(b)` whenever `a` ends where a block ends. Do not call it on a completed
 * text: the text is then final as written.
 *
 * @example
 * ```ts
 * repairMarkdown('Some **bold te'); // 'Some **bold te**'
 * repairMarkdown('See [the docs](https://exa'); // 'See the docs'
 * repairMarkdown('Steps:\n\n1.'); // 'Steps:\n\n'
 * ```
 */
export function repairMarkdown(text: string): string {
  return repairWith(text, (src) => parseBlocks(src, {}), 'hold-back').text;
}

/**
 * How links that are not final yet are repaired: `mark` puts {@link PENDING_MARK} in for them (for
 * this package's own tree, which renders them as pending links); `hold-back` leaves a growing URL
 * out and a link's text as plain text, for any other parser.
 *
 * @example
 * ```ts
 * repairWith('See [docs](https://exa', parse, 'hold-back').text; // 'See docs'
 * ```
 */
export type PendingMode = 'mark' | 'hold-back';

/** {@link repairMarkdown} with the block parse supplied, so callers can count and reuse it. */
export function repairWith(input: string, parse: (src: string) => Token[], mode: PendingMode = 'mark'): RepairedTail {
  const repaired = repairBlock(input, parse, mode);
  return typeof repaired === 'string' ? { text: repaired, held: undefined } : repaired;
}

function repairBlock(input: string, parse: (src: string) => Token[], mode: PendingMode): string | RepairedTail {
  let text = holdBackHalfTypedLine(input);
  const tokens = parse(text);
  const found = lastLeaf(tokens);
  if (!found) return text;
  const { leaf, table, inParagraph, map } = found;
  const lines = lineCount(text);
  // A block that ended before the last line (a blank line closed it) is final as written.
  if ((table?.map ?? map)[1] < lines) return text;
  if (leaf.type === 'code_block') return text;
  if (leaf.type === 'fence') {
    // Hold back a half-typed closing fence so it does not flash inside the code.
    const start = lastLineStart(text);
    const line = withoutContainer(text.slice(start)).trimEnd();
    const marker = leaf.markup[0]!;
    if (!text.endsWith('\n') && line.length > 0 && line.length < leaf.markup.length && /^([`~])\1*$/.test(line)) {
      if (line[0] === marker && map[1] - map[0] > 1) return text.slice(0, start);
    }
    return text;
  }
  if (table?.map) {
    // Rows appear whole: a row still being typed is held back, and the table itself until its
    // delimiter row is complete.
    if (text.endsWith('\n')) return text;
    if (lines - 1 <= table.map[0] + 1) return text.slice(0, lineStartOf(text, table.map[0]));
    return text.slice(0, lastLineStart(text));
  }
  if (inParagraph) {
    // The header row of a table shows as a paragraph until its delimiter row is complete.
    const start = lastLineStart(text.endsWith('\n') ? text.slice(0, -1) : text);
    const line = withoutContainer(text.slice(start));
    if (TABLE_ROW.test(line)) {
      const previousStart = start > 0 ? lastLineStart(text.slice(0, start - 1)) : -1;
      const previous = previousStart >= 0 ? withoutContainer(text.slice(previousStart, start)) : '';
      const cut = TABLE_DELIMITER_SO_FAR.test(line.trimEnd()) && TABLE_ROW.test(previous) ? previousStart : start;
      text = text.slice(0, cut);
      const again = lastLeaf(parse(text));
      if (!again || again.table || again.map[1] < lineCount(text) || again.leaf.type !== 'inline') return text;
      return repairInline(text, again.leaf, mode);
    }
  }
  return repairInline(text, leaf, mode);
}
