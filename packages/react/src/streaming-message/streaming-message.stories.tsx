import type { Meta, StoryObj } from '@storybook/react-vite';
import { useEffect, useRef, useState } from 'react';
import { expect, userEvent, waitFor, within } from 'storybook/test';
import type { MessageStatus } from './announcements.js';
import {
  brokenAnswer,
  codeAnswer,
  hostileAnswer,
  makeLongAnswer,
  proseAnswer,
  rtlAnswer,
  tableAnswer,
} from './story-fixtures.js';
import { StreamingMessage, type StreamingMessageProps } from './streaming-message.js';

type StoryArgs = StreamingMessageProps & {
  /** Stream `text` token by token instead of showing it at once. */
  stream?: boolean;
  /** Characters per token while streaming. */
  charsPerToken?: number;
  /** Milliseconds between tokens. */
  intervalMs?: number;
  /** The status once every token has arrived. */
  finalStatus?: MessageStatus;
};

/** Streams `text` into <StreamingMessage> on a timer, with a replay button. */
function StreamingStory({
  stream = false,
  charsPerToken = 4,
  intervalMs = 10,
  finalStatus = 'complete',
  ...props
}: StoryArgs) {
  const full = props.text ?? '';
  const [run, setRun] = useState(0);
  const [end, setEnd] = useState(stream ? 0 : full.length);
  const timer = useRef<ReturnType<typeof setInterval>>(undefined);
  // biome-ignore lint/correctness/useExhaustiveDependencies: `run` restarts the stream
  useEffect(() => {
    if (!stream) return;
    setEnd(0);
    timer.current = setInterval(() => {
      setEnd((e) => {
        const next = Math.min(full.length, e + charsPerToken);
        if (next >= full.length) clearInterval(timer.current);
        return next;
      });
    }, intervalMs);
    return () => clearInterval(timer.current);
  }, [stream, full, charsPerToken, intervalMs, run]);
  const done = end >= full.length;
  const status = stream ? (done ? finalStatus : 'streaming') : props.status;
  return (
    <div style={{ maxWidth: 720, fontFamily: 'system-ui, sans-serif' }}>
      {stream ? (
        <button type="button" onClick={() => setRun((r) => r + 1)} style={{ marginBottom: 12 }}>
          Replay
        </button>
      ) : null}
      <StreamingMessage {...props} text={full.slice(0, end)} status={status} />
    </div>
  );
}

const meta = {
  title: 'Components/StreamingMessage',
  component: StreamingMessage,
  render: (args) => <StreamingStory {...(args as StoryArgs)} />,
  args: { text: proseAnswer, status: 'complete' },
  argTypes: {
    status: { control: 'select', options: ['pending', 'streaming', 'complete', 'error', 'cancelled', 'stale'] },
    format: { control: 'inline-radio', options: ['markdown', 'plain'] },
  },
} satisfies Meta<typeof StreamingMessage>;

export default meta;
type Story = StoryObj<typeof meta>;

const root = (canvasElement: HTMLElement) => canvasElement.querySelector<HTMLElement>('[data-part="root"]')!;
const content = (canvasElement: HTMLElement) => canvasElement.querySelector<HTMLElement>('[data-part="content"]')!;
const waitForStatus = (canvasElement: HTMLElement, status: string, timeout = 20_000) =>
  waitFor(() => expect(root(canvasElement).dataset.status).toBe(status), { timeout });

/** Record the content's text after every DOM change, to check each intermediate state. */
function recordFrames(canvasElement: HTMLElement): { frames: string[]; stop: () => void } {
  const frames: string[] = [];
  const observer = new MutationObserver(() => frames.push(content(canvasElement)?.textContent ?? ''));
  observer.observe(canvasElement, { subtree: true, childList: true, characterData: true });
  return { frames, stop: () => observer.disconnect() };
}

