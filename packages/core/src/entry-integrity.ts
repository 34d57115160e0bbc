/**
 * The reducers' defence against text lost on the way: a message-per-response entry first met through an
 * append fragment keeps its fragments until a full snapshot makes it whole, and every ended entry is checked
 * against its end marker's length and checksum. Either gap flags the entry `incomplete` and asks for a re-read
 * (see `repair-reads.ts`), so a loss is visible and heals instead of ending as a silent `complete`.
 *
 * @module
 */
import type { ReducerContext } from './reducer-state.js';
import { compareSerials } from './serial.js';
import { type Entry, isIncomplete, textOf } from './store-entry.js';
import { matchesExpected, readExpectedText } from './text-integrity.js';

/** Fragments kept per partial response so an older full snapshot can still be completed exactly. */
const MAX_PARTIAL_FRAGMENTS = 4096;

/** Take the proof from an end marker's metadata (per-response) or `stop` headers (per-token). */
export function takeExpectedText(entry: Entry, fields: Readonly<Record<string, string>> | undefined): void {
  entry.expected = readExpectedText(fields) ?? entry.expected;
}

/** Check an ended entry against its end marker's proof; a mismatch is reported and asks for a re-read. */
export function verifyEntry(entry: Entry, context: ReducerContext, received: unknown): void {
  if (!entry.ended || !entry.expected) return;
  const text = textOf(entry);
  if (matchesExpected(text, entry.expected)) {
    entry.mismatch = false;
    if (!isIncomplete(entry)) entry.repairAsked = false;
    return;
  }
  if (entry.mismatch) return;
  entry.mismatch = true;
  context.report(
    'text-mismatch',
    `Response ${entry.responseId ?? entry.id} ended with ${text.length} characters; its end marker says ${entry.expected.length}. Reading it again.`,
    received,
  );
  context.requestRepair(entry);
}

/** A new entry met through a bare fragment: its beginning is missing. */
export function markPartial(
  entry: Entry,
  context: ReducerContext,
  version: string,
  fragment: string,
  received: unknown,
): void {
  entry.partial = true;
  entry.fragments = [{ version, text: fragment }];
  context.report(
    'partial-first-contact',
    `Response ${entry.responseId ?? entry.id} was first met through an append fragment; its beginning is missing. Reading it again.`,
    received,
  );
  context.requestRepair(entry);
}

/** Keep a partial entry's fragment, or give up on exact completion from older snapshots when too many. */
export function recordFragment(entry: Entry, version: string, fragment: string): void {
  if (!entry.partial || !entry.fragments) return;
  if (entry.fragments.length >= MAX_PARTIAL_FRAGMENTS) {
    entry.fragments = undefined;
    return;
  }
  entry.fragments.push({ version, text: fragment });
}

/**
 * Whether a full snapshot (`message.update` with data) at `order` relative to the entry's version can make an
 * entry that lacks text whole: at the same version or newer always; older only when the fragments since were kept.
 */
export function snapshotHeals(entry: Entry, order: number): boolean {
  if (entry.mismatch && order >= 0) return true;
  return entry.partial && (order >= 0 || entry.fragments !== undefined);
}

/** Make the entry whole from a snapshot `data` taken at `version` (plus the fragments after it, when older). */
export function healFromSnapshot(entry: Entry, data: string, version: string, order: number): void {
  let joined = data;
  if (order < 0)
    for (const fragment of entry.fragments ?? [])
      if (compareSerials(fragment.version, version) > 0) joined += fragment.text;
  entry.text.reset(joined);
  entry.partial = false;
  entry.fragments = undefined;
  entry.repairAsked = entry.mismatch;
}
