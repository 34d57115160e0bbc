import type { Diagnostic } from '@resumable/core';
import { act, render, screen, within } from '@testing-library/react';
import type * as Ably from 'ably';
import { AblyProvider, ChannelProvider } from 'ably/react';
import { StrictMode } from 'react';
import { hydrateRoot } from 'react-dom/client';
import { renderToString } from 'react-dom/server';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { Transcript } from './components.js';
import {
  closeClients,
  type Emulator,
  makeAgent,
  makeClient,
  makeTokens,
  pacedTokens,
  startTestEmulator,
  uniqueChannelName,
  waitForText,
  waitUntil,
} from './helpers.js';

let emulator: Emulator;

beforeAll(async () => {
  emulator = await startTestEmulator();
});
afterEach(() => {
  closeClients();
});
afterAll(async () => {
  await emulator?.stop();
});

const message = (label: string, responseId: string) => () =>
  within(screen.getByTestId(label)).queryByTestId(`message-${responseId}`);

/** Publish finished responses before anyone watches. */
async function publishFinished(channelName: string, count: number) {
  const agent = makeAgent(emulator, channelName);
  const texts: string[] = [];
  for (let i = 0; i < count; i++) {
    const result = await agent.stream(pacedTokens(makeTokens(6, i + 1), 0), 'message-per-response', `done-${i}`);
    texts.push(result.text);
  }
  return texts;
}

function recordStates(channel: Ably.RealtimeChannel) {
  const states: string[] = [];
  channel.on((change: Ably.ChannelStateChange) => states.push(change.current));
  return states;
}

describe('inside ably/react providers', () => {
  it('rewinds once under StrictMode with <ChannelProvider options={{ params: { rewind } }}> (ably-js #1704)', async () => {
    const channelName = uniqueChannelName();
    const texts = await publishFinished(channelName, 3);
    const client = makeClient(emulator);
    const states = recordStates(client.channels.get(channelName));
    const diagnostics: Diagnostic[] = [];
    const options = { params: { rewind: '10' } };
    render(
      <StrictMode>
        <AblyProvider client={client}>
          <ChannelProvider channelName={channelName} options={options}>
            <Transcript strategy="rewind" onDiagnostic={(d) => diagnostics.push(d)} />
          </ChannelProvider>
        </AblyProvider>
      </StrictMode>,
    );
    for (let i = 0; i < texts.length; i++) await waitForText(message('viewer', `done-${i}`), texts[i]!);
    await waitUntil(() => screen.getByTestId('viewer-sync').dataset.status === 'live', 10_000, 'live');
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(states).toEqual(['attaching', 'attached']);
    expect(diagnostics.filter((d) => d.kind === 'duplicate' || d.kind === 'stale-version')).toEqual([]);
    expect(screen.getByTestId('viewer-list').children).toHaveLength(3);
  });

  it('reads the client from <AblyProvider>, the channel from <ChannelProvider>, or a channel passed directly', async () => {
    const channelName = uniqueChannelName();
    const texts = await publishFinished(channelName, 1);
    const viaProvider = makeClient(emulator);
    const direct = makeClient(emulator);
    const withChannelProvider = makeClient(emulator);
    render(
      <StrictMode>
        <AblyProvider client={viaProvider}>
          <Transcript label="provider" channelName={channelName} strategy="history" />
        </AblyProvider>
        <AblyProvider client={withChannelProvider}>
          <ChannelProvider channelName={channelName}>
            <Transcript label="channel-provider" strategy="history" />
          </ChannelProvider>
        </AblyProvider>
        <Transcript label="direct" channel={direct.channels.get(channelName)} strategy="rewind" />
      </StrictMode>,
    );
    await waitForText(message('provider', 'done-0'), texts[0]!);
    await waitForText(message('direct', 'done-0'), texts[0]!);
    // <ChannelProvider> turns attach-on-subscribe off; history hydration still attaches.
    await waitForText(message('channel-provider', 'done-0'), texts[0]!);
    expect(viaProvider.channels.get(channelName).state).toBe('attached');
  });
});

type SeedList = NonNullable<React.ComponentProps<typeof Transcript>['seed']>;

/** The page, as both the server and the browser render it. */
function ServerRenderedChat(props: { client: Ably.RealtimeClient | undefined; channelName: string; seed: SeedList }) {
  return <Transcript client={props.client} channelName={props.channelName} strategy="history" seed={props.seed} />;
}

describe('server rendering', () => {
  it('renders the seed on the server without a client, then hydrates and goes live', async () => {
    const channelName = uniqueChannelName();
    const seed = [{ responseId: 'from-db', text: 'Stored **answer**.', createdAt: Date.now() - 1000 }];

    // The server has no Ably client at all; the hook must render the seed and not complain.
    const html = renderToString(<ServerRenderedChat client={undefined} channelName={channelName} seed={seed} />);
    expect(html).toContain('Stored **answer**.');
    expect(html).toContain('data-status="hydrating"');
    expect(html).toContain('data-error-code=""');

    const container = document.createElement('div');
    container.innerHTML = html;
    document.body.appendChild(container);
    const client = makeClient(emulator);
    const recoverable: unknown[] = [];
    let root: ReturnType<typeof hydrateRoot> | undefined;
    await act(async () => {
      root = hydrateRoot(
        container,
        <StrictMode>
          <ServerRenderedChat client={client} channelName={channelName} seed={seed} />
        </StrictMode>,
        { onRecoverableError: (error) => recoverable.push(error) },
      );
    });
    try {
      expect(recoverable).toEqual([]);
      const sync = () => within(container).getByTestId('viewer-sync');
      await waitUntil(() => sync().dataset.status === 'live', 10_000, 'live');
      const agent = makeAgent(emulator, channelName);
      const result = await agent.stream(pacedTokens(makeTokens(12, 4), 1), 'message-per-token', 'after-hydration');
      await waitForText(() => within(container).queryByTestId('message-after-hydration'), result.text);
      expect(within(container).getByTestId('message-from-db').textContent).toBe('Stored **answer**.');
    } finally {
      act(() => root?.unmount());
      container.remove();
    }
  });
});
