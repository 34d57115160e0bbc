import type { ConversationResponse } from '@resumable/core';
import type { Meta, StoryObj } from '@storybook/react-vite';
import { useEffect, useState } from 'react';
import { expect, userEvent, waitFor, within } from 'storybook/test';
import { StreamingMessage } from '../streaming-message.js';
import { answer, responseWith, thinking, weatherCall, weatherResult } from './story-responses.js';

function PartsStory({ response }: { response: ConversationResponse }) {
  return (
    <div style={{ maxWidth: 640, fontFamily: 'system-ui, sans-serif' }}>
      <StreamingMessage response={response} />
    </div>
  );
}

const meta = {
  title: 'Components/StreamingMessage/Parts',
  component: PartsStory,
  args: { response: responseWith('complete', [thinking, weatherCall, weatherResult, answer]) },
} satisfies Meta<typeof PartsStory>;

export default meta;
type Story = StoryObj<typeof meta>;

/** Reasoning is collapsed by default; opening it shows the text. */
export const Reasoning: Story = {
  args: { response: responseWith('complete', [thinking, answer]) },
  play: async ({ canvasElement }) => {
    const canvas = within(canvasElement);
    const summary = canvas.getByText('Reasoning');
    const details = summary.closest('details')!;
    expect(details.open).toBe(false);
    await userEvent.click(summary);
    await waitFor(() => expect(canvas.getByText(thinking.text)).toBeVisible());
  },
};

/** A tool call whose input is still streaming: raw text, state Running. */
export const ToolCallRunning: Story = {
  args: { response: responseWith('streaming', [thinking, { ...weatherCall, text: '{"city":"Pa' }]) },
  play: async ({ canvasElement }) => {
    const card = within(canvasElement).getByRole('region', { name: 'Tool weather: Running' });
    expect(card.dataset.state).toBe('running');
    expect(within(card).getByRole('region', { name: 'Input of weather' }).textContent).toBe('{"city":"Pa');
  },
};

/** A finished tool call: pretty input, the result. */
export const ToolCallDone: Story = {
  args: { response: responseWith('streaming', [weatherCall, weatherResult]) },
  play: async ({ canvasElement }) => {
    const card = within(canvasElement).getByRole('region', { name: 'Tool weather: Done' });
    expect(within(card).getByRole('region', { name: 'Input of weather' }).textContent).toContain('"city": "Paris"');
    const result = within(card).getByRole('region', { name: 'Result of weather' });
    expect(result.textContent).toContain('"celsius": 21');
    // Block code, not an inline code box drawn behind every line.
    const code = getComputedStyle(result.querySelector('pre code')!);
    expect([code.backgroundColor, code.paddingLeft]).toEqual(['rgba(0, 0, 0, 0)', '0px']);
  },
};

/** A tool that answered with an error. */
export const ToolCallError: Story = {
  args: {
    response: responseWith('complete', [
      weatherCall,
      { ...weatherResult, text: 'The weather service timed out', isError: true },
      { kind: 'text', text: 'I could not reach the weather service.' },
    ]),
  },
  play: async ({ canvasElement }) => {
    const card = within(canvasElement).getByRole('region', { name: 'Tool weather: Failed' });
    expect(within(card).getByRole('region', { name: 'Result of weather' }).textContent).toBe(
      'The weather service timed out',
    );
  },
};

const calc = (id: string, expression: string, value: number) => [
  { kind: 'tool-call' as const, text: JSON.stringify({ expression }), toolCallId: id, toolName: 'calculator' },
  { kind: 'tool-result' as const, text: JSON.stringify({ value }), toolCallId: id, toolName: 'calculator' },
];

/** Every part kind in one answer, streamed in part by part: each card appears in order, the text ends exact. */
export const MixedStreaming: Story = {
  render: () => <MixedStream />,
  play: async ({ canvasElement }) => {
    const canvas = within(canvasElement);
    await waitFor(() => expect(canvas.getByTestId('mixed').dataset.status).toBe('complete'), { timeout: 10_000 });
    expect(canvas.getAllByRole('region', { name: /^Tool (weather|calculator)( \d)?: Done$/ })).toHaveLength(3);
    expect(canvas.getByText(/^Thought for \d+ s$/)).toBeTruthy();
    expect(canvasElement.querySelector('[data-part="text"]')?.textContent).toBe(
      'It is sunny in Paris, 21 °C: 69.8 °F.',
    );
  },
};

const mixedParts = [
  thinking,
  weatherCall,
  weatherResult,
  ...calc('c2', '21 * 9 / 5', 37.8),
  ...calc('c3', '37.8 + 32', 69.8),
];
const mixedText = 'It is **sunny** in Paris, 21 °C: 69.8 °F.';

function MixedStream() {
  const [step, setStep] = useState(0);
  const steps = mixedParts.length + mixedText.length;
  useEffect(() => {
    if (step >= steps) return;
    const timer = setTimeout(() => setStep((s) => s + 1), 15);
    return () => clearTimeout(timer);
  }, [step, steps]);
  const partsShown = Math.min(step, mixedParts.length);
  const textShown = Math.max(0, step - mixedParts.length);
  const parts = [
    ...mixedParts.slice(0, partsShown),
    ...(textShown > 0 ? [{ kind: 'text' as const, text: mixedText.slice(0, textShown) }] : []),
  ];
  const status = step >= steps ? 'complete' : 'streaming';
  return (
    <div data-testid="mixed" data-status={status} style={{ maxWidth: 640, fontFamily: 'system-ui, sans-serif' }}>
      <StreamingMessage response={responseWith(status, parts)} />
    </div>
  );
}

/** An answer stopped during a tool call: the card says Cancelled, the status says stopped. */
export const Cancelled: Story = {
  args: { response: responseWith('cancelled', [thinking, weatherCall], { cancelledBy: 'ben' }) },
  play: async ({ canvasElement }) => {
    const canvas = within(canvasElement);
    expect(canvas.getByRole('region', { name: 'Tool weather: Cancelled' }).dataset.state).toBe('cancelled');
    expect(canvasElement.querySelector('[data-part="root"]')?.getAttribute('data-status')).toBe('cancelled');
  },
};
