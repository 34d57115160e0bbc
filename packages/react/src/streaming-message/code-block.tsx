'use client';
import { memo, type ReactNode, useEffect, useRef, useState } from 'react';
import type { StreamingMessageLabels } from './announcements.js';
import { type HighlightedChunk, useCodeHighlighting } from './code-highlighting.js';
import type { HighlightNode } from './highlight.js';

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

/** One highlighted chunk's spans; memoised, so it is built once. */
const HighlightedChunkNodes = memo(function HighlightedChunkNodes({ chunk }: { chunk: HighlightedChunk }) {
  return <>{toReact(chunk.nodes)}</>;
});

/** A group of chunks; memoised, so a new chunk re-renders the last group only. */
const HighlightedGroup = memo(function HighlightedGroup({ chunks }: { chunks: readonly HighlightedChunk[] }) {
  return (
    <>
      {chunks.map((chunk, i) => (
        // biome-ignore lint/suspicious/noArrayIndexKey: chunks only append (the last may be replaced in place)
        <HighlightedChunkNodes key={i} chunk={chunk} />
      ))}
    </>
  );
});

/** Every highlighted chunk; memoised, so a token that only adds plain text leaves them alone. */
const HighlightedCode = memo(function HighlightedCode({
  groups,
}: {
  groups: readonly (readonly HighlightedChunk[])[];
}) {
  return (
    <>
      {groups.map((chunks, i) => (
        // biome-ignore lint/suspicious/noArrayIndexKey: groups only ever append
        <HighlightedGroup key={i} chunks={chunks} />
      ))}
    </>
  );
});

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
 * streams (see `code-highlighting.ts`). The code scrolls sideways inside a named region that the keyboard can reach and scroll.
 */
export function CodeBlock({ code, language, open = false, labels, caret }: CodeBlockProps) {
  const highlighting = useCodeHighlighting(code, language, open);
  const plainFrom = highlighting?.covered.length ?? 0;
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
      data-highlighted={plainFrom > 0 ? (plainFrom === code.length ? '' : 'partial') : undefined}
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
          {highlighting && highlighting.groups.length > 0 ? <HighlightedCode groups={highlighting.groups} /> : null}
          {/* Finished lines not highlighted yet, then the line being written: a token rewrites only the last. */}
          {code.slice(plainFrom, lineStart)}
          {code.slice(lineStart)}
          {caret}
        </code>
      </pre>
    </div>
  );
}
