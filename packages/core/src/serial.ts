/**
 * Compare two Ably serials. Serials (and version serials) are opaque strings that sort
 * lexicographically in the order the server assigned them, so plain code-unit comparison is right.
 *
 * @returns a negative number when `a` is older, 0 when equal, positive when `a` is newer.
 * @example
 * ```ts
 * compareSerials('01826232498871-001@a:001', '01826232498871-001@a:002'); // < 0
 * ```
 */
export function compareSerials(a: string, b: string): number {
  if (a === b) return 0;
  return a < b ? -1 : 1;
}
