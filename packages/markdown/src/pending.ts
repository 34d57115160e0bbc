import type { ParseEnv } from './parser.js';

/**
 * Stands in, in the repaired source, for a URL that is still streaming, and names the reference
 * that a link with an incomplete target points at. A private-use character: markdown-it treats it
 * as a letter (so emphasis around it behaves as around the URL), and no link rule can take it in.
 * Repair leaves texts that already contain it as they were.
 *
 * @example
 * ```ts
 * 'See https://exa' // repaired as 'See \uE000', with 'https://exa' held
 * ```
 */
export const PENDING_MARK = '\uE000';

/**
 * The target given to links that are not final yet. It has a space, which markdown-it always
 * percent-encodes in a target, so no link written in the text can have it.
 *
 * @example
 * ```ts
 * token.attrGet('href') === PENDING_HREF; // a pending link
 * ```
 */
export const PENDING_HREF = ' pending';

/**
 * The definitions inline parsing of a streaming text may use: every reference definition points at
 * {@link PENDING_HREF} (a definition can still change until the response completes, and a title
 * or a longer URL may follow), and the pending label is defined.
 *
 * @example
 * ```ts
 * parseInlines(tokens, withPendingDefinitions(env)); // reference links render pending
 * ```
 */
export function withPendingDefinitions(env: ParseEnv): ParseEnv {
  const references: NonNullable<ParseEnv['references']> = {};
  for (const label of Object.keys(env.references ?? {})) references[label] = { href: PENDING_HREF, title: '' };
  references[PENDING_MARK] = { href: PENDING_HREF, title: '' };
  return { ...env, references };
}

// Where a link-like run starts inside a word: an autolink's `<` followed by a scheme or an
// address, a URL scheme with `//`, `www.` or `mailto:`, or the local part of an email address.
const LINK_START = /<(?=[a-z][a-z0-9+.-]*:|[^\s<>@]+@)|[a-z][a-z0-9+.-]*:\/\/|www\.|mailto:|[a-z0-9._+-]+@/gi;

/**
 * Where the link-like run that ends `line` starts, if the line ends inside one: a bare URL, an
 * email address or an autolink whose end has not arrived (only whitespace ends them). Undefined
 * when the last word looks like no link.
 *
 * @example
 * ```ts
 * growingLinkStart('See https://exa'); // 4
 * growingLinkStart('See the docs'); // undefined
 * ```
 */
export function growingLinkStart(line: string): number | undefined {
  const wordStart = line.search(/\S*$/);
  if (wordStart === line.length) return undefined;
  const word = line.slice(wordStart);
  LINK_START.lastIndex = 0;
  for (let match = LINK_START.exec(word); match; match = LINK_START.exec(word)) {
    const before = match.index > 0 ? word[match.index - 1]! : ' ';
    // A start inside a longer name (`xhttps://`) is not where linkify would start.
    if (!/[a-z0-9]/i.test(before) || match[0] === '<') return wordStart + match.index;
    LINK_START.lastIndex = match.index + 1;
  }
  return undefined;
}

/** The innermost link bracket still open, if it has text to show as a pending link. *
 * @example
 * ```ts
 * lastOpenLinkBracket('[a [b', [{ at: 0, image: false }, { at: 3, image: false }]); // { at: 3, ... }
 * ```
 */
export function lastOpenLinkBracket(
  source: string,
  brackets: ReadonlyArray<{ readonly at: number; readonly image: boolean }>,
): { readonly at: number; readonly image: boolean } | undefined {
  const last = brackets[brackets.length - 1];
  if (!last || last.image || source[last.at + 1] === '^') return undefined;
  // Nothing typed inside yet: there is no text to show.
  return source.slice(last.at + 1).trim() === '' ? undefined : last;
}
