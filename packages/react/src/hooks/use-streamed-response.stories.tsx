import type { ResponseStore } from '@resumable/core';
import type { Meta, StoryObj } from '@storybook/react-vite';
import { Profiler, useRef } from 'react';
import { expect, waitFor, within } from 'storybook/test';
import { StreamingMessage } from '../streaming-message/streaming-message.js';
import { askThenInterrupt, asRendered, renderedText, StoryControls } from './story-emulator.js';
import { useChannelHydration } from './use-channel-hydration.js';
import { useStreamedResponse } from './use-streamed-response.js';

/** One message, re-rendered at most once per animation frame, its markdown rendered by `<StreamingMessage>`. */
function StreamedMessage({ store, responseId }: { store: ResponseStore; responseId: string }) {
  const view = useStreamedResponse({ store, responseId });
  const { status, headers } = view;
  return (
    <article data-testid="message" data-status={status}>
      <header style={{ color: '#666' }}>
        {status} · responseId {headers.responseId ?? '—'}
      </header>
      {/* The whole response also carries `incomplete` and `errorReason`; while pending, the view stands in. */}
      <StreamingMessage data-testid="text" response={view.response ?? view} />
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
    const expected = await askThenInterrupt(canvas, 'text', ['Disconnect briefly', 'Refresh the page']);
    // The agent sent markdown; the page shows it rendered: bold as <strong>, no `**` left on screen.
    await waitFor(
      () => {
        expect(canvas.getByTestId('message').dataset.status).toBe('complete');
        expect(renderedText(canvas.getByTestId('text'))).toBe(asRendered(expected));
      },
      { timeout: 10_000 },
    );
    const strong = [...canvas.getByTestId('text').querySelectorAll('strong')].map((element) => element.textContent);
    expect(strong).toEqual(expected.match(/\*\*[^*]+\*\*/g)?.map((bold) => bold.slice(2, -2)));
    expect(strong.length).toBeGreaterThan(0);
  },
};
