import type { ResponseStore } from '@resumable/core';
import type { Meta, StoryObj } from '@storybook/react-vite';
import { Profiler, useRef } from 'react';
import { expect, userEvent, waitFor, within } from 'storybook/test';
import { StoryControls } from './story-emulator.js';
import { useChannelHydration } from './use-channel-hydration.js';
import { useStreamedResponse } from './use-streamed-response.js';

/** One message, re-rendered at most once per animation frame. */
function StreamedMessage({ store, responseId }: { store: ResponseStore; responseId: string }) {
  const { text, status, headers } = useStreamedResponse({ store, responseId });
  return (
    <article data-testid="message" data-status={status} style={{ whiteSpace: 'pre-wrap' }}>
      <header style={{ color: '#666' }}>
        {status} · responseId {headers.responseId ?? '—'}
      </header>
      <p data-testid="text">{text}</p>
    </article>
  );
}

function LatestMessage({ client, channelName }: { client: import('ably').Realtime; channelName: string }) {
  const { responses, store } = useChannelHydration({ client, channelName, strategy: 'history' });
  const commits = useRef(0);
  const counter = useRef<HTMLElement>(null);
  const latest = responses.at(-1);
  if (!latest?.responseId) return <p>No response yet: ask the agent.</p>;
  return (
    <>
      <Profiler
        id="message"
        onRender={() => {
          // Written straight to the DOM: a state update here would itself commit.
          commits.current++;
          if (counter.current) counter.current.textContent = `${commits.current} commits of the message`;
        }}
      >
        <StreamedMessage store={store} responseId={latest.responseId} />
      </Profiler>
      <small data-testid="commits" ref={counter} />
    </>
  );
}

function StreamedResponseDemo({ channelName }: { channelName: string }) {
  return (
    <StoryControls channelName={channelName} pattern="message-per-response" strategy="history">
      {(client) => <LatestMessage client={client} channelName={channelName} />}
    </StoryControls>
  );
}

const meta = {
  title: 'Hooks/useStreamedResponse',
  component: StreamedResponseDemo,
  args: { channelName: 'ai:story-streamed-response' },
} satisfies Meta<typeof StreamedResponseDemo>;

export default meta;
type Story = StoryObj<typeof meta>;

/** The latest response by `responseId`, surviving a disconnect and a refresh mid-stream. */
export const LatestResponse: Story = {
  args: { channelName: `ai:story-streamed-${Math.random().toString(36).slice(2, 8)}` },
  play: async ({ canvasElement }) => {
    const canvas = within(canvasElement);
    await userEvent.click(canvas.getByRole('button', { name: 'Ask the agent' }));
    await waitFor(() => expect(canvas.getByTestId('text').textContent?.length).toBeGreaterThan(20), {
      timeout: 10_000,
    });
    await userEvent.click(canvas.getByRole('button', { name: 'Disconnect briefly' }));
    await userEvent.click(canvas.getByRole('button', { name: 'Refresh the page' }));
    await waitFor(() => expect(canvas.getByTestId('agent').dataset.status).toBe('complete'), { timeout: 20_000 });
    const expected = canvas.getByTestId('agent').dataset.expected;
    await waitFor(
      () => {
        expect(canvas.getByTestId('message').dataset.status).toBe('complete');
        expect(canvas.getByTestId('text').textContent).toBe(expected);
      },
      { timeout: 10_000 },
    );
  },
};
