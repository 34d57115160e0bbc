// @vitest-environment jsdom
import { cleanup, render, screen } from '@testing-library/react';
import { afterEach, describe, expect, it } from 'vitest';
import { AssistantBody } from './assistant-body.js';

afterEach(cleanup);

const NOTICE = 'Part of this answer has not arrived';

describe('<AssistantBody>', () => {
  it('says in words that the beginning is missing, in both views, above the text', () => {
    const response = { text: 'the **end** of it', status: 'complete', incomplete: true } as const;
    const { container, rerender } = render(<AssistantBody response={response} view="markdown" reconnecting={false} />);
    const notice = screen.getByRole('note');
    expect(notice.textContent).toContain(NOTICE);
    // The notice comes before the text, where the missing beginning would be.
    const root = container.querySelector('[data-part="root"]')!;
    expect(notice.compareDocumentPosition(root) & Node.DOCUMENT_POSITION_FOLLOWING).toBeTruthy();
    expect(root.getAttribute('data-incomplete')).toBe('true');
    expect(container.querySelector('strong')?.textContent).toBe('end');

    rerender(<AssistantBody response={response} view="source" reconnecting={false} />);
    expect(screen.getByRole('note').textContent).toContain(NOTICE);
    expect(screen.getByTestId('response-source').textContent).toBe('the **end** of it');
  });

  it('shows no notice for a normal response, streaming or complete', () => {
    const { container, rerender } = render(
      <AssistantBody response={{ text: 'all of it', status: 'streaming' }} view="markdown" reconnecting={false} />,
    );
    expect(screen.queryByRole('note')).toBeNull();
    expect(container.textContent).not.toContain(NOTICE);
    rerender(<AssistantBody response={{ text: 'all of it', status: 'complete' }} view="markdown" reconnecting />);
    expect(screen.queryByRole('note')).toBeNull();
    rerender(<AssistantBody response={{ text: 'all of it', status: 'complete' }} view="source" reconnecting={false} />);
    expect(screen.queryByRole('note')).toBeNull();
    expect(container.textContent).toBe('all of it');
  });

  it('drops the notice when the beginning turns up later', () => {
    const { rerender } = render(
      <AssistantBody response={{ text: 'end', status: 'streaming', incomplete: true }} view="markdown" reconnecting />,
    );
    expect(screen.getByRole('note')).toBeTruthy();
    rerender(
      <AssistantBody response={{ text: 'start and end', status: 'complete' }} view="markdown" reconnecting={false} />,
    );
    expect(screen.queryByRole('note')).toBeNull();
  });

  it('shows an outage on the answer itself while it is unfinished', () => {
    const response = { text: 'half of it', status: 'streaming' } as const;
    const { container, rerender } = render(
      <AssistantBody response={response} view="markdown" reconnecting={false} connectionState="disconnected" />,
    );
    expect(container.querySelector('[data-part="connection"]')?.textContent).toBe('Reconnecting…');
    expect(container.querySelector('[data-part="caret"]')?.hasAttribute('data-paused')).toBe(true);
    rerender(<AssistantBody response={response} view="markdown" reconnecting={false} connectionState="connected" />);
    expect(container.querySelector('[data-part="connection"]')).toBeNull();
  });

  it("shows every part of a conversation response: exact text in order, or the kit's reasoning and tool cards", () => {
    const parts = [
      { index: 0, kind: 'reasoning', text: 'Check the weather.', done: true },
      { index: 1, kind: 'tool-call', text: '{"city":"Oslo"}', done: true, toolCallId: 'c1', toolName: 'weather' },
      { index: 2, kind: 'tool-result', text: '{"celsius":3}', done: true, toolCallId: 'c1', toolName: 'weather' },
      { index: 3, kind: 'text', text: 'It is **3 °C**.', done: true },
    ] as const;
    const response = { text: 'It is **3 °C**.', status: 'complete', parts } as const;
    const { container, rerender } = render(<AssistantBody response={response} view="source" reconnecting={false} />);
    const shown = [...container.querySelectorAll('[data-testid="part"]')].map((node) => [
      node.getAttribute('data-kind'),
      node.querySelector('[data-testid="part-text"], [data-testid="response-source"]')?.textContent,
    ]);
    expect(shown).toEqual(parts.map((part) => [part.kind, part.text]));
    expect(container.querySelector('[data-tool-state]')?.getAttribute('data-tool-state')).toBe('done');
    expect(screen.getByTestId('tool-output').textContent).toBe('{"celsius":3}');

    rerender(<AssistantBody response={response} view="markdown" reconnecting={false} />);
    expect(container.querySelector('details[data-part="reasoning"]')).not.toBeNull();
    expect(container.querySelector('[data-part="tool-call"]')?.textContent).toContain('weather');
    expect(container.querySelector('[data-part="text"] strong')?.textContent).toBe('3 °C');
  });
});
