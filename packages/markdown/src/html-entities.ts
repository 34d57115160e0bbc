// The HTML named character references for the bundled markdown-it, in place of the `entities` package
// (its decoding table is ~16 KiB gz, a quarter of the component's initial size).
// `decode-named-character-reference` asks the browser's own HTML parser in browsers (its `browser`
// export) and uses the full HTML table everywhere else (Node, workers, edge runtimes), so a page and
// its server-rendered HTML decode the same references to the same characters.
import { decodeNamedCharacterReference } from 'decode-named-character-reference';

// markdown-it hands over one whole reference; anything else is returned as it came.
const NAMED_REFERENCE = /^&([A-Za-z][A-Za-z0-9]{1,31});$/;

/**
 * Decode one named character reference (`&name;`, semicolon required, as CommonMark asks); a string
 * that is not a known reference comes back unchanged. Same contract as `entities`' `decodeHTMLStrict`
 * for the references markdown-it passes.
 * @example
 * ```ts
 * decodeHTMLStrict('&copy;'); // '©'
 * decodeHTMLStrict('&notit;'); // '&notit;' (not a reference, though `&not` is one without `;`)
 * ```
 */
export function decodeHTMLStrict(reference: string): string {
  const name = NAMED_REFERENCE.exec(reference)?.[1];
  if (name === undefined) return reference;
  try {
    return decodeNamedCharacterReference(name) || reference;
  } catch {
    // A page that enforces Trusted Types refuses the browser decoder's innerHTML: the reference stays
    // as written rather than breaking the render.
    return reference;
  }
}
