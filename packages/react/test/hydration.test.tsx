import type { HydrationStrategy, ResponsePattern } from '@resumable/core';
import { render, screen, within } from '@testing-library/react';
import type * as Ably from 'ably';
import { StrictMode } from 'react';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { renderCounts, Transcript } from './components.js';
import {
  closeClient,
  closeClients,
  type Emulator,
  makeAgent,
  makeClient,
  makeTokens,
  manualTokens,
  pacedTokens,
  sleep,
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
  renderCounts.clear();
});
afterAll(async () => {
  await emulator?.stop();
});

const PATTERNS: ResponsePattern[] = ['message-per-response', 'message-per-token'];
const STRATEGIES: HydrationStrategy[] = ['rewind', 'history'];

function strict(ui: React.ReactNode) {
  return render(<StrictMode>{ui}</StrictMode>);
}

function messageIn(label: string, responseId: string) {
  return () => within(screen.getByTestId(label)).queryByTestId(`message-${responseId}`);
}

function listOf(label: string) {
  return screen.getByTestId(`${label}-list`);
}

function syncOf(label: string) {
  return screen.getByTestId(`${label}-sync`);
}

describe.each(PATTERNS)('useChannelHydration + useStreamedResponse, %s', (pattern) => {
  it('renders a live stream exactly, ending complete', async () => {
    const channelName = uniqueChannelName();
    const client = makeClient(emulator);
    strict(<Transcript client={client} channelName={channelName} strategy="history" />);
    await waitUntil(() => syncOf('viewer').dataset.caughtUp === 'true', 10_000, 'caught up');

    const tokens = makeTokens(40, 7);
    const agent = makeAgent(emulator, channelName);
    const result = await agent.stream(pacedTokens(tokens, 2), pattern, 'live-1');
    expect(result.text).toBe(tokens.join(''));
    await waitForText(messageIn('viewer', 'live-1'), result.text);
    await waitUntil(() => messageIn('viewer', 'live-1')()?.dataset.status === 'complete', 10_000, 'complete');
    expect(listOf('viewer').children).toHaveLength(1);
    expect(syncOf('viewer').dataset.status).toBe('live');
  });

  it.each(STRATEGIES)('survives a refresh mid-stream (remount with a new client), strategy %s', async (strategy) => {
    const channelName = uniqueChannelName();
    const agent = makeAgent(emulator, channelName);
    const text = manualTokens();
    const tokens = makeTokens(30, 11);
    const streaming = agent.stream(text.stream, pattern, 'refresh-1');

    const first = makeClient(emulator);
    const view = strict(<Transcript client={first} channelName={channelName} strategy={strategy} rewind="100" />);
    text.push(...tokens.slice(0, 10));
    await waitForText(messageIn('viewer', 'refresh-1'), tokens.slice(0, 10).join(''));

    // The page goes away: unmount, close its client; the agent keeps streaming meanwhile.
    view.unmount();
    closeClient(first);
    text.push(...tokens.slice(10, 20));
    await sleep(50);

    const second = makeClient(emulator);
    strict(<Transcript client={second} channelName={channelName} strategy={strategy} rewind="100" />);
    text.push(...tokens.slice(20));
    text.end();
    const result = await streaming;
    await waitForText(messageIn('viewer', 'refresh-1'), result.text);
    await waitUntil(() => messageIn('viewer', 'refresh-1')()?.dataset.status === 'complete', 10_000, 'complete');
    expect(listOf('viewer').children).toHaveLength(1);
  });

  it('lets a late joiner catch up on a response in progress', async () => {
    const channelName = uniqueChannelName();
    const agent = makeAgent(emulator, channelName);
    const text = manualTokens();
    const tokens = makeTokens(24, 5);
    const streaming = agent.stream(text.stream, pattern, 'late-1');
    const early = makeClient(emulator);
    strict(<Transcript label="early" client={early} channelName={channelName} strategy="history" />);
    text.push(...tokens.slice(0, 12));
    await waitForText(messageIn('early', 'late-1'), tokens.slice(0, 12).join(''));

    const late = makeClient(emulator);
    strict(<Transcript label="late" client={late} channelName={channelName} strategy="history" />);
    await waitForText(messageIn('late', 'late-1'), tokens.slice(0, 12).join(''));
    text.push(...tokens.slice(12));
    text.end();
    const result = await streaming;
    await waitForText(messageIn('late', 'late-1'), result.text);
    await waitForText(messageIn('early', 'late-1'), result.text);
    expect(listOf('late').children).toHaveLength(1);
  });

  it('rides out a transient disconnect without losing or doubling text', async () => {
    const channelName = uniqueChannelName();
    const client = makeClient(emulator);
    strict(<Transcript client={client} channelName={channelName} strategy="history" />);
    await waitUntil(() => syncOf('viewer').dataset.caughtUp === 'true', 10_000, 'caught up');
    const agent = makeAgent(emulator, channelName);
    const text = manualTokens();
    const tokens = makeTokens(30, 3);
    const streaming = agent.stream(text.stream, pattern, 'drop-1');
    text.push(...tokens.slice(0, 10));
    await waitForText(messageIn('viewer', 'drop-1'), tokens.slice(0, 10).join(''));

    const dropped = new Promise<void>((resolve) => client.connection.once('disconnected', () => resolve()));
    emulator.faults.dropConnections(client.connection.id);
    await dropped;
    text.push(...tokens.slice(10, 20));
    await new Promise<void>((resolve) => client.connection.once('connected', () => resolve()));
    text.push(...tokens.slice(20));
    text.end();
    const result = await streaming;
    await waitForText(messageIn('viewer', 'drop-1'), result.text);
    expect(listOf('viewer').children).toHaveLength(1);
  });

  it('re-hydrates after the connection state is lost, and says so', async () => {
    const channelName = uniqueChannelName();
    const client = makeClient(emulator);
    strict(<Transcript client={client} channelName={channelName} strategy="history" />);
    await waitUntil(() => syncOf('viewer').dataset.caughtUp === 'true', 10_000, 'caught up');
    const agent = makeAgent(emulator, channelName);
    const text = manualTokens();
    const tokens = makeTokens(30, 9);
    const streaming = agent.stream(text.stream, pattern, 'lost-1');
    text.push(...tokens.slice(0, 10));
    await waitForText(messageIn('viewer', 'lost-1'), tokens.slice(0, 10).join(''));

    emulator.faults.expireConnections(client.connection.id);
    text.push(...tokens.slice(10, 20));
    await waitUntil(() => Number(syncOf('viewer').dataset.resyncs) >= 1, 15_000, 'a resync');
    text.push(...tokens.slice(20));
    text.end();
    const result = await streaming;
    await waitForText(messageIn('viewer', 'lost-1'), result.text);
    await waitUntil(() => syncOf('viewer').dataset.status === 'live', 10_000, 'live again');
    expect(listOf('viewer').children).toHaveLength(1);
  });

  it('joins a database seed to a response still in progress', async () => {
    const channelName = uniqueChannelName();
    const agent = makeAgent(emulator, channelName);
    const earlier = await agent.stream(pacedTokens(['Earlier ', 'answer.'], 0), pattern, 'seeded-1');
    const seed = [{ responseId: 'seeded-1', text: earlier.text, createdAt: Date.now(), pattern }];
    const text = manualTokens();
    const tokens = makeTokens(20, 13);
    const streaming = agent.stream(text.stream, pattern, 'progress-1');
    text.push(...tokens.slice(0, 8));
    await sleep(100);

    const client = makeClient(emulator);
    strict(<Transcript client={client} channelName={channelName} strategy="history" seed={seed} />);
    await waitForText(messageIn('viewer', 'seeded-1'), 'Earlier answer.');
    text.push(...tokens.slice(8));
    text.end();
    const result = await streaming;
    await waitForText(messageIn('viewer', 'progress-1'), result.text);
    expect(listOf('viewer').children).toHaveLength(2);
    expect(messageIn('viewer', 'seeded-1')()?.textContent).toBe('Earlier answer.');
  });

  it('keeps concurrent responses apart and re-renders only the one that changes', async () => {
    const channelName = uniqueChannelName();
    const client = makeClient(emulator);
    strict(<Transcript client={client} channelName={channelName} strategy="rewind" rewind="100" />);
    await waitUntil(() => syncOf('viewer').dataset.caughtUp === 'true', 10_000, 'caught up');
    const agentA = makeAgent(emulator, channelName);
    const agentB = makeAgent(emulator, channelName);
    const [a, b] = [manualTokens(), manualTokens()];
    const tokens = makeTokens(20, 17);
    const streamingA = agentA.stream(a.stream, pattern, 'concurrent-a');
    const streamingB = agentB.stream(b.stream, pattern, 'concurrent-b');
    for (let i = 0; i < 10; i++) {
      a.push(tokens[i]!);
      b.push(tokens[19 - i]!);
      await sleep(3);
    }
    a.push(...tokens.slice(10));
    a.end();
    const resultA = await streamingA;
    await waitForText(messageIn('viewer', 'concurrent-a'), resultA.text);
    await waitUntil(() => messageIn('viewer', 'concurrent-a')()?.dataset.status === 'complete', 10_000, 'a complete');
    await sleep(50);
    const rendersOfA = renderCounts.get('concurrent-a');

    b.push(...tokens.slice(0, 10));
    b.end();
    const resultB = await streamingB;
    await waitForText(messageIn('viewer', 'concurrent-b'), resultB.text);
    await waitUntil(() => messageIn('viewer', 'concurrent-b')()?.dataset.status === 'complete', 10_000, 'b complete');
    expect(renderCounts.get('concurrent-a')).toBe(rendersOfA);
    expect(listOf('viewer').children).toHaveLength(2);
  });
});

