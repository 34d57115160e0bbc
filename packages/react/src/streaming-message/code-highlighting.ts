'use client';
// Highlighting of a code block as it streams, in chunks of finished lines. Each finished line is
// highlighted once, on its own, when the highlighting so far ends outside every span (a newline at the
// top level of the grammar, where highlight.js is back in its starting state); a chunk that ends inside
// a span (an open block comment, a multi-line string) is highlighted again together with the lines
// after it, once they have grown by a quarter of it, so its colours follow the grammar. The work per
// token stays flat however long the block grows; colours follow the stream line by line.
import { useEffect, useMemo, useRef, useState } from 'react';
import type { HighlightNode } from './highlight.js';

/** A highlighted run of whole lines (the last chunk of a closed block may end without a newline). */
export interface HighlightedChunk {
  readonly code: string;
  readonly nodes: readonly HighlightNode[];
}

/** How far a block is highlighted: chunks in groups (a new chunk re-renders one group, not all chunks). */
export interface CodeHighlighting {
  readonly language: string;
  /** The code the chunks cover, joined: always a beginning of the block's code. */
  readonly covered: string;
  readonly groups: readonly (readonly HighlightedChunk[])[];
  /** The last chunk ends inside a span: the next chunk replaces it, with the lines after it. */
  readonly endsInSpan: boolean;
  /** The highlighter does not know the language: the code stays plain. */
  readonly unknown: boolean;
  /** Changes with every result, applied or not, so a result that no longer fits plans the next one. */
  readonly attempt: number;
}

/** Chunks per group: a new chunk copies one group of at most this many and the list of groups. */
const GROUP_SIZE = 32;

/** A chunk that ends inside a span is highlighted again once the lines after it are a quarter of it. */
const REDO_GROWTH = 0.25;

/** Whole closed blocks, highlighted once per text (a remount or a second message shows them at once). */
const wholeBlocks = new Map<string, readonly HighlightNode[] | null>();
const WHOLE_BLOCK_LIMIT = 200;

function wholeBlockKey(language: string, code: string): string {
  return `${language}\u0000${code}`;
}

function lastChunk(progress: CodeHighlighting): HighlightedChunk | undefined {
  return progress.groups.at(-1)?.at(-1);
}

/** Whether highlighting `code` ended outside every span: its last node is plain text ending the line. */
function endsAtTopLevel(nodes: readonly HighlightNode[]): boolean {
  const last = nodes.at(-1);
  return last?.type === 'text' && last.value.endsWith('\n');
}

function start(language: string, attempt: number): CodeHighlighting {
  return { language, covered: '', groups: [], endsInSpan: false, unknown: false, attempt };
}

function withChunk(progress: CodeHighlighting, chunk: HighlightedChunk, replaceLast: boolean): CodeHighlighting {
  const groups = progress.groups.slice();
  const group = (groups.pop() ?? []).slice();
  if (replaceLast) group.pop();
  if (group.length < GROUP_SIZE) groups.push([...group, chunk]);
  else groups.push(group, [chunk]);
  const kept = replaceLast
    ? progress.covered.slice(0, progress.covered.length - lastChunk(progress)!.code.length)
    : progress.covered;
  return {
    ...progress,
    covered: kept + chunk.code,
    groups,
    endsInSpan: !endsAtTopLevel(chunk.nodes),
    attempt: progress.attempt + 1,
  };
}

/** The progress that still describes `code` in `language`, or a fresh start. */
function current(progress: CodeHighlighting | undefined, code: string, language: string): CodeHighlighting {
  if (progress && progress.language === language && code.startsWith(progress.covered)) return progress;
  return start(language, (progress?.attempt ?? 0) + 1);
}

/** What to highlight next: the code from `from` to `to`, or undefined when nothing is due. */
function nextJob(progress: CodeHighlighting, code: string, open: boolean): { from: number; to: number } | undefined {
  if (progress.unknown) return undefined;
  const to = open ? code.lastIndexOf('\n') + 1 : code.length;
  const added = to - progress.covered.length;
  if (added <= 0) return undefined;
  const last = lastChunk(progress);
  if (!progress.endsInSpan || !last) return { from: progress.covered.length, to };
  // Redoing a chunk costs its length: wait for a quarter of it, so a comment open for the whole block
  // is highlighted a bounded number of times (but at once when the block closes).
  if (open && added < last.code.length * REDO_GROWTH) return undefined;
  return { from: progress.covered.length - last.code.length, to };
}

/**
 * The highlighting of a code block, up to its last finished line while `open`, loaded on first use.
 * Until a chunk is ready the code after the highlighted part shows as plain text, so no colour ever
 * flashes off and no character is ever missing.
 *
 * @example
 * ```tsx
 * const highlighting = useCodeHighlighting(code, 'ts', open);
 * const plainFrom = highlighting?.covered.length ?? 0;
 * ```
 */
export function useCodeHighlighting(
  code: string,
  language: string | undefined,
  open: boolean,
): CodeHighlighting | undefined {
  const [state, setState] = useState<CodeHighlighting | undefined>(undefined);
  // A closed block seen before is shown highlighted at once.
  const cachedWhole = useMemo(() => {
    if (open || !language) return undefined;
    const nodes = wholeBlocks.get(wholeBlockKey(language, code));
    if (nodes === undefined) return undefined;
    return nodes === null
      ? { ...start(language, 0), unknown: true }
      : withChunk(start(language, 0), { code, nodes }, false);
  }, [code, language, open]);
  const progress = language ? current(state, code, language) : undefined;
  const shown = progress && progress.covered.length === 0 && cachedWhole ? cachedWhole : progress;
  const job = shown && shown !== cachedWhole ? nextJob(shown, code, open) : undefined;
  const latestCode = useRef(code);
  const inFlight = useRef(false);
  const mounted = useRef(true);
  useEffect(() => {
    latestCode.current = code;
  });
  useEffect(() => {
    mounted.current = true;
    return () => {
      mounted.current = false;
    };
  }, []);
  const jobKey = job && language ? `${language}:${shown!.attempt}:${job.from}:${job.to}` : '';
  // biome-ignore lint/correctness/useExhaustiveDependencies: `jobKey` names the job and everything it reads
  useEffect(() => {
    if (!job || !language || inFlight.current) return;
    inFlight.current = true;
    const source = code.slice(job.from, job.to);
    const whole = job.from === 0 && job.to === code.length && !open;
    import('./highlight.js')
      .then(({ highlight }) => highlight(source, language) ?? null)
      // Without the highlighter (a chunk that failed to load) the code still shows as plain text.
      .catch(() => null)
      .then((nodes) => {
        inFlight.current = false;
        if (whole) {
          if (wholeBlocks.size >= WHOLE_BLOCK_LIMIT) wholeBlocks.delete(wholeBlocks.keys().next().value!);
          wholeBlocks.set(wholeBlockKey(language, source), nodes);
        }
        if (!mounted.current) return;
        setState((previous) => {
          const base = current(previous, latestCode.current, language);
          const replacing = base.endsInSpan ? lastChunk(base) : undefined;
          const from = base.covered.length - (replacing?.code.length ?? 0);
          // The code changed under the job (another text, another language): plan again from what fits.
          if (from !== job.from || !latestCode.current.startsWith(source, from)) {
            return { ...base, attempt: base.attempt + 1 };
          }
          if (nodes === null) return { ...base, unknown: true, attempt: base.attempt + 1 };
          return withChunk(base, { code: source, nodes }, replacing !== undefined);
        });
      });
  }, [jobKey]);
  return shown;
}
