// @vitest-environment jsdom
import { cleanup, fireEvent, render, screen } from '@testing-library/react';
import { useRef } from 'react';
import { afterEach, describe, expect, it } from 'vitest';
import { JumpToLatest } from './jump-to-latest.js';
import { messageListProps, messageProps, Speaker } from './message-list-a11y.js';

function Conversation() {
  const list = useRef<HTMLDivElement>(null);
  return (
    <>
      <div data-testid="list" ref={list} {...messageListProps()}>
        <div {...messageProps('s1')}>
          <Speaker id="s1">You</Speaker>
          hello
        </div>
        <article {...messageProps('s2')}>
          <Speaker id="s2">Assistant</Speaker>
          hi there
        </article>
      </div>
      <JumpToLatest target={list} />
    </>
  );
}

/** jsdom does no layout: give the list the scroll geometry a browser would. */
function scrollGeometry(element: HTMLElement, { height, content }: { height: number; content: number }) {
  Object.defineProperty(element, 'clientHeight', { configurable: true, value: height });
  Object.defineProperty(element, 'scrollHeight', { configurable: true, value: content });
}

afterEach(cleanup);

describe('the conversation as a named log', () => {
  it('is a focusable, named, polite log whose messages are named after their speakers', () => {
    render(<Conversation />);
    const log = screen.getByRole('log', { name: 'Conversation' });
    expect(log.tabIndex).toBe(0);
    expect(log.getAttribute('aria-relevant')).toBe('additions');
    expect(screen.getByRole('article', { name: 'You' }).textContent).toContain('hello');
    expect(screen.getByRole('article', { name: 'Assistant' }).textContent).toContain('hi there');
  });

  it('offers "Jump to latest" once scrolled up, and it scrolls to the end and focuses the list', () => {
    render(<Conversation />);
    const log = screen.getByRole('log');
    scrollGeometry(log, { height: 300, content: 2000 });
    log.scrollTop = 1700;
    fireEvent.scroll(log);
    expect(screen.queryByRole('button', { name: /Jump to latest/ })).toBeNull();
    log.scrollTop = 400;
    fireEvent.scroll(log);
    fireEvent.click(screen.getByRole('button', { name: /Jump to latest/ }));
    expect(log.scrollTop).toBe(2000);
    expect(document.activeElement).toBe(log);
    expect(screen.queryByRole('button', { name: /Jump to latest/ })).toBeNull();
  });
});
