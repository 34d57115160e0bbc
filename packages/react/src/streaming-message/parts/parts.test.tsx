import { act, fireEvent, render, screen, within } from '@testing-library/react';
import { StrictMode } from 'react';
import { describe, expect, it } from 'vitest';
import { StreamingMessage } from '../streaming-message.js';
import type { TextPartProps, ToolCallPartProps } from './part-types.js';
import { answer, responseWith, thinking, weatherCall, weatherResult } from './story-responses.js';

const strict = (ui: React.ReactElement) => render(<StrictMode>{ui}</StrictMode>);

const renders = { text: 0, tool: 0 };
function Text({ part }: TextPartProps) {
  renders.text++;
  return <p data-testid="custom-text">{part.text}</p>;
}
function Tool({ call, state }: ToolCallPartProps) {
  renders.tool++;
  return <div data-testid="custom-tool">{`${call?.toolName} ${state}`}</div>;
}

describe('<StreamingMessage> with parts', () => {
  it('renders reasoning collapsed, a named tool card with pretty input and result, then the text', () => {
    const response = responseWith('complete', [thinking, weatherCall, weatherResult, answer]);
    const { container } = strict(<StreamingMessage response={response} />);
    const reasoning = container.querySelector('details[data-part="reasoning"]') as HTMLDetailsElement;
    expect(reasoning.open).toBe(false);
    expect(reasoning.dataset.state).toBe('done');
    // Mounted already done (a restored answer): no measured duration.
    expect(within(reasoning).getByText('Reasoning')).toBeTruthy();
    expect(container.querySelector('[data-part="reasoning-text"]')).toBeNull();
    fireEvent.click(within(reasoning).getByText('Reasoning'));
    reasoning.open = true;
    fireEvent(reasoning, new Event('toggle'));
    expect(container.querySelector('[data-part="reasoning-text"]')?.textContent).toBe(thinking.text);

    const card = screen.getByRole('region', { name: 'Tool weather: Done' });
    expect(card.dataset.state).toBe('done');
    expect(within(card).getByRole('region', { name: 'Input of weather' }).textContent).toBe(
      JSON.stringify({ city: 'Paris', unit: 'celsius' }, null, 2),
    );
    expect(within(card).getByRole('region', { name: 'Result of weather' }).textContent).toContain('"sky": "sunny"');
    expect(container.querySelector('[data-part="text"] strong')?.textContent).toBe('sunny');
    const order = [...container.querySelectorAll('[data-part="content"] > *')].map((el) =>
      el.getAttribute('data-part'),
    );
    expect(order).toEqual(['reasoning', 'tool-call', 'text']);
  });

  it('shows the tool input raw while it streams, running, then done with its result', () => {
    const streamingInput = { ...weatherCall, text: '{"city":"Par' };
    const { rerender } = strict(<StreamingMessage response={responseWith('streaming', [thinking, streamingInput])} />);
    const running = screen.getByRole('region', { name: 'Tool weather: Running' });
    expect(within(running).getByRole('region', { name: 'Input of weather' }).textContent).toBe('{"city":"Par');
    rerender(
      <StrictMode>
        <StreamingMessage response={responseWith('streaming', [thinking, weatherCall, weatherResult])} />
      </StrictMode>,
    );
    expect(screen.getByRole('region', { name: 'Tool weather: Done' })).toBeTruthy();
  });

  it('marks a tool that never returned cancelled when the answer was stopped, failed when it errored', () => {
    const { rerender } = strict(
      <StreamingMessage response={responseWith('cancelled', [thinking, weatherCall], { cancelledBy: 'ben' })} />,
    );
    expect(screen.getByRole('region', { name: 'Tool weather: Cancelled' }).dataset.state).toBe('cancelled');
    rerender(
      <StrictMode>
        <StreamingMessage
          response={responseWith('complete', [
            weatherCall,
            { ...weatherResult, text: 'city not found', isError: true },
          ])}
        />
      </StrictMode>,
    );
    const failed = screen.getByRole('region', { name: 'Tool weather: Failed' });
    expect(within(failed).getByRole('region', { name: 'Result of weather' }).textContent).toBe('city not found');
    expect(within(failed).getByRole('region', { name: 'Result of weather' }).dataset.error).toBe('true');
  });

  it('times reasoning it saw stream: "Thinking…" while open, then "Thought for N s"', () => {
    const { container, rerender } = strict(
      <StreamingMessage response={responseWith('streaming', [{ ...thinking, text: 'The user' }])} />,
    );
    const summary = () => container.querySelector('[data-part="reasoning-summary"]')?.textContent;
    expect(summary()).toBe('Thinking…');
    expect(container.querySelector('[data-part="reasoning"]')?.getAttribute('data-state')).toBe('streaming');
    rerender(
      <StrictMode>
        <StreamingMessage response={responseWith('streaming', [thinking, answer])} />
      </StrictMode>,
    );
    expect(summary()).toMatch(/^Thought for \d+ s$/);
  });

  it('a token re-renders only its own part; custom components replace any part', () => {
    const components = { text: Text, toolCall: Tool };
    const parts = (text: string) => [weatherCall, weatherResult, { ...answer, text }];
    const { rerender } = render(
      <StreamingMessage response={responseWith('streaming', parts('It'))} components={components} />,
    );
    expect(screen.getByTestId('custom-tool').textContent).toBe('weather done');
    const toolRendersBefore = renders.tool;
    const textRendersBefore = renders.text;
    for (const text of ['It is', 'It is sunny', 'It is sunny.']) {
      act(() =>
        rerender(<StreamingMessage response={responseWith('streaming', parts(text))} components={components} />),
      );
    }
    expect(screen.getByTestId('custom-text').textContent).toBe('It is sunny.');
    expect(renders.text - textRendersBefore).toBe(3);
    expect(renders.tool - toolRendersBefore).toBe(0);
  });

  it('shows data parts only through renderData, and submitted as pending', () => {
    const data = { kind: 'data' as const, text: '{"temperatures":[18,21]}', dataName: 'chart' };
    const { container, rerender } = strict(<StreamingMessage response={responseWith('complete', [data, answer])} />);
    expect(container.querySelector('[data-part="data"]')).toBeNull();
    rerender(
      <StrictMode>
        <StreamingMessage
          response={responseWith('complete', [data, answer])}
          renderData={(part) => <output>{`${part.dataName}: ${JSON.stringify(part.value)}`}</output>}
        />
      </StrictMode>,
    );
    expect(container.querySelector('[data-part="data"]')?.textContent).toBe('chart: {"temperatures":[18,21]}');
    rerender(
      <StrictMode>
        <StreamingMessage response={responseWith('submitted', [])} />
      </StrictMode>,
    );
    expect(container.querySelector('[data-part="root"]')?.getAttribute('data-status')).toBe('pending');
    expect(container.querySelector('[data-part="root"]')?.getAttribute('aria-busy')).toBe('true');
  });
});
