/// <reference path="./markdown-it-footnote.d.ts" />
import MarkdownIt, { type MarkdownIt as MarkdownItInstance, type Token } from 'markdown-it';
import footnote from 'markdown-it-footnote';
import { useGfmAutolinks } from './autolink-literals.js';

/**
 * Definitions that one part of a document lends to the rest: link reference definitions and the
 * labels of footnote definitions. Inline parsing of any block depends on them.
 */
export interface ParseEnv {
  [key: string | symbol]: unknown;
  references?: Record<string, { title: string; href: string }>;
  footnotes?: { refs?: Record<string, number>; list?: unknown[] };
}

/** Counts of parser work, for tests that check a completed block is never parsed again. */
export interface ParseCounters {
  /** Block-level passes over a piece of source. */
  blockPasses: number;
  /** Inline passes over one block's leaf contents. */
  inlinePasses: number;
  /** Characters handed to the parser: the source of block passes plus the leaf contents of inline passes. */
  parsedChars: number;
}

function createParser(): MarkdownItInstance {
  // CommonMark + GFM (tables, strikethrough, autolink literals); footnotes by plugin. Raw HTML is
  // off, so tags in model output come through as text.
  const md = new MarkdownIt({ html: false, linkify: false, typographer: false });
  md.use(footnote);
  useGfmAutolinks(md);
  // markdown-it's own versions also convert host names with punycode; the URL policy resolves every
  // target with the URL parser, which does that, so the bundle leaves punycode out.
  const { mdurl } = md.utils.lib;
  md.normalizeLink = (url) => {
    const parsed = mdurl.parse(url, true);
    for (const part of ['auth', 'hostname', 'pathname', 'search', 'hash'] as const) {
      if (parsed[part]) parsed[part] = mdurl.encode(parsed[part]);
    }
    return mdurl.format(parsed);
  };
  md.normalizeLinkText = (url) => mdurl.decode(mdurl.format(mdurl.parse(url, true)), `${mdurl.decode.defaultChars}%`);
  // Footnote numbering and the footnote section are built from the tree, so the block that defines
  // a footnote stays where it is written and can be memoised like any other block.
  md.core.ruler.disable(['footnote_tail']);
  // Inline footnotes (`^[...]`) are not GFM.
  md.inline.ruler.disable(['footnote_inline']);
  return md;
}

const blockParser = createParser();
blockParser.core.ruler.enableOnly(['normalize', 'block']);

const inlineParser = createParser();
inlineParser.core.ruler.disable(['normalize', 'block', 'strip_references']);

/**
 * Split `src` into block tokens (leaf contents not yet parsed). Definitions found are added to
 * `env`.
 */
export function parseBlocks(src: string, env: ParseEnv, counters?: ParseCounters): Token[] {
  if (counters) {
    counters.blockPasses++;
    counters.parsedChars += src.length;
  }
  return blockParser.parse(src, env);
}

/**
 * Parse the inline contents of block tokens in place, with the definitions in `env`. Safe to call
 * again on the same tokens when the definitions change.
 */
export function parseInlines(tokens: Token[], env: ParseEnv, counters?: ParseCounters): void {
  if (counters) counters.inlinePasses++;
  for (const token of tokens) {
    if (token.type !== 'inline') continue;
    token.children = [];
    if (counters) counters.parsedChars += token.content.length;
  }
  // footnote_ref records first uses in env; give each pass its own copy so passes do not leak.
  const footnoteRefs = env.footnotes?.refs;
  const passEnv: ParseEnv = {
    references: env.references ?? {},
    ...(footnoteRefs ? { footnotes: { refs: { ...footnoteRefs } } } : {}),
  };
  const state = new inlineParser.core.State('', inlineParser, passEnv);
  state.tokens = tokens;
  inlineParser.core.process(state);
}

interface Delimiter {
  readonly open: boolean;
  readonly end: number;
}

/**
 * Whether inline parsing of `src` leaves nothing that text after it could still close: no
 * emphasis or strikethrough opener without its closer, no backtick run without its closer (such
 * a run stays text, at any depth, until one of its length follows).
 *
 * @example
 * ```ts
 * closesEveryDelimiter('**a** `b` c', {}); // true
 * closesEveryDelimiter('**a* b', {}); // false: one `*` still opens
 * ```
 */
export function closesEveryDelimiter(src: string, env: ParseEnv): boolean {
  const state = new inlineParser.inline.State(src, inlineParser, { references: env.references ?? {} }, []);
  inlineParser.inline.tokenize(state);
  for (const rule of inlineParser.inline.ruler2.getRules('')) rule(state);
  const waiting = (list: readonly Delimiter[] | undefined) => list?.some((d) => d.open && d.end < 0) ?? false;
  if (state.tokens.some((token) => token.type === 'text' && token.content.includes('`'))) return false;
  const meta = state.tokens_meta as ReadonlyArray<{ delimiters?: Delimiter[] } | null>;
  return !waiting(state.delimiters as unknown as Delimiter[]) && !meta.some((m) => waiting(m?.delimiters));
}

/** A copy of `env` that later definitions can be added to without touching the original. */
export function cloneEnv(env: ParseEnv): ParseEnv {
  return {
    references: { ...env.references },
    footnotes: { refs: { ...env.footnotes?.refs } },
  };
}

/** A string that changes exactly when the definitions that inline parsing reads change. */
export function definitionsFingerprint(env: ParseEnv): string {
  const references = env.references ?? {};
  const labels = Object.keys(references);
  const footnotes = Object.keys(env.footnotes?.refs ?? {});
  if (labels.length === 0 && footnotes.length === 0) return '';
  labels.sort();
  footnotes.sort();
  return JSON.stringify([labels.map((label) => [label, references[label]]), footnotes]);
}

/**
 * A fence's info string as the spec reads it: backslash escapes and entities resolved, so
 * ```` ```foo\+bar ```` names the language `foo+bar`.
 *
 * @example
 * ```ts
 * unescapeInfo('foo\\+bar'); // 'foo+bar'
 * ```
 */
export function unescapeInfo(info: string): string {
  return blockParser.utils.unescapeAll(info);
}

/**
 * Whether a fence token has no closing line yet (it runs to the end of the source).
 *
 * @example
 * ```ts
 * fenceIsOpen(parseBlocks('```ts\nconst a', {})[0]!); // true
 * ```
 */
export function fenceIsOpen(token: Token): boolean {
  const lines = token.map ? token.map[1] - token.map[0] : 0;
  const content = token.content;
  const contentLines = (content.match(/\n/g)?.length ?? 0) + (content && !content.endsWith('\n') ? 1 : 0);
  return lines < contentLines + 2;
}

export type { Token };