export const Streaming: Story = {
  args: { stream: true } as StoryArgs,
  play: async ({ canvasElement }) => {
    await waitForStatus(canvasElement, 'streaming');
    expect(root(canvasElement).getAttribute('aria-busy')).toBe('true');
    expect(canvasElement.querySelector('[data-part="caret"]')).not.toBeNull();
    const heading = await waitFor(() => {
      const h = canvasElement.querySelector('h1');
      expect(h).not.toBeNull();
      return h!;
    });
    await waitForStatus(canvasElement, 'complete');
    // The heading completed early and was never re-created while the rest streamed.
    expect(canvasElement.querySelector('h1')).toBe(heading);
    expect(root(canvasElement).hasAttribute('aria-busy')).toBe(false);
    expect(canvasElement.querySelector('[data-part="caret"]')).toBeNull();
    expect(within(canvasElement).getByRole('status').textContent).toBe('Response complete');
    expect(canvasElement.querySelectorAll('li')).toHaveLength(3);
  },
};

export const Replay: Story = {
  args: { stream: true, intervalMs: 5 } as StoryArgs,
  play: async ({ canvasElement }) => {
    await waitForStatus(canvasElement, 'complete');
    await userEvent.click(within(canvasElement).getByRole('button', { name: 'Replay' }));
    // Replay resets the text and streams it again rather than appending.
    await waitForStatus(canvasElement, 'streaming');
    await waitForStatus(canvasElement, 'complete');
    expect(canvasElement.querySelectorAll('h1')).toHaveLength(1);
    expect(content(canvasElement).textContent).toContain('for details.');
  },
};

export const Pending: Story = {
  args: { text: '', status: 'pending' },
  play: async ({ canvasElement }) => {
    expect(root(canvasElement).dataset.status).toBe('pending');
    expect(root(canvasElement).getAttribute('aria-busy')).toBe('true');
    // The region is there empty first, then speaks, so the announcement is heard.
    await waitFor(() => expect(within(canvasElement).getByRole('status').textContent).toBe('Response started'));
  },
};

export const RestoredComplete: Story = {
  args: { text: proseAnswer, status: 'complete' },
  play: async ({ canvasElement }) => {
    // Restored text is all there at once, and nothing is announced.
    expect(content(canvasElement).textContent).toContain('for details.');
    expect(within(canvasElement).getByRole('status').textContent).toBe('');
    expect(canvasElement.querySelector('[data-part="caret"]')).toBeNull();
  },
};

export const ErrorStatus: Story = {
  name: 'Error',
  args: { stream: true, text: proseAnswer.slice(0, 200), finalStatus: 'error' } as StoryArgs,
  play: async ({ canvasElement }) => {
    await waitForStatus(canvasElement, 'error');
    expect(within(canvasElement).getByRole('status').textContent).toBe('Response failed');
  },
};

export const Cancelled: Story = {
  args: { stream: true, text: proseAnswer.slice(0, 160), finalStatus: 'cancelled' } as StoryArgs,
  play: async ({ canvasElement }) => {
    await waitForStatus(canvasElement, 'cancelled');
    expect(within(canvasElement).getByRole('status').textContent).toBe('Response stopped');
  },
};

export const Stale: Story = {
  args: { stream: true, text: proseAnswer.slice(0, 120), finalStatus: 'stale' } as StoryArgs,
  play: async ({ canvasElement }) => {
    await waitForStatus(canvasElement, 'stale');
    expect(within(canvasElement).getByRole('status').textContent).toBe('Response interrupted');
    expect(root(canvasElement).hasAttribute('aria-busy')).toBe(false);
  },
};

export const Reconnecting: Story = {
  args: { text: proseAnswer.slice(0, 150), status: 'streaming', connectionState: 'disconnected' },
  play: async ({ canvasElement }) => {
    expect(root(canvasElement).dataset.connection).toBe('reconnecting');
    // Shown where the reader looks, with the caret held still at the end of the text.
    expect(canvasElement.querySelector('[data-part="connection"]')?.textContent).toBe('Reconnecting…');
    const caret = canvasElement.querySelector<HTMLElement>('[data-part="caret"]')!;
    expect(caret.hasAttribute('data-paused')).toBe(true);
    expect(getComputedStyle(caret).animationName).toBe('none');
    await waitFor(() => expect(within(canvasElement).getByRole('status').textContent).toBe('Reconnecting…'));
  },
};

