// Stands in for `punycode.js` in the bundled markdown-it (see build/markdown-it-dependencies.ts):
// only markdown-it's default normalizeLink and normalizeLinkText use it, and parser.ts replaces both
// (the URL policy's URL parser converts host names). Identity functions, should anything reach them.

/**
 * Host names as they are.
 * @example
 * ```ts
 * punycode.toASCII('bücher.example'); // 'bücher.example'
 * ```
 */
const punycode = {
  toASCII: (domain: string): string => domain,
  toUnicode: (domain: string): string => domain,
};

export default punycode;
