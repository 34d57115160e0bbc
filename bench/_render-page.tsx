// The page `pnpm bench render` loads: streams a markdown answer token by token into one renderer.

import { type ComponentType, useState } from 'react';
import { flushSync } from 'react-dom';
import { createRoot } from 'react-dom/client';
import ReactMarkdown from 'react-markdown';
import remarkGfm from 'remark-gfm';
import { Streamdown } from 'streamdown';
import type { ConversationResponse } from '../packages/core/src/index.js';
import { StreamingMessage } from '../packages/react/src/index.js';
import { responseWith } from '../packages/react/src/streaming-message/parts/story-responses.js';

/** What comes before the answer's text in the parts case: reasoning and three tool calls with results. */
const PARTS_BEFORE_TEXT = [
  { kind: 'reasoning' as const, text: 'The user wants a comparison. '.repeat(20) },
  ...['weather', 'calculator', 'search_docs'].flatMap((toolName, index) => [
    {
      kind: 'tool-call' as const,
      text: JSON.stringify({ query: `${toolName} ${index}` }),
      toolCallId: `c${index}`,
      toolName,
    },
    { kind: 'tool-result' as const, text: JSON.stringify({ ok: true, index }), toolCallId: `c${index}`, toolName },
  ]),
];

function partsResponse(text: string, done: boolean): ConversationResponse {
  return responseWith(done ? 'complete' : 'streaming', [...PARTS_BEFORE_TEXT, { kind: 'text', text }]);
}

type Renderer = ComponentType<{ text: string; done: boolean }>;

const renderers: Record<string, Renderer> = {
  'streaming-message': ({ text, done }) => <StreamingMessage text={text} status={done ? 'complete' : 'streaming'} />,
  // The same text as the last part of a conversation response (reasoning + three tool calls before it).
  'streaming-message-parts': ({ text, done }) => <StreamingMessage response={partsResponse(text, done)} />,
  streamdown: ({ text, done }) => <Streamdown isAnimating={!done}>{text}</Streamdown>,
  'react-markdown': ({ text }) => <ReactMarkdown remarkPlugins={[remarkGfm]}>{text}</ReactMarkdown>,
};

let update: ((text: string, done: boolean) => void) | undefined;

function Harness({ renderer: Renderer }: { renderer: Renderer }) {
  const [state, setState] = useState({ text: '', done: false });
  update = (text, done) => setState({ text, done });
  return <Renderer text={state.text} done={state.done} />;
}

// One token per task, as tokens arrive from a socket; one channel for the whole run keeps the
// harness's own cost out of the measurement.
const channel = new MessageChannel();
let wake: (() => void) | undefined;
channel.port1.onmessage = () => wake?.();
const nextTask = () =>
  new Promise<void>((resolve) => {
    wake = resolve;
    channel.port2.postMessage(null);
  });

/** Stream `text` at `charsPerToken`, one token per task, each rendered synchronously. */
async function stream(
  text: string,
  charsPerToken: number,
): Promise<{ tokens: number; longestTokenMs: number; totalTokenMs: number; tokenMs: number[] }> {
  const tokenMs: number[] = [];
  let longestTokenMs = 0;
  let totalTokenMs = 0;
  let tokens = 0;
  for (let end = charsPerToken; ; end += charsPerToken) {
    await nextTask();
    const done = end >= text.length;
    const started = performance.now();
    flushSync(() => update!(text.slice(0, Math.min(end, text.length)), done));
    const took = performance.now() - started;
    totalTokenMs += took;
    tokenMs.push(took);
    longestTokenMs = Math.max(longestTokenMs, took);
    tokens++;
    if (done) break;
  }
  return { tokens, longestTokenMs, totalTokenMs, tokenMs };
}

let longestTaskMs = 0;
new PerformanceObserver((list) => {
  for (const entry of list.getEntries()) longestTaskMs = Math.max(longestTaskMs, entry.duration);
}).observe({ type: 'longtask', buffered: false });

const api = {
  mount(name: string) {
    createRoot(document.getElementById('root')!).render(<Harness renderer={renderers[name]!} />);
  },
  async run(text: string, charsPerToken: number) {
    longestTaskMs = 0;
    const result = await stream(text, charsPerToken);
    return { ...result, longestTaskMs, textLength: document.getElementById('root')!.textContent!.length };
  },
  reset() {
    flushSync(() => update!('', false));
  },
};

(window as unknown as { bench: typeof api }).bench = api;
