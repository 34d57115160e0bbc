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

/** ASCII letters and digits by code, case-insensitive: these run for every character of a long word. */
const isLetter = (code: number) => (code | 32) >= 97 && (code | 32) <= 122;
const isAlphanumeric = (code: number) => isLetter(code) || (code >= 48 && code <= 57);
// `+`, `.` and `-`, which a URL scheme may hold after its first letter; an email's local part adds `_`.
const isSchemeChar = (code: number) => isAlphanumeric(code) || code === 43 || code === 46 || code === 45;
const isEmailChar = (code: number) => isSchemeChar(code) || code === 95;
// After an autolink's `<`: a scheme and its colon, or an address's `@`.
const AUTOLINK_AFTER = /^(?:[a-z][a-z0-9+.-]*:|[^\s<>@]+@)/i;

/** Where the run of characters passing `test` that starts at `from` ends. */
function runEnd(word: string, from: number, test: (code: number) => boolean): number {
  let end = from;
  while (end < word.length && test(word.charCodeAt(end))) end++;
  return end;
}

/**
 * Where the link-like run that ends `line` starts, if the line ends inside one: a bare URL, an
 * email address or an autolink whose end has not arrived (only whitespace ends them). Undefined
 * when the last word looks like no link. A start is an autolink's `<` followed by a scheme or an
 * address, or, where no letter or digit comes before it (`xhttps://` is not where linkify starts), a
 * URL scheme with `//`, `www.`, `mailto:` or the local part of an email address. Linear in the last
 * word, however it is made (model output can repeat a character tens of thousands of times).
 *
 * @example
 * ```ts
 * growingLinkStart('See https://exa'); // 4
 * growingLinkStart('See the docs'); // undefined
 * ```
 */
export function growingLinkStart(line: string): number | undefined {
  let wordStart = line.length;
  while (wordStart > 0 && !/\s/.test(line[wordStart - 1]!)) wordStart--;
  if (wordStart === line.length) return undefined;
  const word = line.slice(wordStart);
  // Where the runs that the current position is in end: each run is read once, not once per position.
  let schemeEnd = 0;
  let emailEnd = 0;
  for (let i = 0; i < word.length; i++) {
    const code = word.charCodeAt(i);
    if (code === 60) {
      // `<`: its lookahead reads up to the next `<`, so each part of the word is read once.
      const next = word.indexOf('<', i + 1);
      if (AUTOLINK_AFTER.test(word.slice(i + 1, next < 0 ? word.length : next))) return wordStart + i;
    }
    if (i > 0 && isAlphanumeric(word.charCodeAt(i - 1))) continue;
    if (isLetter(code)) {
      if (schemeEnd <= i) schemeEnd = runEnd(word, i + 1, isSchemeChar);
      if (word.startsWith('://', schemeEnd)) return wordStart + i;
    }
    if (emailEnd <= i) emailEnd = runEnd(word, i, isEmailChar);
    if (emailEnd > i && word.charCodeAt(emailEnd) === 64) return wordStart + i;
    const lower = code | 32;
    if (lower === 119 && word.slice(i, i + 4).toLowerCase() === 'www.') return wordStart + i;
    if (lower === 109 && word.slice(i, i + 7).toLowerCase() === 'mailto:') return wordStart + i;
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
