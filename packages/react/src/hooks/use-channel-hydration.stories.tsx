import type { Meta, StoryObj } from '@storybook/react-vite';
import { expect, waitFor, within } from 'storybook/test';
import { ResponseStoreProvider } from '../provider/response-store-provider.js';
import { StreamingMessage } from '../streaming-message/streaming-message.js';
import { askThenInterrupt, asRendered, renderedText, StoryControls } from './story-emulator.js';
import { type UseChannelHydrationOptions, useChannelHydration } from './use-channel-hydration.js';
import { useStreamedResponse } from './use-streamed-response.js';

function Message({ id }: { id: string }) {
  const view = useStreamedResponse({ id });
  return (
    <li data-testid="message" data-status={view.status} style={{ marginBottom: 8 }}>
      {/* The whole response also carries `incomplete` and `errorReason`; while pending, the view stands in. */}
      <StreamingMessage response={view.response ?? view} />
      <small style={{ display: 'block', color: '#666' }}>{view.status}</small>
    </li>
  );
}

function Transcript(options: UseChannelHydrationOptions) {
  const { responses, syncStatus, caughtUp, resyncCount, error, store } = useChannelHydration(options);
  return (
    <ResponseStoreProvider store={store}>
      <p data-testid="sync" data-status={syncStatus}>
        sync: {syncStatus}
        {caughtUp ? ', caught up' : ''}, resyncs: {resyncCount}
        {error ? ` — ${error.code}: ${error.message} (${error.hint})` : ''}
      </p>
      <ol>
        {responses.map((response) => (
          <Message key={response.id} id={response.id} />
        ))}
      </ol>
    </ResponseStoreProvider>
  );
}

interface LiveChannelProps {
  readonly channelName: string;
  readonly pattern: 'message-per-response' | 'message-per-token';
  readonly strategy: 'rewind' | 'history';
}

/** A page that hydrates one channel: ask the agent, then refresh or disconnect mid-stream. */
function LiveChannel({ channelName, pattern, strategy }: LiveChannelProps) {
  return (
    <StoryControls channelName={channelName} pattern={pattern} strategy={strategy}>
      {(client) => <Transcript client={client} channelName={channelName} strategy={strategy} />}
    </StoryControls>
  );
}

const meta = {
  title: 'Hooks/useChannelHydration',
  component: LiveChannel,
  args: { channelName: 'ai:story-hydration', pattern: 'message-per-response', strategy: 'history' },
  argTypes: {
    pattern: { control: 'inline-radio', options: ['message-per-response', 'message-per-token'] },
    strategy: { control: 'inline-radio', options: ['history', 'rewind'] },
  },
} satisfies Meta<typeof LiveChannel>;

export default meta;
type Story = StoryObj<typeof meta>;

const unique = (base: string) => `${base}-${Math.random().toString(36).slice(2, 8)}`;

/** Streams an answer while the page is refreshed and the connection dropped; the text ends exact. */
export const RefreshAndDisconnect: Story = {
  args: { channelName: unique('ai:story-hydration') },
  play: async ({ canvasElement }) => {
    const canvas = within(canvasElement);
    await waitFor(() => expect(canvas.getByTestId('sync').dataset.status).toBe('live'), { timeout: 10_000 });
    const expected = await askThenInterrupt(canvas, 'message', ['Disconnect briefly', 'Refresh the page']);
    await waitFor(
      () => {
        const message = canvas.getByTestId('message');
        expect(message.dataset.status).toBe('complete');
        expect(renderedText(message)).toBe(asRendered(expected));
        expect(message.querySelector('strong')?.textContent).toBe('resumable');
      },
      { timeout: 10_000 },
    );
    expect(canvas.getAllByTestId('message')).toHaveLength(1);
  },
};

/** The same with message-per-token and rewind, and a lost connection state (re-hydration). */
export const PerTokenRewindStateLoss: Story = {
  args: { channelName: unique('ai:story-rewind'), pattern: 'message-per-token', strategy: 'rewind' },
  play: async ({ canvasElement }) => {
    const canvas = within(canvasElement);
    await waitFor(() => expect(canvas.getByTestId('sync').dataset.status).toBe('live'), { timeout: 10_000 });
    const expected = await askThenInterrupt(canvas, 'message', ['Lose connection state']);
    await waitFor(
      () => {
        const message = canvas.getByTestId('message');
        expect(renderedText(message)).toBe(asRendered(expected));
        expect(message.querySelector('strong')?.textContent).toBe('resumable');
      },
      { timeout: 15_000 },
    );
  },
};
