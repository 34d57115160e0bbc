// Spec examples whose rendering differs from the spec's HTML, each with the reason. The spec test
// fails if one of these starts to agree (so the list stays exact) or if any other example differs.

const RAW_HTML = 'raw HTML is off: tags in model output are shown as text';
const RAW_HTML_PRECEDENCE = 'raw HTML is off, so a tag no longer takes precedence over emphasis, code or a link';
const EMPTY_TARGET = 'URL policy: an empty target (the page itself) is not a link';
const PROTOCOL = 'URL policy: only http, https and mailto links by default';
const LINKIFY = 'GFM autolink literals are on, so a bare URL is a link where CommonMark alone leaves text';
const ONE_TILDE = 'strikethrough needs two tildes: one tilde is common in prose ("~5 minutes")';
const TRIPLE_TILDE = 'markdown-it strikes the inner pair of a three-tilde run';

function range(from: number, to: number): number[] {
  return Array.from({ length: to - from + 1 }, (_, i) => from + i);
}

function reasons(entries: ReadonlyArray<readonly [readonly number[], string]>): ReadonlyMap<number, string> {
  const map = new Map<number, string>();
  for (const [numbers, reason] of entries) for (const n of numbers) map.set(n, reason);
  return map;
}

/** CommonMark 0.31.2 examples that differ, by example number. */
export const commonmarkDifferences: ReadonlyMap<number, string> = reasons([
  [
    [21, 31, 201, 308, 309, 491, 494, 642, 643, ...range(148, 191), ...range(612, 617), 623, ...range(625, 631)],
    RAW_HTML,
  ],
  [[344, 475, 476, 477, 524, 536], RAW_HTML_PRECEDENCE],
  [[200, 485, 486, 487, 567], EMPTY_TARGET],
  [[596, 598, 599, 601], PROTOCOL],
  [[602, 608, 611], LINKIFY],
]);

/** GFM 0.29 extension examples that differ, by example number. */
export const gfmDifferences: ReadonlyMap<number, string> = reasons([
  [[491], ONE_TILDE],
  [[493], TRIPLE_TILDE],
  [[633, 634, 635], 'URL policy: xmpp links are not allowed'],
  [[657], RAW_HTML],
]);
