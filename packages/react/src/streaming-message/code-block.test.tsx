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

const HEAD = 'Here:\n\n```ts\n';
const codeElement = (container: HTMLElement) => container.querySelector('[data-part="code-block"] code')!;
const highlightState = (container: HTMLElement) =>
  container.querySelector('[data-part="code-block"]')!.getAttribute('data-highlighted');

/** Stream `lines` into an open fence one line at a time (letting highlights land), checking the text. */
async function streamLines(lines: readonly string[]) {
  const { container, rerender } = render(<StreamingMessage text={HEAD} status="streaming" />);
  let code = '';
  for (const line of lines) {
    code += line;
    rerender(<StreamingMessage text={HEAD + code} status="streaming" />);
    await act(async () => {
      await new Promise((resolve) => setTimeout(resolve, 0));
    });
    expect(codeElement(container).textContent).toBe(code);
  }
  return { container, rerender, code };
}

/** The code element's HTML when the whole block is rendered closed at once (highlighted whole). */
async function renderedWhole(code: string): Promise<string> {
  const { container } = render(<StreamingMessage text={`${HEAD}${code}\`\`\`\n`} status="complete" />);
  await waitFor(() => expect(highlightState(container)).toBe(''));
  return codeElement(container).innerHTML;
}

describe('a long open code fence', () => {
  it('is highlighted line by line, each finished line once, and ends as the whole block would be', async () => {
    highlighted.lengths.length = 0;
    const lines = Array.from(
      { length: 400 },
      (_, i) => `const value${i} = compute(${i}, "**not bold**"); // step ${i}\n`,
    );
    const { container, rerender, code } = await streamLines(lines);
    await waitFor(() => expect(highlightState(container)).toBe(''));
    // Every line once: the work is the block's length, not its length for every line.
    expect(highlighted.lengths.reduce((sum, length) => sum + length, 0)).toBe(code.length);
    expect(codeElement(container).querySelectorAll('.hljs-keyword').length).toBe(400);
    rerender(<StreamingMessage text={`${HEAD}${code}\`\`\`\n`} status="complete" />);
    expect(codeElement(container).textContent).toBe(code);
    expect(codeElement(container).innerHTML).toBe(await renderedWhole(code));
  });

  it('highlights a comment left open again a bounded number of times, and ends as the whole block would be', async () => {
    highlighted.lengths.length = 0;
    const lines = [
      '/*\n',
      ...Array.from({ length: 300 }, (_, i) => ` * note ${i}: const is not a keyword in here\n`),
      ' */\n',
      ...Array.from({ length: 100 }, (_, i) => `let total${i} = ${i} + 1;\n`),
    ];
    const { container, rerender, code } = await streamLines(lines);
    // While the comment is open the text stays exact and partly plain; the redone lengths stay bounded.
    const total = highlighted.lengths.reduce((sum, length) => sum + length, 0);
    expect(total).toBeLessThan(6 * code.length);
    expect(highlighted.lengths.length).toBeLessThan(140);
    rerender(<StreamingMessage text={`${HEAD}${code}\`\`\`\n`} status="complete" />);
    await waitFor(() => expect(highlightState(container)).toBe(''));
    expect(codeElement(container).querySelectorAll('.hljs-comment')).toHaveLength(1);
    expect(codeElement(container).innerHTML).toBe(await renderedWhole(code));
  });

  it('shows a closed block seen before highlighted at once, without highlighting it again', async () => {
    const code = 'const seen = true;\n';
    await renderedWhole(code);
    highlighted.lengths.length = 0;
    const { container } = render(<StreamingMessage text={`${HEAD}${code}\`\`\`\n`} status="complete" />);
    expect(highlightState(container)).toBe('');
    expect(highlighted.lengths).toEqual([]);
  });
});
