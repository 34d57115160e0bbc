'use client';
import {
  collectFootnotes,
  createStreamingMarkdown,
  type FootnoteList,
  type MarkdownBlock,
  type MarkdownElement,
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

/** Elements whose last child, when it is one of these, holds the end of the text (and so the caret). */
const CARET_DESCENDS = new Set<string>([
  'p',
  'h1',
  'h2',
  'h3',
  'h4',
  'h5',
  'h6',
  'blockquote',
  'ul',
  'ol',
  'li',
  'table',
  'thead',
  'tbody',
  'tr',
  'th',
  'td',
  'pre',
]);

/**
 * Render `nodes`; with a `caret`, put it right after the last character: inside the last child
 * when that is a block that holds text, else after the last (inline) child.
 */
function renderNodes(nodes: readonly MarkdownNode[], ctx: RenderContextValue, caret?: ReactNode): ReactNode[] {
  const rendered = nodes.map((node, i) => renderNode(node, i, ctx));
  if (caret == null) return rendered;
  const last = nodes[nodes.length - 1];
  if (last?.type === 'element' && CARET_DESCENDS.has(last.tagName)) {
    rendered[rendered.length - 1] = renderNode(last, nodes.length - 1, ctx, caret);
  } else rendered.push(caret);
  return rendered;
}

function renderNode(node: MarkdownNode, key: number, ctx: RenderContextValue, caret?: ReactNode): ReactNode {
  if (node.type === 'text') return caret == null ? node.value : [node.value, caret];
  const { properties: p } = node;
  switch (node.tagName) {
    case 'pre': {
      const code = node.children[0]?.type === 'text' ? node.children[0].value : '';
      return <CodeBlock key={key} code={code} language={p.language} open={p.open} labels={ctx.labels} caret={caret} />;
    }
    case 'hr':
    case 'img':
    case 'br':
    case 'blocked-image':
    case 'footnote-ref':
      // Nothing to put the caret inside: it follows the element.
      if (caret != null) return [renderNode(node, key, ctx), caret];
      break;
    case 'table':
      // Wide tables scroll sideways inside a named group the keyboard can reach (not a landmark:
      // an answer may hold many).
      return (
        // biome-ignore lint/a11y/noNoninteractiveTabindex: a scrollable region must be focusable
        // biome-ignore lint/a11y/useSemanticElements: a group around a table, not of form fields
        <div key={key} data-part="table" role="group" aria-label={ctx.labels.table} tabIndex={0}>
          <table>{renderNodes(node.children, ctx, caret)}</table>
        </div>
      );
    case 'ul':
      return (
        <ul key={key} data-task-list={node.children.some(isTaskItem) ? '' : undefined}>
          {renderNodes(node.children, ctx, caret)}
        </ul>
      );
  }
  return renderElement(node, key, ctx, caret);
}

const isTaskItem = (node: MarkdownNode) =>
  node.type === 'element' && node.tagName === 'li' && node.properties.checked !== undefined;

function renderElement(node: MarkdownElement, key: number, ctx: RenderContextValue, caret: ReactNode): ReactNode {
  const { properties: p } = node;
  switch (node.tagName) {
    case 'a':
      return (
        <a key={key} href={p.href} rel={p.rel} title={p.title}>
          {renderNodes(node.children, ctx, caret)}
        </a>
      );
    case 'pending-link':
      return <PendingLink key={key}>{renderNodes(node.children, ctx, caret)}</PendingLink>;
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
          {renderNodes(node.children, ctx, caret)}
        </li>
      );
    case 'ol':
      return (
        <ol key={key} start={p.start}>
          {renderNodes(node.children, ctx, caret)}
        </ol>
      );
    case 'tbody':
      return <tbody key={key}>{renderGroups(node.children, ctx, caret)}</tbody>;
    case 'p':
      return <p key={key}>{renderGroups(node.children, ctx, caret)}</p>;
    case 'th':
    case 'td':
      return createElement(
        node.tagName,
        { key, style: p.align ? { textAlign: p.align } : undefined },
        ...renderNodes(node.children, ctx, caret),
      );
  }
  return node.children.length === 0 && caret == null
    ? createElement(node.tagName, { key })
    : createElement(node.tagName, { key }, ...renderNodes(node.children, ctx, caret));
}

const sameNodes = (a: NodeGroupProps, b: NodeGroupProps) =>
  a.ctx === b.ctx &&
  a.caret === b.caret &&
  a.nodes.length === b.nodes.length &&
  a.nodes.every((node, i) => node === b.nodes[i]);

