'use client';
import { type ReactNode, useEffect, useRef, useState } from 'react';
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

/** Highlighting for a closed fence, loaded on first use; undefined until it is ready. */
function useHighlight(code: string, language: string | undefined, enabled: boolean): HighlightNode[] | undefined {
  const key = language ? cacheKey(language, code) : '';
  const [result, setResult] = useState<{ key: string; nodes: HighlightNode[] | undefined }>();
  // Keyed on one value that stays '' while the fence is open, so a streaming block schedules no
  // effect per token.
  const wanted = enabled && language && !cache.has(key) ? key : '';
  // biome-ignore lint/correctness/useExhaustiveDependencies: `wanted` changes exactly when code or language do (while enabled)
  useEffect(() => {
    if (!wanted || !language) return;
    let cancelled = false;
    import('./highlight.js').then(
      ({ highlight }) => {
        const nodes = highlight(code, language);
        if (cache.size >= CACHE_LIMIT) cache.delete(cache.keys().next().value!);
        cache.set(wanted, nodes ?? null);
        if (!cancelled) setResult({ key: wanted, nodes });
      },
      () => undefined, // without highlighting the code still shows as plain text
    );
    return () => {
      cancelled = true;
    };
  }, [wanted]);
  if (!enabled || !language) return undefined;
  const cached = cache.get(key);
  if (cached !== undefined) return cached ?? undefined;
  return result?.key === key ? result.nodes : undefined;
}

/** Props of {@link CodeBlock}. */
export interface CodeBlockProps {
  readonly code: string;
  readonly language?: string | undefined;
  /** The fence is still open: show the code as it streams, highlight once it closes. */
  readonly open?: boolean | undefined;
  readonly labels: StreamingMessageLabels;
}

/** A fenced or indented code block with a copy button; highlighted lazily once complete. */
export function CodeBlock({ code, language, open = false, labels }: CodeBlockProps) {
  const highlighted = useHighlight(code, language, !open);
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
      data-highlighted={highlighted ? '' : undefined}
    >
      <div data-part="code-toolbar">
        {language ? <span data-part="code-language">{language}</span> : null}
        <button type="button" data-part="copy-button" onClick={copy} disabled={open}>
          {copied ? labels.copied : labels.copyCode}
        </button>
      </div>
      <pre>
        <code className={language ? `language-${language}` : undefined}>
          {highlighted ? toReact(highlighted) : code}
        </code>
      </pre>
    </div>
  );
}