export const LongAnswer: Story = {
  args: { stream: true, text: makeLongAnswer(20_000), charsPerToken: 200, intervalMs: 5 } as StoryArgs,
  play: async ({ canvasElement }) => {
    await waitForStatus(canvasElement, 'complete', 40_000);
    expect(canvasElement.querySelectorAll('h2').length).toBeGreaterThan(10);
    expect(canvasElement.querySelectorAll('table').length).toBeGreaterThan(3);
  },
};

export const CodeHeavy: Story = {
  args: { stream: true, text: codeAnswer, intervalMs: 40 } as StoryArgs,
  play: async ({ canvasElement }) => {
    // While the fence is open its finished lines are highlighted already; the line being written is plain.
    await waitFor(
      () =>
        expect(
          canvasElement.querySelector('[data-part="code-block"][data-open][data-highlighted="partial"] .hljs-keyword'),
        ).not.toBeNull(),
      { timeout: 10_000 },
    );
    await waitForStatus(canvasElement, 'complete');
    // Once closed, highlighting is loaded and applied.
    await waitFor(() =>
      expect(canvasElement.querySelectorAll('[data-part="code-block"][data-highlighted]')).toHaveLength(2),
    );
    expect(canvasElement.querySelector('code.language-ts .hljs-keyword')).not.toBeNull();
    expect(within(canvasElement).getAllByRole('button', { name: 'Copy code' })).toHaveLength(2);
  },
};

export const Tables: Story = {
  args: { stream: true, text: tableAnswer, charsPerToken: 2 } as StoryArgs,
  play: async ({ canvasElement }) => {
    const { frames, stop } = recordFrames(canvasElement);
    await waitForStatus(canvasElement, 'complete');
    stop();
    // The header row never flashed as a paragraph of pipes.
    expect(frames.some((f) => f.includes('| Pattern'))).toBe(false);
    expect(canvasElement.querySelectorAll('tbody tr')).toHaveLength(3);
    expect(canvasElement.querySelectorAll('input[type="checkbox"]')).toHaveLength(2);
    expect(canvasElement.querySelector('[data-part="footnotes"]')?.textContent).toContain('connection state TTL');
  },
};

export const BrokenMidStream: Story = {
  name: 'Markdown broken mid-stream',
  args: { stream: true, text: brokenAnswer, charsPerToken: 3 } as StoryArgs,
  play: async ({ canvasElement }) => {
    const { frames, stop } = recordFrames(canvasElement);
    await waitForStatus(canvasElement, 'complete');
    stop();
    expect(frames.length).toBeGreaterThan(20);
    for (const frame of frames) {
      expect(frame).not.toContain('**');
      expect(frame).not.toContain('](');
      expect(frame).not.toMatch(/(^|\s)\|/);
    }
    expect(canvasElement.querySelector('strong')?.textContent).toBe('bold text that spans a while');
  },
};

export const HostileContent: Story = {
  args: { text: hostileAnswer, status: 'complete' },
  play: async ({ canvasElement }) => {
    expect(canvasElement.querySelector('script, iframe, img, object, embed, svg')).toBeNull();
    const links = [...canvasElement.querySelectorAll('a')];
    // Only http(s) links survive, in resolved form (a bare URL in the text is autolinked, as GFM does; it loads nothing).
    expect(links.map((a) => a.getAttribute('href'))).toEqual(['https://evil.example/x.png', 'https://example.com/']);
    for (const link of links) expect(link.rel).toBe('noopener noreferrer nofollow');
    expect(canvasElement.querySelector('[data-part="blocked-image"]')?.getAttribute('aria-label')).toBe(
      'Image blocked: tracking pixel: https://evil.example',
    );
    expect(content(canvasElement).textContent).toContain("<script>alert('xss')</script>");
    // Nothing was fetched from the hostile origin.
    const fetched = performance.getEntriesByType('resource').map((e) => e.name);
    expect(fetched.filter((url) => url.includes('evil.example'))).toEqual([]);
  },
};

