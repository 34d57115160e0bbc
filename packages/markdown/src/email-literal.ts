import type { Token } from './parser.js';

// GFM: an email literal's local part is alphanumerics and `.+-_`; linkify-it takes in more (`*a@b.c`).
const GFM_EMAIL = /[a-z0-9.+_-]+@[^@]*$/i;

// GFM: an email literal's domain is alphanumerics, `-`, `_` and dots, with a dot, not ending in
// `-` or `_`; linkify-it also accepts `+` and others (`hello@mail+xyz.example` is not an email).
const GFM_EMAIL_DOMAIN = /^[a-z0-9_-]+(?:\.[a-z0-9_-]+)+$/i;

/**
 * For a bare email found by linkify, whether GFM would link it; undefined for other links.
 * @example
 * ```ts
 * isGfmEmailLiteral(token, 'mailto:hello@mail+xyz.example'); // false
 * ```
 */
export function isGfmEmailLiteral(token: Token, href: string): boolean | undefined {
  if (token.markup !== 'linkify' || !href.startsWith('mailto:')) return undefined;
  const domain = href.slice(href.lastIndexOf('@') + 1);
  return GFM_EMAIL_DOMAIN.test(domain) && !/[-_]$/.test(domain);
}

/** The end of `address` that GFM takes as the email: without characters it does not allow first. *
 * @example
 * ```ts
 * gfmEmailPart('*support@example.com'); // 'support@example.com'
 * ```
 */
export function gfmEmailPart(address: string): string {
  return GFM_EMAIL.exec(address)?.[0] ?? address;
}
