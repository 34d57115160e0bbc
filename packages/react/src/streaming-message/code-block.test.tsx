import { act, render, waitFor } from '@testing-library/react';
import { describe, expect, it, vi } from 'vitest';
import { StreamingMessage } from './streaming-message.js';

const highlighted = vi.hoisted(() => ({ lengths: [] as number[] }));
vi.mock('./highlight.js', async (importOriginal) => {
  const actual = await importOriginal<typeof import('./highlight.js')>();
  return {
    ...actual,
    highlight: (code: string, language: string) => {
      highlighted.lengths.push(code.length);
      return actual.highlight(code, language);
    },
  };
});

describe('a long open code fence', () => {
  it('is highlighted again as it grows by a quarter, not on every line, and never loses text', async () => {
    const lines = Array.from({ length: 400 }, (_, i) => `const value${i} = compute(${i});\n`);
    const head = 'Here:\n\n```ts\n';
    const { container, rerender } = render(<StreamingMessage text={head} status="streaming" />);
    let code = '';
    for (const line of lines) {
      code += line;
      rerender(<StreamingMessage text={head + code} status="streaming" />);
      // Let a highlight that was asked for land before the next line, as it would between tokens.
      await act(async () => {
        await new Promise((resolve) => setTimeout(resolve, 0));
      });
      const shown = container.querySelector('[data-part="code-block"] code')!.textContent;
      expect(shown).toBe(code);
    }
    const open = container.querySelector('[data-part="code-block"]')!;
    expect(open.getAttribute('data-highlighted')).toBe('partial');
    // Each pass covers at least a quarter more than the one before: a bounded multiple of the block.
    const total = highlighted.lengths.reduce((sum, length) => sum + length, 0);
    expect(highlighted.lengths.length).toBeLessThan(40);
    expect(total).toBeLessThan(6 * code.length);
    for (let i = 1; i < highlighted.lengths.length; i++) {
      expect(highlighted.lengths[i]!).toBeGreaterThanOrEqual(highlighted.lengths[i - 1]! * 1.25);
    }
    rerender(<StreamingMessage text={`${head}${code}\`\`\`\n`} status="complete" />);
    await waitFor(() =>
      expect(container.querySelector('[data-part="code-block"]')!.getAttribute('data-highlighted')).toBe(''),
    );
    expect(container.querySelector('[data-part="code-block"] code')!.textContent).toBe(code);
  });
});
