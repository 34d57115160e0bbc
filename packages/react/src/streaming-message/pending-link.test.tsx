import { render } from '@testing-library/react';
import { StrictMode } from 'react';
import { describe, expect, it } from 'vitest';
import { StreamingMessage } from './streaming-message.js';

describe('pending links in <StreamingMessage>', () => {
  it('shows a half-streamed URL as inert text with data-state="pending", then as a link', () => {
    const ui = (text: string, status: 'streaming' | 'complete') => (
      <StrictMode>
        <StreamingMessage text={text} status={status} />
      </StrictMode>
    );
    const { container, rerender } = render(ui('See https://exa', 'streaming'));
    expect(container.querySelector('a')).toBeNull();
    const pending = container.querySelector('[data-part="link"][data-state="pending"]')!;
    expect(pending.tagName).toBe('SPAN');
    expect(pending.textContent).toBe('https://exa');
    expect(pending.hasAttribute('href')).toBe(false);

    rerender(ui('See [the docs](https://example.com/do', 'streaming'));
    expect(container.querySelector('a')).toBeNull();
    expect(container.querySelector('[data-state="pending"]')?.textContent).toBe('the docs');

    rerender(ui('See [the docs](https://example.com/docs).', 'complete'));
    expect(container.querySelector('[data-state="pending"]')).toBeNull();
    expect(container.querySelector('a')?.getAttribute('href')).toBe('https://example.com/docs');
  });
});
