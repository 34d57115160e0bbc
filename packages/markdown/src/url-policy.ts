/** Protocols that links may use unless the caller configures otherwise. */
export const DEFAULT_LINK_PROTOCOLS: readonly string[] = ['http:', 'https:', 'mailto:'];

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
  // biome-ignore lint/suspicious/noControlCharactersInRegex: stripping control characters is the point
  const cleaned = href.replace(/[\u0000-\u0020\u007f-\u009f]/g, '');
  if (cleaned.startsWith('//') || cleaned.startsWith('\\\\')) return false;
  let url: URL;
  try {
    url = new URL(cleaned);
  } catch {
    return false;
  }
  return protocols.includes(url.protocol.toLowerCase());
}
