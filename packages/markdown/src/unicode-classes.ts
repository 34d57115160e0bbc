// Stands in for `uc.micro` in the bundled markdown-it (see build/markdown-it-dependencies.ts): the
// same Unicode classes as regular expression property escapes, which the JavaScript engine already
// knows, instead of ~2 KiB gz of spelled-out ranges. markdown-it reads P and S (the punctuation and
// symbols that decide whether `*` and `_` can open or close emphasis); the rest is its public `lib`.

/**
 * Unicode punctuation (general category P).
 * @example
 * ```ts
 * P.test('¿'); // true
 * ```
 */
export const P = /\p{P}/u;
/** Unicode symbols (category S). @example S.test('£'); // true */
export const S = /\p{S}/u;
/** Unicode separators (category Z). @example Z.test('\u00a0'); // true */
export const Z = /\p{Z}/u;
/** Control characters (category Cc). @example Cc.test('\u0007'); // true */
export const Cc = /\p{Cc}/u;
/** Format characters (category Cf). @example Cf.test('\u200d'); // true */
export const Cf = /\p{Cf}/u;
/** Any code point, lone surrogates included. @example Any.test('\ud800'); // true */
export const Any = /[\0-\u{10FFFF}]/u;
