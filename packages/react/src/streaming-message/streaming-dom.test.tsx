import { act, render, screen, waitFor } from '@testing-library/react';
import { StrictMode } from 'react';
import { describe, expect, it } from 'vitest';
import { makeLongAnswer } from './story-fixtures.js';
import { StreamingMessage } from './streaming-message.js';

const strict = (ui: React.ReactElement) => <StrictMode>{ui}</StrictMode>;
/** The texts a status region held, one entry per change (a repeat of the same text is no new announcement). */
function recorder(region: HTMLElement) {
  const texts: string[] = [];
  let last = region.textContent ?? '';
  return {
    texts,
    note() {
      const now = region.textContent ?? '';
      if (now !== last) texts.push(now);
      last = now;
    },
  };
}

const topLevel = (container: HTMLElement) => [...container.querySelector('[data-part="content"]')!.children];

describe('<StreamingMessage> DOM as it streams', () => {
  it('keeps a block that shared the open tail with the next one when both complete', () => {
    const { container, rerender } = render(strict(<StreamingMessage text="First paragraph." status="streaming" />));
    // The first paragraph is finished and the second has begun: both sit in the open tail.
    rerender(strict(<StreamingMessage text={'First paragraph.\n\nSecond'} status="streaming" />));
    const [first, second] = topLevel(container);
    expect(second!.textContent).toBe('Second');
    // Its first line ends: the parser moves both paragraphs into completed blocks.
    rerender(strict(<StreamingMessage text={'First paragraph.\n\nSecond one.\n\nThird'} status="streaming" />));
    const after = topLevel(container);
    expect(after[0]).toBe(first);
    expect(after[1]).toBe(second);
    expect(after[1]!.textContent).toBe('Second one.');
  });

  it('never replaces a top-level block while a long answer streams, and keeps each to the end', () => {
    const text = makeLongAnswer(6000);
    const { container, rerender } = render(<StreamingMessage text="" status="streaming" />);
    let previous: Element[] = [];
    const firstSeen = new Map<number, Element>();
    let replaced = 0;
    for (let end = 5; end < text.length + 5; end += 5) {
      rerender(<StreamingMessage text={text.slice(0, end)} status="streaming" />);
      const now = topLevel(container);
      now.forEach((element, i) => {
        // The same kind of element at the same place but a new object: React remounted the block.
        if (previous[i] && previous[i] !== element && previous[i]!.tagName === element.tagName) replaced++;
        // Remember each block once it is no longer the last (so its kind is settled).
        if (i < now.length - 2 && !firstSeen.has(i)) firstSeen.set(i, element);
      });
      previous = now;
    }
    rerender(<StreamingMessage text={text} status="complete" />);
    expect(replaced).toBe(0);
    expect(firstSeen.size).toBeGreaterThan(40);
    const final = topLevel(container);
    for (const [i, element] of firstSeen) expect(final[i]).toBe(element);
  });

  it('draws the caret inside the last block, after its last character', () => {
    const { container, rerender } = render(
      <StreamingMessage text={'# Title\n\nSome **bold** wor'} status="streaming" />,
    );
    let caret = container.querySelector('[data-part="caret"]')!;
    expect(caret.parentElement!.tagName).toBe('P');
    expect(caret.previousSibling!.textContent).toBe(' wor');
    rerender(<StreamingMessage text={'- one\n- two\n  - nested ite'} status="streaming" />);
    caret = container.querySelector('[data-part="caret"]')!;
    expect(caret.parentElement!.tagName).toBe('LI');
    expect(caret.parentElement!.textContent).toBe('nested ite');
    rerender(<StreamingMessage text={'```js\nconst a = 1;\nconst b'} status="streaming" />);
    caret = container.querySelector('[data-part="caret"]')!;
    expect(caret.parentElement!.tagName).toBe('CODE');
    expect(caret.nextSibling).toBeNull();
    rerender(<StreamingMessage text={'| a | b |\n|---|---|\n| 1 | 2 |\n| 3 | 4 |\n'} status="streaming" />);
    caret = container.querySelector('[data-part="caret"]')!;
    expect(caret.parentElement!.tagName).toBe('TD');
    expect(caret.parentElement!.textContent).toBe('4');
    expect(container.querySelectorAll('[data-part="caret"]')).toHaveLength(1);
  });

  it('draws a composed caret where the text ends, and itself in place without a Content part', () => {
    const { container } = render(
      <StreamingMessage text="Hello wor" status="streaming">
        <StreamingMessage.Content />
        <StreamingMessage.Caret className="custom" />
      </StreamingMessage>,
    );
    const caret = container.querySelector('[data-part="caret"]')!;
    expect(caret.className).toBe('custom');
    expect(caret.parentElement!.tagName).toBe('P');
    const alone = render(
      <StreamingMessage text="Hello" status="streaming">
        <StreamingMessage.Caret />
      </StreamingMessage>,
    );
    expect(alone.container.querySelector('[data-part="root"] > [data-part="caret"]')).not.toBeNull();
  });

  it('renders task lists without bullets, and names the scrollable code and table regions', () => {
    const { container } = render(
      <StreamingMessage text={'- [x] done\n- [ ] todo\n\n```ts\nlet a;\n```\n\n| a |\n|---|\n| 1 |\n'} />,
    );
    expect(container.querySelector('ul')!.hasAttribute('data-task-list')).toBe(true);
    const pre = container.querySelector('pre')!;
    expect(pre.tabIndex).toBe(0);
    expect(pre.getAttribute('aria-label')).toBe('Code: ts');
    const table = screen.getByRole('group', { name: 'Table' });
    expect(table.tabIndex).toBe(0);
    expect(table.querySelector('table')).not.toBeNull();
  });
});

