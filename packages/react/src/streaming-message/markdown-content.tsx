'use client';
import {
  collectFootnotes,
  createStreamingMarkdown,
  type FootnoteList,
  type MarkdownBlock,
  type MarkdownNode,
  type StreamingMarkdown,
  type UrlPolicy,
} from '@resumable/markdown';
import { createContext, createElement, memo, type ReactNode, useContext, useId, useMemo, useRef } from 'react';
import type { StreamingMessageLabels } from './announcements.js';
import { CodeBlock } from './code-block.js';
import { PendingLink } from './pending-link.js';

interface RenderContextValue {
  readonly labels: StreamingMessageLabels;
  readonly idPrefix: string;
}

const RenderContext = createContext<RenderContextValue | null>(null);
const FootnoteNumbers = createContext<ReadonlyMap<string, number>>(new Map());

function FootnoteRef({ label }: { label: string }) {
  const numbers = useContext(FootnoteNumbers);
  const { idPrefix } = useContext(RenderContext)!;
  const n = numbers.get(label);
  if (n === undefined) return <sup data-part="footnote-ref">{`[^${label}]`}</sup>;
  return (
    <sup data-part="footnote-ref">
      <a href={`#${idPrefix}fn-${n}`} id={`${idPrefix}fnref-${n}`}>
        {n}
      </a>
    </sup>
  );
}

function renderNodes(nodes: readonly MarkdownNode[], ctx: RenderContextValue): ReactNode[] {
  return nodes.map((node, i) => renderNode(node, i, ctx));
}

function renderNode(node: MarkdownNode, key: number, ctx: RenderContextValue): ReactNode {
  if (node.type === 'text') return node.value;
  const { properties: p } = node;
  switch (node.tagName) {
    case 'pre': {
      const code = node.children[0]?.type === 'text' ? node.children[0].value : '';
      return <CodeBlock key={key} code={code} language={p.language} open={p.open} labels={ctx.labels} />;
    }
    case 'a':
      return (
        <a key={key} href={p.href} rel={p.rel} title={p.title}>
          {renderNodes(node.children, ctx)}
        </a>
      );
    case 'pending-link':
      return <PendingLink key={key}>{renderNodes(node.children, ctx)}</PendingLink>;
    case 'img':
      return <img key={key} src={p.src} alt={p.alt} title={p.title} loading="lazy" referrerPolicy="no-referrer" />;
    case 'blocked-image': {
      const description = [ctx.labels.blockedImage, p.alt, p.blockedOrigin].filter(Boolean).join(': ');
      return (
        <span key={key} data-part="blocked-image" role="img" aria-label={description} title={description}>
          {`[${p.alt || ctx.labels.blockedImage}]`}
        </span>
      );
    }
    case 'footnote-ref':
      return <FootnoteRef key={key} label={p.label!} />;
    case 'footnote-def':
      return null; // gathered into the footnote section at the end
    case 'li':
      if (p.checked === undefined) break;
      return (
        <li key={key} data-task={p.checked ? 'checked' : 'unchecked'}>
          <input type="checkbox" checked={p.checked} disabled readOnly aria-label={p.checked ? 'Done' : 'Not done'} />{' '}
          {renderNodes(node.children, ctx)}
        </li>
      );
    case 'ol':
      return (
        <ol key={key} start={p.start}>
          {renderNodes(node.children, ctx)}
        </ol>
      );
    case 'tbody':
      return <tbody key={key}>{renderGroups(node.children, ctx)}</tbody>;
    case 'p':
      return <p key={key}>{renderGroups(node.children, ctx)}</p>;
    case 'th':
    case 'td':
      return createElement(
        node.tagName,
        { key, style: p.align ? { textAlign: p.align } : undefined },
        ...renderNodes(node.children, ctx),
      );
  }
  return node.children.length === 0
    ? createElement(node.tagName, { key })
    : createElement(node.tagName, { key }, ...renderNodes(node.children, ctx));
}

const sameNodes = (a: NodeGroupProps, b: NodeGroupProps) =>
  a.ctx === b.ctx && a.nodes.length === b.nodes.length && a.nodes.every((node, i) => node === b.nodes[i]);

interface NodeGroupProps {
  readonly nodes: readonly MarkdownNode[];
  readonly ctx: RenderContextValue;
}

// A streaming table keeps its finished rows, and a long streaming paragraph its finished text
// (the same nodes on every update), so their children render in memoised groups: a token
// re-renders the last group, not every row or link. Always grouped, so nothing is remounted when
// a paragraph or table grows past one group.
const NodeGroup = memo(function NodeGroup({ nodes, ctx }: NodeGroupProps) {
  return <>{renderNodes(nodes, ctx)}</>;
}, sameNodes);

function renderGroups(nodes: readonly MarkdownNode[], ctx: RenderContextValue): ReactNode[] {
  const groups: ReactNode[] = [];
  for (let start = 0; start < nodes.length; start += FANOUT) {
    groups.push(<NodeGroup key={start} nodes={nodes.slice(start, start + FANOUT)} ctx={ctx} />);
  }
  return groups;
}

/** One block; completed blocks keep their identity, so they render once. */
const Block = memo(function Block({ block, ctx }: { block: MarkdownBlock; ctx: RenderContextValue }) {
  return <>{renderNodes(block.nodes, ctx)}</>;
});

