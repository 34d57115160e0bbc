import { act, render, screen, waitFor } from '@testing-library/react';
import { StrictMode } from 'react';
import { describe, expect, it, vi } from 'vitest';
import { StreamingMessage } from './streaming-message.js';

const renderStrict = (ui: React.ReactElement) => render(<StrictMode>{ui}</StrictMode>);

function streamInto(text: string, size: number, onToken: (prefix: string) => void): void {
  for (let end = size; end < text.length + size; end += size) onToken(text.slice(0, Math.min(end, text.length)));
}

describe('<StreamingMessage>', () => {
  it('renders markdown as elements, with data-status and aria-busy while streaming', () => {
    const { container, rerender } = renderStrict(<StreamingMessage text={'# Hello\n\nSome **bo'} status="streaming" />);
    const root = container.querySelector('[data-part="root"]')!;
    expect(root.getAttribute('data-status')).toBe('streaming');
    expect(root.getAttribute('aria-busy')).toBe('true');
    expect(container.querySelector('h1')?.textContent).toBe('Hello');
    // The open end is repaired: no stray `**` flashes.
    expect(container.querySelector('strong')?.textContent).toBe('bo');
    expect(container.textContent).not.toContain('**');
    rerender(
      <StrictMode>
        <StreamingMessage text={'# Hello\n\nSome **bold**.'} status="complete" />
      </StrictMode>,
    );
    expect(root.getAttribute('data-status')).toBe('complete');
    expect(root.hasAttribute('aria-busy')).toBe(false);
  });

  it('marks a response whose beginning is missing with data-incomplete, and only that one', () => {
    const { container, rerender } = renderStrict(
      <StreamingMessage response={{ text: 'the end of it', status: 'complete', incomplete: true }} />,
    );
    const root = container.querySelector('[data-part="root"]')!;
    expect(root.getAttribute('data-incomplete')).toBe('true');
    rerender(
      <StrictMode>
        <StreamingMessage response={{ text: 'all of it', status: 'complete' }} />
      </StrictMode>,
    );
    expect(root.hasAttribute('data-incomplete')).toBe(false);
  });

  it('is not a live region; one polite status region speaks instead', () => {
    const { container } = render(<StreamingMessage text="Hi" status="streaming" />);
    const content = container.querySelector('[data-part="content"]')!;
    expect(content.closest('[aria-live]')).toBeNull();
    expect(content.querySelector('[aria-live], [role="log"], [role="status"]')).toBeNull();
    const regions = container.querySelectorAll('[aria-live]');
    expect(regions).toHaveLength(1);
    expect(regions[0]!.getAttribute('aria-live')).toBe('polite');
    expect(regions[0]!.getAttribute('role')).toBe('status');
  });

  it('announces started, reconnecting, complete and error in the status region', async () => {
    const { rerender } = render(<StreamingMessage text="" status="pending" />);
    const status = screen.getByRole('status');
    // The region is there, empty, before its first announcement, so that one is heard.
    expect(status.textContent).toBe('');
    await waitFor(() => expect(status.textContent).toBe('Response started'));
    rerender(<StreamingMessage text="Partial" status="streaming" reconnecting />);
    expect(status.textContent).toBe('Reconnecting…');
    expect(status.closest('[data-part="root"]')!.getAttribute('data-connection')).toBe('reconnecting');
    rerender(<StreamingMessage text="Partial answer" status="complete" />);
    expect(status.textContent).toBe('Response complete');
    rerender(<StreamingMessage response={{ text: 'Partial', status: 'error', errorReason: 'model overloaded' }} />);
    expect(status.textContent).toBe('Response failed: model overloaded');
    rerender(<StreamingMessage text="Partial" status="stale" />);
    expect(status.textContent).toBe('Response interrupted');
    rerender(<StreamingMessage text="Partial" status="cancelled" labels={{ cancelled: 'Arrêté' }} />);
    expect(status.textContent).toBe('Arrêté');
  });

  it('shows restored text at once, with no typing effect and no announcement', () => {
    const long = Array.from({ length: 200 }, (_, i) => `Paragraph ${i} with *emphasis*.`).join('\n\n');
    const { container } = renderStrict(<StreamingMessage text={long} status="complete" />);
    expect(container.querySelectorAll('p')).toHaveLength(200);
    expect(container.querySelector('[data-part="content"]')!.textContent).toContain('Paragraph 199 with emphasis.');
    expect(screen.getByRole('status').textContent).toBe('');
    expect(container.querySelector('[data-part="caret"]')).toBeNull();
  });

  it('shows text restored mid-stream at once and keeps streaming from there', () => {
    const restored = 'First paragraph.\n\nSecond paragraph is half';
    const { container, rerender } = render(<StreamingMessage text={restored} status="streaming" />);
    expect(container.textContent).toContain('Second paragraph is half');
    rerender(<StreamingMessage text={`${restored} done.`} status="streaming" />);
    expect(container.textContent).toContain('Second paragraph is half done.');
  });

  it('keeps completed blocks in the DOM untouched while the tail grows', () => {
    const text = '# Title\n\nFirst paragraph.\n\n- one\n- two\n\nLast paragraph grows here and keeps growing.';
    const { container, rerender } = renderStrict(<StreamingMessage text="" status="streaming" />);
    let heading: Element | null = null;
    let list: Element | null = null;
    streamInto(text, 4, (prefix) => {
      rerender(
        <StrictMode>
          <StreamingMessage text={prefix} status="streaming" />
        </StrictMode>,
      );
      if (prefix.length > 20 && !heading) heading = container.querySelector('h1');
      if (prefix.length > 50 && !list) list = container.querySelector('ul');
      if (heading) expect(container.querySelector('h1')).toBe(heading);
      if (list) expect(container.querySelector('ul')).toBe(list);
    });
    expect(heading).not.toBeNull();
    expect(list).not.toBeNull();
    expect(container.querySelector('[data-part="content"] > p:last-child')?.textContent).toBe(
      'Last paragraph grows here and keeps growing.',
    );
  });

  it('keeps the finished rows of a streaming table in the DOM untouched while rows arrive', () => {
    let text = '| # | Name |\n|---|:---:|\n';
    for (let i = 1; i <= 40; i++) text += `| ${i} | row **${i}** |\n`;
    const { container, rerender } = renderStrict(<StreamingMessage text="" status="streaming" />);
    const seen = new Map<number, Element>();
    streamInto(text, 3, (prefix) => {
      rerender(
        <StrictMode>
          <StreamingMessage text={prefix} status="streaming" />
        </StrictMode>,
      );
      container.querySelectorAll('tbody tr').forEach((row, i) => {
        const first = seen.get(i);
        if (first) expect(row).toBe(first);
        else seen.set(i, row);
      });
    });
    expect(seen.size).toBe(40);
    expect(container.querySelector('tbody tr:last-child')?.textContent).toBe('40row 40');
  });

  it('shows a caret only while streaming', () => {
    const { container, rerender } = render(<StreamingMessage text="a" status="streaming" />);
    const caret = container.querySelector('[data-part="caret"]');
    expect(caret?.getAttribute('aria-hidden')).toBe('true');
    rerender(<StreamingMessage text="a" status="complete" />);
    expect(container.querySelector('[data-part="caret"]')).toBeNull();
  });

  it('renders plain text without interpreting markdown', () => {
    const { container } = render(<StreamingMessage text={'# not a heading\n**not bold**'} format="plain" />);
    expect(container.querySelector('h1, strong')).toBeNull();
    expect(container.querySelector('[data-part="content"]')!.textContent).toBe('# not a heading\n**not bold**');
  });

  it('renders tables, task lists and footnotes', () => {
    const text = [
      '| Name | Value |',
      '|:-----|------:|',
      '| a | 1 |',
      '',
      '- [x] done',
      '- [ ] todo',
      '',
      'A claim[^1].',
      '',
      '[^1]: The source.',
    ].join('\n');
    const { container } = render(<StreamingMessage text={text} status="complete" />);
    expect(container.querySelector<HTMLElement>('th')?.style.textAlign).toBe('left');
    expect(container.querySelector<HTMLElement>('td:last-child')?.style.textAlign).toBe('right');
    const boxes = container.querySelectorAll<HTMLInputElement>('input[type="checkbox"]');
    expect([...boxes].map((b) => b.checked)).toEqual([true, false]);
    const ref = container.querySelector('sup[data-part="footnote-ref"] a')!;
    expect(ref.textContent).toBe('1');
    const target = container.querySelector(ref.getAttribute('href')!)!;
    expect(target.textContent).toContain('The source.');
    expect(target.closest('section')?.getAttribute('aria-label')).toBe('Footnotes');
  });

  it('shows an open code fence as code, then copies and highlights it once closed', async () => {
    const writeText = vi.fn(() => Promise.resolve());
    Object.defineProperty(navigator, 'clipboard', { value: { writeText }, configurable: true });
    const open = 'Example:\n\n```ts\nconst answer = 42;';
    const { container, rerender } = render(<StreamingMessage text={open} status="streaming" />);
    const block = container.querySelector('[data-part="code-block"]')!;
    expect(block.hasAttribute('data-open')).toBe(true);
    expect(block.querySelector('code')!.textContent).toBe('const answer = 42;');
    expect(block.querySelector('code span:not([data-part="caret"])')).toBeNull();
    rerender(<StreamingMessage text={`${open}\n\`\`\`\n`} status="complete" />);
    await waitFor(() =>
      expect(container.querySelector('[data-part="code-block"]')!.hasAttribute('data-highlighted')).toBe(true),
    );
    const code = container.querySelector('[data-part="code-block"] code')!;
    expect(code.querySelector('.hljs-keyword')?.textContent).toBe('const');
    expect(code.textContent).toBe('const answer = 42;\n');
    const button = screen.getByRole('button', { name: 'Copy code' });
    await act(async () => button.click());
    expect(writeText).toHaveBeenCalledWith('const answer = 42;\n');
    await waitFor(() => expect(button.textContent).toBe('Copied'));
  });

  it('composes parts, with a visible status', () => {
    render(
      <StreamingMessage.Root text="Hi" status="complete" className="message">
        <StreamingMessage.Content className="body" />
        <StreamingMessage.Status visible />
      </StreamingMessage.Root>,
    );
    expect(document.querySelector('.message > .body')?.textContent).toBe('Hi');
  });

  it('updates parts passed as the same element (memoised children)', () => {
    const parts = (
      <>
        <StreamingMessage.Content />
        <StreamingMessage.Status visible />
      </>
    );
    const { container, rerender } = render(
      <StreamingMessage.Root text="first" status="streaming">
        {parts}
      </StreamingMessage.Root>,
    );
    rerender(
      <StreamingMessage.Root text="first and second" status="complete">
        {parts}
      </StreamingMessage.Root>,
    );
    expect(container.querySelector('[data-part="content"]')!.textContent).toBe('first and second');
    expect(screen.getByRole('status').textContent).toBe('Response complete');
  });

  it('keeps blocks deep in a long answer in the DOM untouched while it grows', () => {
    const text = Array.from({ length: 120 }, (_, i) => `Paragraph ${i}.`).join('\n\n');
    const { container, rerender } = render(<StreamingMessage text="" status="streaming" />);
    const seen = new Map<number, Element>();
    streamInto(text, 40, (prefix) => {
      rerender(<StreamingMessage text={prefix} status="streaming" />);
      const paragraphs = container.querySelectorAll('p');
      // Every paragraph but the last (the open tail) is the same element as when first completed.
      for (let i = 0; i < paragraphs.length - 1; i++) {
        const known = seen.get(i);
        if (known) expect(paragraphs[i]).toBe(known);
        else seen.set(i, paragraphs[i]!);
      }
    });
    expect(seen.size).toBeGreaterThan(100);
  });

  it('leaves the status region and the caret untouched while tokens arrive, and updates them when the status changes', async () => {
    const text = 'Streaming **words** into a paragraph, token after token.';
    const { container, rerender } = renderStrict(<StreamingMessage text="S" status="streaming" />);
    const status = screen.getByRole('status');
    const caret = container.querySelector('[data-part="caret"]')!;
    const mutations: MutationRecord[] = [];
    const observer = new MutationObserver((records) => mutations.push(...records));
    observer.observe(status, { subtree: true, childList: true, characterData: true, attributes: true });
    observer.observe(caret, { attributes: true });
    streamInto(text, 3, (prefix) =>
      rerender(
        <StrictMode>
          <StreamingMessage text={prefix} status="streaming" />
        </StrictMode>,
      ),
    );
    await Promise.resolve(); // MutationObserver callbacks run as microtasks
    expect(mutations).toEqual([]);
    expect(container.querySelector('[data-part="caret"]')).toBe(caret);
    rerender(
      <StrictMode>
        <StreamingMessage text={text} status="complete" />
      </StrictMode>,
    );
    observer.disconnect();
    expect(status.textContent).toBe('Response complete');
    expect(container.querySelector('[data-part="caret"]')).toBeNull();
  });

  it('explains a part used outside its root', () => {
    vi.spyOn(console, 'error').mockImplementation(() => undefined);
    expect(() => render(<StreamingMessage.Content />)).toThrow(/inside <StreamingMessage.Root>/);
    vi.restoreAllMocks();
  });
});
