// GFM autolink literals (GFM 0.29, "Autolinks (extension)"), read as cmark-gfm reads them: `http://`,
// `https://` and `ftp://` URLs while inline parsing (so a URL takes precedence over emphasis inside
// it), `www.` links and email addresses (with or without `mailto:`) in a pass over the finished
// text. They replace markdown-it's linkify, whose fuzzy matching links bare domains and file names
// (`example.com`, `README.md`) that GFM leaves as text.
import type { MarkdownIt, StateCore, StateInline, Token } from 'markdown-it';

const URL_SCHEMES = new Set(['http', 'https', 'ftp']);
const DOMAIN_CHAR = /[\p{L}\p{N}-]/u;
const EMAIL_LOCAL_CHAR = /[A-Za-z0-9.+_-]/;
const ALPHANUMERIC = /[A-Za-z0-9]/;
// A `www.` link starts a line, follows whitespace or one of these delimiters.
const WWW_BOUNDARY = /[\s*_~(]/;
const TRAILING_PUNCTUATION = `?!.,:*_~'"`;
// The characters a domain is made of, periods and underscores included (sticky: read from a position).
const DOMAIN_RUN = /[\p{L}\p{N}_.-]*/uy;

/**
 * Where a valid domain that starts at `start` ends, or -1. Segments of letters, digits, `-` and `_`
 * separated by periods, no `_` in the last two segments; `needsPeriod` asks for at least one period.
 */
function domainEnd(text: string, start: number, end: number, needsPeriod: boolean): number {
  let periods = 0;
  let underscoresBefore = 0;
  let underscoresLast = 0;
  let at = start;
  for (; at < end; at++) {
    const char = text[at]!;
    if (char === '.') {
      periods++;
      underscoresBefore = underscoresLast;
      underscoresLast = 0;
    } else if (char === '_') underscoresLast++;
    else if (!DOMAIN_CHAR.test(char)) break;
  }
  if (at === start || underscoresBefore > 0 || underscoresLast > 0) return -1;
  return needsPeriod && periods === 0 ? -1 : at;
}

/** The end of a link that starts at `start` with a domain ending at `domainStop`: path, then trailing trims. */
function linkEnd(text: string, start: number, domainStop: number, end: number): number {
  let stop = domainStop;
  while (stop < end && !/[\s<]/.test(text[stop]!)) stop++;
  // Opening minus closing parentheses in [start, stop), kept up to date as the end is trimmed.
  let balance = 0;
  for (let at = start; at < stop; at++) balance += text[at] === '(' ? 1 : text[at] === ')' ? -1 : 0;
  const drop = (to: number) => {
    for (let at = to; at < stop; at++) balance -= text[at] === '(' ? 1 : text[at] === ')' ? -1 : 0;
    stop = to;
  };
  while (stop > start) {
    const last = text[stop - 1]!;
    if (TRAILING_PUNCTUATION.includes(last)) drop(stop - 1);
    else if (last === ';') {
      // `&hl;` at the end looks like an entity reference: it is left out whole.
      let back = stop - 2;
      while (back > start && ALPHANUMERIC.test(text[back]!)) back--;
      drop(back < stop - 2 && text[back] === '&' ? back : stop - 1);
    } else if (last === ')' && balance < 0) drop(stop - 1);
    else break;
  }
  return stop;
}

interface Found {
  readonly start: number;
  readonly end: number;
  readonly href: string;
}

/** The email address around the `@` at `at` in `text`, GFM's rules, or undefined. */
function emailAt(text: string, at: number): Found | undefined {
  let start = at;
  while (start > 0 && EMAIL_LOCAL_CHAR.test(text[start - 1]!)) start--;
  if (start === at) return undefined;
  let stop = at + 1;
  let periods = 0;
  for (; stop < text.length; stop++) {
    const char = text[stop]!;
    if (ALPHANUMERIC.test(char) || char === '-' || char === '_') continue;
    if (char === '.' && ALPHANUMERIC.test(text[stop + 1] ?? '')) periods++;
    else break;
  }
  if (periods === 0 || !/[A-Za-z]/.test(text[stop - 1]!)) return undefined;
  const address = text.slice(start, stop);
  if (start >= 7 && text.slice(start - 7, start).toLowerCase() === 'mailto:') {
    return { start: start - 7, end: stop, href: text.slice(start - 7, stop) };
  }
  return { start, end: stop, href: `mailto:${address}` };
}

/**
 * The `www.` link starting at `start`, or where the next one may start. A domain is judged by its last
 * two segments, so when it is not valid, neither is any domain that starts earlier than its
 * second-to-last segment and runs to the same end: the search goes on from there, and text like
 * `_www._www._www.…_x` is read once, not once per `www.`.
 */
function wwwAt(text: string, start: number): Found | number {
  const domainStop = domainEnd(text, start, text.length, true);
  if (domainStop < 0) {
    DOMAIN_RUN.lastIndex = start;
    DOMAIN_RUN.test(text);
    const lastPeriod = text.lastIndexOf('.', DOMAIN_RUN.lastIndex - 1);
    const periodBefore = lastPeriod > start ? text.lastIndexOf('.', lastPeriod - 1) : -1;
    return periodBefore >= start ? periodBefore + 1 : start + 1;
  }
  const end = linkEnd(text, start, domainStop, text.length);
  return end > start + 4 ? { start, end, href: `http://${text.slice(start, end)}` } : start + 1;
}

/** Every `www.` link and email address in `text`, in order, not overlapping. */
function findLiterals(text: string, startsAtBoundary: boolean): Found[] {
  const found: Found[] = [];
  let from = 0;
  for (;;) {
    const www = text.indexOf('www.', from);
    const at = text.indexOf('@', from);
    if (www < 0 && at < 0) return found;
    const next =
      www >= 0 && (at < 0 || www < at) && (www > 0 ? WWW_BOUNDARY.test(text[www - 1]!) : startsAtBoundary)
        ? wwwAt(text, www)
        : at >= 0 && (www < 0 || at < www)
          ? emailAt(text, at)
          : undefined;
    const last = found[found.length - 1];
    if (typeof next === 'object' && (!last || next.start >= last.end)) {
      found.push(next);
      from = next.end;
    } else {
      from = Math.max(typeof next === 'number' ? next : 0, Math.min(...[www, at].filter((index) => index >= 0)) + 1);
    }
  }
}

/** The three tokens of an autolink; `create` makes (and places) each one. */
function linkTokens(
  create: (type: string, tag: string, nesting: -1 | 0 | 1) => Token,
  href: string,
  text: string,
  md: MarkdownIt,
): void {
  const open = create('link_open', 'a', 1);
  open.attrs = [['href', md.normalizeLink(href)]];
  open.markup = 'linkify';
  open.info = 'auto';
  create('text', '', 0).content = text;
  const close = create('link_close', 'a', -1);
  close.markup = 'linkify';
  close.info = 'auto';
}

/** Inline rule at a `:`: an `http://`, `https://` or `ftp://` URL whose scheme is the text just before. */
function urlLiteral(state: StateInline, silent: boolean): boolean {
  const { src, pos, posMax } = state;
  // Silent calls come from scanning a link's label, whose text holds no autolink.
  if (silent || state.linkLevel > 0 || src.charCodeAt(pos) !== 0x3a || !src.startsWith('//', pos + 1)) return false;
  let start = pos;
  const limit = pos - state.pending.length;
  while (start > limit && /[A-Za-z]/.test(src[start - 1]!)) start--;
  if (!URL_SCHEMES.has(src.slice(start, pos).toLowerCase())) return false;
  const domainStop = domainEnd(src, pos + 3, posMax, false);
  if (domainStop < 0) return false;
  const end = linkEnd(src, start, domainStop, posMax);
  const url = src.slice(start, end);
  if (end <= pos + 3 || !state.md.validateLink(state.md.normalizeLink(url))) return false;
  state.pending = state.pending.slice(0, start - pos);
  linkTokens((type, tag, nesting) => state.push(type, tag, nesting), url, url, state.md);
  state.pos = end;
  return true;
}

/** Whether a text that follows `previous` starts where a `www.` link may (GFM allows `*`, `_`, `~` and `(`). */
function startsAtBoundary(previous: Token | undefined): boolean {
  if (!previous || previous.type === 'softbreak' || previous.type === 'hardbreak') return true;
  if (previous.type === 'text' || previous.type === 'text_special')
    return WWW_BOUNDARY.test(previous.content.slice(-1));
  return /^(em|strong|s)_(open|close)$/.test(previous.type);
}

/**
 * Core rule in linkify's place: `www.` links and email addresses in text outside links. It runs
 * before text_join, so an escaped or entity character (`foo\+@bar.example`) still ends a text.
 */
function textLiterals(state: StateCore): void {
  for (const block of state.tokens) {
    if (block.type !== 'inline' || !block.children) continue;
    const children: Token[] = [];
    let linkDepth = 0;
    for (const [index, token] of block.children.entries()) {
      if (token.type === 'link_open') linkDepth++;
      if (token.type === 'link_close') linkDepth--;
      const previous = block.children[index - 1];
      const found =
        token.type === 'text' && linkDepth === 0 ? findLiterals(token.content, startsAtBoundary(previous)) : [];
      let from = 0;
      for (const link of found) {
        if (!state.md.validateLink(state.md.normalizeLink(link.href))) continue;
        if (link.start > from) children.push(textToken(state, token, token.content.slice(from, link.start)));
        let level = token.level;
        const create = (type: string, tag: string, nesting: -1 | 0 | 1): Token => {
          const made = new state.Token(type, tag, nesting);
          if (nesting < 0) level--;
          made.level = level;
          if (nesting > 0) level++;
          children.push(made);
          return made;
        };
        linkTokens(create, link.href, token.content.slice(link.start, link.end), state.md);
        from = link.end;
      }
      if (from === 0) children.push(token);
      else if (from < token.content.length) children.push(textToken(state, token, token.content.slice(from)));
    }
    block.children = children;
  }
}

function textToken(state: StateCore, like: Token, content: string): Token {
  const token = new state.Token('text', '', 0);
  token.content = content;
  token.level = like.level;
  return token;
}

/**
 * Replace markdown-it's linkify with GFM's autolink literals on `md`.
 * @example
 * ```ts
 * const md = new MarkdownIt({ linkify: false });
 * useGfmAutolinks(md);
 * md.render('See www.commonmark.org'); // <p>See <a href="http://www.commonmark.org">www.commonmark.org</a></p>
 * ```
 */
export function useGfmAutolinks(md: MarkdownIt): void {
  md.inline.ruler.at('linkify', urlLiteral);
  md.core.ruler.at('linkify', textLiterals);
}