describe('<StreamingMessage> connection state', () => {
  it('shows and announces reconnecting while not connected, pausing the caret, then says it is back', async () => {
    const { container, rerender } = render(
      <StreamingMessage text="Half an ans" status="streaming" connectionState="connected" />,
    );
    const status = screen.getByRole('status');
    await waitFor(() => expect(status.textContent).toBe('Response started'));
    const said = recorder(status);
    const root = container.querySelector<HTMLElement>('[data-part="root"]')!;
    for (const state of ['disconnected', 'connecting', 'disconnected']) {
      rerender(<StreamingMessage text="Half an ans" status="streaming" connectionState={state} />);
      said.note();
      expect(root.dataset.connection).toBe('reconnecting');
      expect(container.querySelector('[data-part="connection"]')!.textContent).toBe('Reconnecting…');
      expect(container.querySelector('[data-part="caret"]')!.hasAttribute('data-paused')).toBe(true);
    }
    rerender(<StreamingMessage text="Half an answer" status="streaming" connectionState="connected" />);
    said.note();
    expect(root.dataset.connection).toBeUndefined();
    expect(container.querySelector('[data-part="connection"]')).toBeNull();
    expect(container.querySelector('[data-part="caret"]')!.hasAttribute('data-paused')).toBe(false);
    rerender(<StreamingMessage text="Half an answer." status="complete" connectionState="connected" />);
    said.note();
    // A finished answer does not wait for the connection.
    rerender(<StreamingMessage text="Half an answer." status="complete" connectionState="disconnected" />);
    expect(container.querySelector('[data-part="connection"]')).toBeNull();
    await act(() => new Promise((resolve) => setTimeout(resolve, 200)));
    said.note();
    // Each change announced once, in order, however often the connection state itself changed.
    expect(said.texts).toEqual(['Reconnecting…', 'Reconnected, response continues', 'Response complete']);
  });

  it('announces a response that mounts streaming, and stopped once', async () => {
    const { rerender } = render(<StreamingMessage text="" status="pending" />);
    const status = screen.getByRole('status');
    expect(status.textContent).toBe('');
    await waitFor(() => expect(status.textContent).toBe('Response started'));
    const said = recorder(status);
    for (const [text, state] of [
      ['Some', 'streaming'],
      ['Some text', 'streaming'],
      ['Some text', 'cancelled'],
      ['Some text', 'cancelled'],
    ] as const) {
      rerender(<StreamingMessage text={text} status={state} />);
      said.note();
    }
    await act(() => new Promise((resolve) => setTimeout(resolve, 200)));
    said.note();
    expect(said.texts).toEqual(['Response stopped']);
  });
});