interface NodeGroupProps {
  readonly nodes: readonly MarkdownNode[];
  readonly ctx: RenderContextValue;
  /** Only the last group holds the caret (after the last character). */
  readonly caret: ReactNode;
}

// A streaming table keeps its finished rows, and a long streaming paragraph its finished text
// (the same nodes on every update), so their children render in memoised groups: a token
// re-renders the last group, not every row or link. Always grouped, so nothing is remounted when
// a paragraph or table grows past one group.
const NodeGroup = memo(function NodeGroup({ nodes, ctx, caret }: NodeGroupProps) {
  return <>{renderNodes(nodes, ctx, caret)}</>;
}, sameNodes);

function renderGroups(nodes: readonly MarkdownNode[], ctx: RenderContextValue, caret: ReactNode): ReactNode[] {
  const groups: ReactNode[] = [];
  for (let start = 0; start < nodes.length; start += FANOUT) {
    const last = start + FANOUT >= nodes.length;
    groups.push(
      <NodeGroup key={start} nodes={nodes.slice(start, start + FANOUT)} ctx={ctx} caret={last ? caret : undefined} />,
    );
  }
  if (nodes.length === 0 && caret != null) groups.push(caret);
  return groups;
}

/** One top-level node; those of completed blocks keep their identity, so they render once. */
const TopNode = memo(function TopNode({
  node,
  ctx,
  caret,
}: {
  node: MarkdownNode;
  ctx: RenderContextValue;
  caret: ReactNode;
}) {
  return <>{renderNode(node, 0, ctx, caret)}</>;
});

// Top-level nodes are rendered as a shallow tree: sections of chunks of nodes, each group
// memoised. A token changes the last node, so it re-renders one section and one chunk and costs a
// few memo checks per level instead of one per node of the answer.
//
// A node's place in that tree is its position among all the document's top-level nodes, not the
// block it came in: the open tail often holds two blocks (a finished paragraph and the first line
// of the next) that later become two completed blocks. Keyed by position, each keeps its parent
// and key throughout, so React never replaces a block's DOM when it completes.
const FANOUT = 16;

type Chunk = readonly MarkdownNode[];
type Section = readonly Chunk[];

interface GroupProps<T> {
  readonly items: T;
  readonly ctx: RenderContextValue;
  /** Only the last group gets the caret; the others keep `undefined` and stay memoised. */
  readonly caret: ReactNode;
}

function ChunkNodes({ items, ctx, caret }: GroupProps<Chunk>) {
  const last = items.length - 1;
  return (
    <>
      {items.map((node, i) => (
        // biome-ignore lint/suspicious/noArrayIndexKey: position i always holds the same top-level node
        <TopNode key={i} node={node} ctx={ctx} caret={i === last ? caret : undefined} />
      ))}
    </>
  );
}

// Each memoised group renders one wrapper child: React walks a skipped fiber's direct children
// once per render, so that walk should be one fiber long, not FANOUT.
const MemoChunk = memo(function MemoChunk(props: GroupProps<Chunk>) {
  return <ChunkNodes {...props} />;
});

function SectionChunks({ items, ctx, caret }: GroupProps<Section>) {
  const last = items.length - 1;
  return (
    <>
      {items.map((chunk, i) => (
        // biome-ignore lint/suspicious/noArrayIndexKey: chunk i always holds the same node positions
        <MemoChunk key={i} items={chunk} ctx={ctx} caret={i === last ? caret : undefined} />
      ))}
    </>
  );
}

const MemoSection = memo(function MemoSection(props: GroupProps<Section>) {
  return <SectionChunks {...props} />;
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

/** The blocks' top-level nodes as sections of chunks, unchanged groups keeping their identity. */
function useSections(blocks: readonly MarkdownBlock[]): Section[] {
  const previous = useRef<{ chunks: Chunk[]; sections: Section[] }>({ chunks: [], sections: [] });
  const nodes: MarkdownNode[] = [];
  for (const block of blocks) for (const node of block.nodes) nodes.push(node);
  const chunks = regroup(nodes, previous.current.chunks);
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
  /** Drawn right after the last character, inside the last block. */
  readonly caret?: ReactNode;
}

/** Markdown rendered as React elements, block by block. */
export function MarkdownContent({ text, repair, urlPolicy, labels, caret }: MarkdownContentProps) {
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
          // biome-ignore lint/suspicious/noArrayIndexKey: section i always holds the same node positions
          <MemoSection key={i} items={chunks} ctx={ctx} caret={i === sections.length - 1 ? caret : undefined} />
        ))}
        {sections.length === 0 ? caret : null}
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