describe('lifecycle', () => {
  it('attaches once under StrictMode and detaches a little after the last user unmounts', async () => {
    const channelName = uniqueChannelName();
    const client = makeClient(emulator);
    const channel = client.channels.get(channelName);
    const states: string[] = [];
    channel.on((change: Ably.ChannelStateChange) => states.push(change.current));
    const view = strict(
      <>
        <Transcript label="one" client={client} channelName={channelName} strategy="rewind" />
        <Transcript label="two" client={client} channelName={channelName} strategy="rewind" />
      </>,
    );
    await waitUntil(() => channel.state === 'attached', 10_000, 'attached');
    await sleep(400);
    expect(states).toEqual(['attaching', 'attached']);
    view.unmount();
    await waitUntil(() => channel.state === 'detached', 10_000, 'detached');
    expect(states).toEqual(['attaching', 'attached', 'detaching', 'detached']);
  });

  it('cancels cleanly when unmounted during hydration', async () => {
    const channelName = uniqueChannelName();
    const agent = makeAgent(emulator, channelName);
    for (let i = 0; i < 3; i++) await agent.stream(pacedTokens(makeTokens(5, i + 1), 0), 'message-per-token');
    const client = makeClient(emulator);
    const channel = client.channels.get(channelName);
    const view = strict(<Transcript client={client} channelName={channelName} strategy="history" />);
    view.unmount();
    await sleep(600);
    expect(['initialized', 'detached']).toContain(channel.state);
  });
});