export const RightToLeft: Story = {
  args: { stream: true, text: rtlAnswer, dir: 'rtl', lang: 'ar' } as StoryArgs,
  play: async ({ canvasElement }) => {
    await waitForStatus(canvasElement, 'complete');
    expect(root(canvasElement).getAttribute('dir')).toBe('rtl');
    expect(canvasElement.querySelector('h2')?.textContent).toBe('مرحبا بالعالم');
    expect(canvasElement.querySelector('strong')?.textContent).toBe('عربي');
  },
};

export const PlainText: Story = {
  args: { text: '# Not a heading\n\n**not bold**', format: 'plain', status: 'complete' },
  play: async ({ canvasElement }) => {
    expect(canvasElement.querySelector('h1, strong')).toBeNull();
    expect(content(canvasElement).textContent).toBe('# Not a heading\n\n**not bold**');
  },
};

/** Where the caret is against the last character before it: on its line and just after it? */
function caretFollowsText(
  canvasElement: HTMLElement,
): 'after' | 'elsewhere' | 'new-code-line' | 'wrapped' | 'no-caret' {
  const caret = canvasElement.querySelector('[data-part="caret"]');
  const text = content(canvasElement);
  if (!caret || !text) return 'no-caret';
  // In a code block only the code counts (not the toolbar above it); an empty one is a new line.
  const scope = caret.closest('pre') ?? text;
  const walker = document.createTreeWalker(scope, NodeFilter.SHOW_TEXT);
  let last: Text | undefined;
  for (let node = walker.nextNode(); node; node = walker.nextNode()) {
    if (caret.compareDocumentPosition(node) & Node.DOCUMENT_POSITION_FOLLOWING) break;
    if (/\S/.test(node.nodeValue ?? '')) last = node as Text;
  }
  if (!last) return scope === text ? 'no-caret' : 'new-code-line';
  const value = last.nodeValue!;
  // In a code block a finished line puts the caret at the start of the next one, as in an editor.
  if (caret.closest('pre') && /\n\s*$/.test(value)) return 'new-code-line';
  const index = value.search(/\S\s*$/);
  const range = document.createRange();
  range.setStart(last, index);
  range.setEnd(last, index + 1);
  const rects = range.getClientRects();
  const char = rects[rects.length - 1]!;
  const box = caret.getBoundingClientRect();
  const sameLine = box.top < char.bottom && box.bottom > char.top;
  const justAfter = box.left >= char.right - 1 && box.left - char.right < 24;
  if (sameLine && justAfter) return 'after';
  // After a space at the end of a full line, the line breaks there: the caret starts the next
  // line, where the next word will appear.
  const afterSpace = /\s$/.test(value) || /^\s*$/.test(caret.previousSibling?.textContent ?? 'x');
  const nextLine = box.top >= char.bottom - 1 && box.top - char.bottom < char.height;
  return afterSpace && nextLine ? 'wrapped' : 'elsewhere';
}

export const CaretFollowsText: Story = {
  args: { stream: true, text: `${proseAnswer}\n${codeAnswer}`, charsPerToken: 3, intervalMs: 16 } as StoryArgs,
  play: async ({ canvasElement }) => {
    await waitForStatus(canvasElement, 'streaming');
    // Look at every painted frame while the answer streams.
    const seen = { after: 0, elsewhere: 0, 'new-code-line': 0, wrapped: 0, 'no-caret': 0 };
    const misplaced: string[] = [];
    await new Promise<void>((resolve) => {
      const frame = () => {
        if (root(canvasElement).dataset.status !== 'streaming') return resolve();
        const where = caretFollowsText(canvasElement);
        seen[where]++;
        if (where === 'elsewhere') misplaced.push(content(canvasElement).textContent!.slice(-40));
        requestAnimationFrame(frame);
      };
      requestAnimationFrame(frame);
    });
    expect(misplaced).toEqual([]);
    expect(seen.after).toBeGreaterThan(50);
  },
};