// Blocks are rendered as a shallow tree: sections of chunks of blocks, each group memoised. A token
// changes the last block, so it re-renders one section and one chunk and costs a few memo checks
// per level instead of one per block of the answer. Blocks keep their position in the tree from
// the moment they appear, so the DOM of a block is never replaced when it completes.
const FANOUT = 16;

type Chunk = readonly MarkdownBlock[];
type Section = readonly Chunk[];

function ChunkBlocks({ blocks, ctx }: { blocks: Chunk; ctx: RenderContextValue }) {
  return (
    <>
      {blocks.map((block) => (
        <Block key={block.key} block={block} ctx={ctx} />
      ))}
    </>
  );
}

// Each memoised group renders one wrapper child: React walks a skipped fiber's direct children
// once per render, so that walk should be one fiber long, not FANOUT.
const MemoChunk = memo(function MemoChunk({ blocks, ctx }: { blocks: Chunk; ctx: RenderContextValue }) {
  return <ChunkBlocks blocks={blocks} ctx={ctx} />;
});

function SectionChunks({ chunks, ctx }: { chunks: Section; ctx: RenderContextValue }) {
  return (
    <>
      {chunks.map((blocks, i) => (
        // biome-ignore lint/suspicious/noArrayIndexKey: chunk i always holds the same block positions
        <MemoChunk key={i} blocks={blocks} ctx={ctx} />
      ))}
    </>
  );
}

const MemoSection = memo(function MemoSection({ chunks, ctx }: { chunks: Section; ctx: RenderContextValue }) {
  return <SectionChunks chunks={chunks} ctx={ctx} />;
});

/** Group `items` by FANOUT, reusing last render's group arrays whose members are all unchanged. */
function regroup<T>(items: readonly T[], previous: readonly (readonly T[])[]): (readonly T[])[] {
  const groups: (readonly T[])[] = [];
  for (let start = 0, g = 0; start < items.length; start += FANOUT, g++) {
    const end = Math.min(items.length, start + FANOUT);
    const prev = previous[g];
    let same = prev !== undefined && prev.length === end - start;
    for (let i = start; same && i < end; i++) same = prev![i - start] === items[i];
    groups.push(same ? prev! : items.slice(start, end));
  }
  return groups;
}

/** The blocks as sections of chunks, with unchanged groups keeping their identity across renders. */
function useSections(blocks: readonly MarkdownBlock[]): Section[] {
  const previous = useRef<{ chunks: Chunk[]; sections: Section[] }>({ chunks: [], sections: [] });
  const chunks = regroup(blocks, previous.current.chunks);
  const sections = regroup(chunks, previous.current.sections);
  previous.current = { chunks, sections };
  return sections;
}

function useStreamingMarkdown(urlPolicy: UrlPolicy | undefined): StreamingMarkdown {
  const policyKey = JSON.stringify(urlPolicy ?? {});
  const ref = useRef<{ key: string; doc: StreamingMarkdown }>(undefined);
  if (!ref.current || ref.current.key !== policyKey) {
    ref.current = { key: policyKey, doc: createStreamingMarkdown(urlPolicy ? { urlPolicy } : {}) };
  }
  return ref.current.doc;
}

const NO_FOOTNOTES: FootnoteList = { numbers: new Map(), definitions: [] };

/** Props of {@link MarkdownContent}. */
export interface MarkdownContentProps {
  readonly text: string;
  /** Repair the open end (while streaming); off once the response is final. */
  readonly repair: boolean;
  readonly urlPolicy?: UrlPolicy | undefined;
  readonly labels: StreamingMessageLabels;
}

/** Markdown rendered as React elements, block by block. */
export function MarkdownContent({ text, repair, urlPolicy, labels }: MarkdownContentProps) {
  const doc = useStreamingMarkdown(urlPolicy);
  // Updating the same text again returns the same snapshot, so this is safe under StrictMode.
  const snapshot = doc.update(text, { complete: !repair });
  const idPrefix = `${useId().replace(/[^a-zA-Z0-9_-]/g, '')}-`;
  const ctx = useMemo(() => ({ labels, idPrefix }), [labels, idPrefix]);
  const sections = useSections(snapshot.blocks);
  const footnotes = snapshot.hasFootnotes ? collectFootnotes(snapshot.blocks) : NO_FOOTNOTES;
  const footnoteKey = [...footnotes.numbers.keys()].join('\u0000');
  // biome-ignore lint/correctness/useExhaustiveDependencies: the numbers change exactly when the key does
  const numbers = useMemo(() => footnotes.numbers, [footnoteKey]);
  return (
    <RenderContext.Provider value={ctx}>
      <FootnoteNumbers.Provider value={numbers}>
        {sections.map((chunks, i) => (
          // biome-ignore lint/suspicious/noArrayIndexKey: section i always holds the same block positions
          <MemoSection key={i} chunks={chunks} ctx={ctx} />
        ))}
        {footnotes.definitions.length > 0 ? (
          <section data-part="footnotes" aria-label={labels.footnotes}>
            <ol>
              {footnotes.definitions.map((def, i) => (
                <li key={def.properties.label} id={`${idPrefix}fn-${i + 1}`}>
                  {renderNodes(def.children, ctx)}
                  <a
                    href={`#${idPrefix}fnref-${i + 1}`}
                    aria-label={labels.backToReference}
                    data-part="footnote-backref"
                  >
                    ↩
                  </a>
                </li>
              ))}
            </ol>
          </section>
        ) : null}
      </FootnoteNumbers.Provider>
    </RenderContext.Provider>
  );
}
