'use client';
import { memo, type ReactNode, useEffect, useMemo, useRef, useState } from 'react';
import type { StreamingMessageLabels } from './announcements.js';
import type { HighlightNode } from './highlight.js';

const cache = new Map<string, HighlightNode[] | null>();
const CACHE_LIMIT = 200;

function cacheKey(language: string, code: string): string {
  return `${language}\u0000${code}`;
}

function toReact(nodes: readonly HighlightNode[]): ReactNode[] {
  return nodes.map((node, i) =>
    node.type === 'text' ? (
      node.value
    ) : (
      // biome-ignore lint/suspicious/noArrayIndexKey: highlighted spans never reorder
      <span key={i} className={node.className}>
        {toReact(node.children)}
      </span>
    ),
  );
}

/** Highlighted spans as React nodes; memoised, so a token that only adds plain text leaves them alone. */
const HighlightedNodes = memo(function HighlightedNodes({ nodes }: { nodes: readonly HighlightNode[] }) {
  return <>{toReact(nodes)}</>;
});

/**
 * An open block is highlighted again once its finished lines have grown by a quarter: colours follow the
 * stream, and the highlighting of a long block costs a bounded multiple of its length rather than its
 * length for every line.
 */
const REHIGHLIGHT_GROWTH = 1.25;

/** A highlighted beginning of a code block: `code` is the text the nodes cover. */
interface Highlighted {
  readonly code: string;
  readonly nodes: HighlightNode[];
}

/**
 * Highlighting for a code block, loaded on first use. A closed fence is highlighted whole; an open
 * one up to a finished line, again each time its finished lines grow by a quarter, so colours arrive
 * as the code streams rather than all at once when the fence closes. Until a new version is ready
 * the last one is kept (with the rest as plain text), so no colour ever flashes off.
 */
function useHighlight(code: string, language: string | undefined, open: boolean): Highlighted | undefined {
  const finished = open ? code.lastIndexOf('\n') + 1 : code.length;
  // The text to highlight; kept (the same string) until the block has grown enough or changed.
  const planned = useRef('');
  const previous = planned.current;
  if (!open || !previous || !code.startsWith(previous) || finished >= previous.length * REHIGHLIGHT_GROWTH) {
    planned.current = code.slice(0, finished);
  }
  const target = planned.current;
  // Memoised on the target, which changes only when it is planned again (or the fence closes): a
  // streaming block builds no key and schedules no effect per token.
  const key = useMemo(() => (language && target ? cacheKey(language, target) : ''), [language, target]);
  const [, setLoaded] = useState('');
  const shown = useRef<Highlighted>(undefined);
  const wanted = key && !cache.has(key) ? key : '';
  // biome-ignore lint/correctness/useExhaustiveDependencies: `wanted` changes exactly when target or language do
  useEffect(() => {
    if (!wanted || !language) return;
    let cancelled = false;
    import('./highlight.js').then(
      ({ highlight }) => {
        const nodes = highlight(target, language);
        if (cache.size >= CACHE_LIMIT) cache.delete(cache.keys().next().value!);
        cache.set(wanted, nodes ?? null);
        if (!cancelled) setLoaded(wanted);
      },
      () => undefined, // without highlighting the code still shows as plain text
    );
    return () => {
      cancelled = true;
    };
  }, [wanted]);
  if (!key) return undefined;
  const cached = cache.get(key);
  if (cached) shown.current = { code: target, nodes: cached };
  else if (cached === null) shown.current = undefined; // a language lowlight does not know
  // The code only grows while it streams; a version that is no longer its beginning is dropped.
  if (shown.current && !code.startsWith(shown.current.code)) shown.current = undefined;
  return shown.current;
}

/** Props of {@link CodeBlock}. */
export interface CodeBlockProps {
  readonly code: string;
  readonly language?: string | undefined;
  /** The fence is still open: the code streams in, highlighted up to its last finished line. */
  readonly open?: boolean | undefined;
  readonly labels: StreamingMessageLabels;
  /** Drawn after the last character of the code. */
  readonly caret?: ReactNode;
}

/**
 * A fenced or indented code block with a copy button; highlighted lazily, line by line while it
 * streams. The code scrolls sideways inside a named region that the keyboard can reach and scroll.
 */
export function CodeBlock({ code, language, open = false, labels, caret }: CodeBlockProps) {
  const highlighted = useHighlight(code, language, open);
  const plainFrom = highlighted ? highlighted.code.length : 0;
  const lineStart = Math.max(plainFrom, code.lastIndexOf('\n') + 1);
  const [copied, setCopied] = useState(false);
  const timer = useRef<ReturnType<typeof setTimeout>>(undefined);
  useEffect(() => () => clearTimeout(timer.current), []);
  const copy = () => {
    void navigator.clipboard?.writeText(code).then(() => {
      setCopied(true);
      clearTimeout(timer.current);
      timer.current = setTimeout(() => setCopied(false), 2000);
    });
  };
  return (
    <div
      data-part="code-block"
      data-language={language}
      data-open={open ? '' : undefined}
      data-highlighted={highlighted ? (highlighted.code.length === code.length ? '' : 'partial') : undefined}
    >
      <div data-part="code-toolbar">
        {language ? <span data-part="code-language">{language}</span> : null}
        <button type="button" data-part="copy-button" onClick={copy} disabled={open}>
          {copied ? labels.copied : labels.copyCode}
        </button>
      </div>
      {/* A long line scrolls sideways: the keyboard must reach the block to scroll it. A named group
          (not a landmark, not a fieldset) says what it is when focused. */}
      {/* biome-ignore lint/a11y/noNoninteractiveTabindex: a scrollable region must be focusable */}
      {/* biome-ignore lint/a11y/useSemanticElements: a group of code, not of form fields */}
      <pre tabIndex={0} role="group" aria-label={language ? `${labels.code}: ${language}` : labels.code}>
        <code className={language ? `language-${language}` : undefined}>
          {highlighted ? <HighlightedNodes nodes={highlighted.nodes} /> : null}
          {/* Finished lines not highlighted yet, then the line being written: a token rewrites only the last. */}
          {code.slice(plainFrom, lineStart)}
          {code.slice(lineStart)}
          {caret}
        </code>
      </pre>
    </div>
  );
}
