import { lastOpenLinkBracket, PENDING_MARK } from './pending.js';

/** What is left open at the end of a leaf's inline source, as {@link scanInline} finds it. */
export interface InlineRepair {
  /** Ranges of the leaf's content to drop, as offsets from its start. */
  readonly removals: Array<readonly [number, number]>;
  /** Openers still waiting for their closer, innermost last, with their offsets. */
  readonly openers: ReadonlyArray<{ readonly run: string; readonly at: number }>;
  /**
   * A link whose target has not arrived: `suffix` turns it into a reference to the pending
   * label. It goes after the closers of the openers after `innerFrom` (those inside the link text).
   */
  readonly pendingLink?: { readonly suffix: string; readonly innerFrom: number };
}

const PUNCTUATION = /[!-/:-@[-`{-~\p{P}\p{S}]/u;
const WHITESPACE = /\s/u;

/**
 * Find what is left open at the end of a leaf's inline source: emphasis, strong, strikethrough,
 * code spans, links and images. Follows CommonMark's flanking rules so that `snake_case` and
 * `2 * 3` are not taken for openers.
 *
 * @example
 * ```ts
 * scanInline('some **bold', true).openers; // [{ run: '**', at: 5 }]
 * ```
 */
export function scanInline(source: string, markPending: boolean): InlineRepair {
  const removals: Array<readonly [number, number]> = [];
  let pendingLink: InlineRepair['pendingLink'];
  let openers: Array<{ run: string; at: number }> = [];
  const brackets: Array<{ at: number; image: boolean; depth: number }> = [];
  let destination:
    | { bracket: { at: number; image: boolean }; at: number; depth: number; quote: string | undefined }
    | undefined;
  const n = source.length;
  let i = 0;
  while (i < n) {
    const c = source[i]!;
    if (c === '\\') {
      i += 2;
      continue;
    }
    if (c === '`') {
      let run = 1;
      while (source[i + run] === '`') run++;
      const ticks = '`'.repeat(run);
      let search = i + run;
      let closedAt = -1;
      while (search < n) {
        const found = source.indexOf(ticks, search);
        if (found < 0) break;
        let end = found + run;
        while (source[end] === '`') end++;
        if (end - found === run) {
          closedAt = end;
          break;
        }
        search = end;
      }
      if (closedAt < 0) {
        // An open code span: everything after it is code, so nothing else can open.
        if (i + run >= n) removals.push([i, n]);
        else openers.push({ run: ticks, at: i });
        break;
      }
      i = closedAt;
      continue;
    }
    if (destination) {
      // Balanced parentheses belong to the target, and a title may hold any of them.
      if (destination.quote) {
        if (c === destination.quote) destination.quote = undefined;
      } else if ((c === '"' || c === "'") && WHITESPACE.test(source[i - 1] ?? '')) {
        destination.quote = c;
      } else if (c === '(') {
        destination.depth++;
      } else if (c === ')') {
        if (destination.depth === 0) destination = undefined;
        else destination.depth--;
      }
      i++;
      continue;
    }
    if (c === '[' || (c === '!' && source[i + 1] === '[')) {
      brackets.push({ at: i, image: c === '!', depth: openers.length });
      i += c === '!' ? 2 : 1;
      continue;
    }
    if (c === ']') {
      const bracket = brackets.pop();
      if (bracket) {
        openers = openers.slice(0, bracket.depth);
        if (source[i + 1] === '(') {
          destination = { bracket, at: i, depth: 0, quote: undefined };
          i += 2;
          continue;
        }
        // `[text]` typed last may still become `[text](url)` or `[text][ref]`: not live yet.
        if (markPending && i + 1 === n && !bracket.image && source[bracket.at + 1] !== '^') {
          pendingLink = { suffix: `[${PENDING_MARK}]`, innerFrom: Number.POSITIVE_INFINITY };
        }
      }
      i++;
      continue;
    }
    if (c === '*' || c === '_' || c === '~') {
      let run = 1;
      while (source[i + run] === c) run++;
      const before = i > 0 ? source[i - 1]! : ' ';
      const after = i + run < n ? source[i + run]! : ' ';
      const beforeSpace = WHITESPACE.test(before);
      const afterSpace = WHITESPACE.test(after);
      const beforePunct = PUNCTUATION.test(before);
      const afterPunct = PUNCTUATION.test(after);
      const left = !afterSpace && (!afterPunct || beforeSpace || beforePunct);
      const right = !beforeSpace && (!beforePunct || afterSpace || afterPunct);
      let canOpen = left;
      let canClose = right;
      if (c === '_') {
        canOpen = left && (!right || beforePunct);
        canClose = right && (!left || afterPunct);
      }
      if (c === '~' && run !== 2) {
        canOpen = false;
        canClose = false;
      }
      if (i + run >= n && !canClose) {
        // A marker typed last, with nothing after it yet: hold it back.
        removals.push([i, n]);
        break;
      }
      const runText = c.repeat(Math.min(run, 3));
      let closed = false;
      if (canClose) {
        // As in a link's text, a closer inside an open bracket closes nothing opened before it.
        const floor = brackets.length > 0 ? brackets[brackets.length - 1]!.depth : 0;
        for (let k = openers.length - 1; k >= floor; k--) {
          if (openers[k]!.run[0] === c) {
            openers = openers.slice(0, k);
            closed = true;
            break;
          }
        }
      }
      if (!closed && canOpen) openers.push({ run: runText, at: i });
      i += run;
      continue;
    }
    i++;
  }
  if (destination) {
    const { bracket } = destination;
    if (bracket.image) {
      removals.push([bracket.at, n]);
    } else if (markPending) {
      // The text shows, as a pending link, until the target's `)` arrives.
      removals.push([destination.at, n]);
      pendingLink = { suffix: `][${PENDING_MARK}]`, innerFrom: Number.POSITIVE_INFINITY };
    } else {
      removals.push([destination.at, n]);
      removals.push([bracket.at, bracket.at + 1]);
    }
    openers = openers.filter((o) => o.at < bracket.at || !bracket.image);
  }
  // The last link bracket still open shows its text as a pending link; any others, as text.
  const pendingBracket = markPending && !destination ? lastOpenLinkBracket(source, brackets) : undefined;
  for (const bracket of brackets) {
    // An image or footnote reference is held back whole; a link shows its text until it closes.
    if (bracket.image || source[bracket.at + 1] === '^') {
      removals.push([bracket.at, n]);
      openers = openers.filter((o) => o.at < bracket.at);
    } else if (bracket === pendingBracket) {
      pendingLink = { suffix: `][${PENDING_MARK}]`, innerFrom: bracket.at };
    } else {
      removals.push([bracket.at, bracket.at + 1]);
    }
  }
  return { removals, openers, ...(pendingLink ? { pendingLink } : {}) };
}
