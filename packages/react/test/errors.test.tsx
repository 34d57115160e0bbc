import type { HydrationStrategy } from '@resumable/core';
import { DEFAULT_KEY } from '@resumable/emulator';
import { render, screen, within } from '@testing-library/react';
import * as Ably from 'ably';
import { StrictMode } from 'react';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { Transcript } from './components.js';
import {
  closeClients,
  type Emulator,
  makeAgent,
  makeClient,
  manualTokens,
  startTestEmulator,
  uniqueChannelName,
  waitUntil,
} from './helpers.js';

const SUBSCRIBE_ONLY_KEY = 'resumable.subscribe-only:secret';
const NO_AI_KEY = 'resumable.no-ai:secret';

let emulator: Emulator;

beforeAll(async () => {
  emulator = await startTestEmulator({
    keys: [
      DEFAULT_KEY,
      { key: SUBSCRIBE_ONLY_KEY, capability: { 'ai:*': ['subscribe'] } },
      { key: NO_AI_KEY, capability: { 'other:*': ['subscribe', 'history'] } },
    ],
    namespaces: { plain: { mutableMessages: false } },
  });
});
afterEach(() => {
  closeClients();
});
afterAll(async () => {
  await emulator?.stop();
});

function strict(ui: React.ReactNode) {
  return render(<StrictMode>{ui}</StrictMode>);
}

const sync = () => screen.getByTestId('viewer-sync');

async function expectErrorValue(code: number, hint: RegExp, status: string) {
  await waitUntil(() => sync().dataset.errorCode === String(code), 15_000, `error ${code}`);
  expect(sync().textContent).toMatch(hint);
  expect(sync().dataset.status).toBe(status);
  // It stays an error: no attach loop that flips it back and forth.
  await new Promise((resolve) => setTimeout(resolve, 300));
  expect(sync().dataset.errorCode).toBe(String(code));
  expect(sync().dataset.status).toBe(status);
}

describe('errors are values, never thrown into render', () => {
  it.each<HydrationStrategy>(['rewind', 'history'])(
    'missing subscribe capability (40160), strategy %s',
    async (strategy) => {
      const client = makeClient(emulator, { key: NO_AI_KEY });
      strict(<Transcript client={client} channelName={uniqueChannelName()} strategy={strategy} />);
      await expectErrorValue(40160, /capabilit/i, 'error');
    },
  );

  it('missing history capability (40160) for strategy history names the alternative', async () => {
    const client = makeClient(emulator, { key: SUBSCRIBE_ONLY_KEY });
    strict(<Transcript client={client} channelName={uniqueChannelName()} strategy="history" />);
    await expectErrorValue(40160, /"history"/, 'error');
  });

  it('subscribe-only is enough for strategy rewind', async () => {
    const client = makeClient(emulator, { key: SUBSCRIBE_ONLY_KEY });
    strict(<Transcript client={client} channelName={uniqueChannelName()} strategy="rewind" />);
    await waitUntil(() => sync().dataset.status === 'live', 15_000, 'live');
    expect(sync().dataset.errorCode).toBe('');
  });

  it('an unknown key fails the connection, shown with its code and a hint', async () => {
    const client = makeClient(emulator, { key: 'resumable.unknown:nope', logLevel: 0 });
    strict(<Transcript client={client} channelName={uniqueChannelName()} strategy="history" />);
    await waitUntil(() => sync().dataset.errorCode !== '', 15_000, 'a connection error');
    expect(Number(sync().dataset.errorCode)).toBeGreaterThanOrEqual(40000);
    expect(sync().dataset.status).toBe('error');
    expect(sync().textContent).toMatch(/key|token/i);
  });

  it('an unreachable server is reported while the client keeps retrying', async () => {
    const client = new Ably.Realtime({
      ...(emulator.clientOptions({ clientId: 'viewer' }) as Ably.ClientOptions),
      port: 9, // discard port: nothing listens there on loopback
      logLevel: 0,
      disconnectedRetryTimeout: 60_000,
    });
    try {
      strict(<Transcript client={client} channelName={uniqueChannelName()} strategy="history" />);
      await waitUntil(() => sync().dataset.errorCode !== '', 15_000, 'a connection error');
      expect(Number(sync().dataset.errorCode)).toBeGreaterThanOrEqual(80000);
      expect(sync().textContent).toMatch(/network|connection/i);
    } finally {
      client.close();
    }
  });

  it('a missing client, channel or strategy is an options error (40106)', () => {
    render(
      <StrictMode>
        <Transcript label="no-client" channelName="ai:x" strategy="history" />
        <Transcript label="no-channel" strategy="history" />
        <Transcript label="bad-strategy" channelName="ai:x" strategy={'replay' as HydrationStrategy} />
      </StrictMode>,
    );
    for (const label of ['no-client', 'no-channel', 'bad-strategy']) {
      const status = screen.getByTestId(`${label}-sync`);
      expect(status.dataset.errorCode).toBe('40106');
      expect(status.dataset.status).toBe('error');
      expect(status.textContent).not.toBe('');
    }
    expect(screen.getByTestId('no-client-sync').textContent).toMatch(/AblyProvider/);
  });

  it('a channel without the appends rule (93002): the agent gets the error, readers see the response go stale', async () => {
    const channelName = uniqueChannelName('plain');
    const client = makeClient(emulator);
    strict(<Transcript client={client} channelName={channelName} strategy="history" staleAfterMs={300} />);
    await waitUntil(() => sync().dataset.status === 'live', 15_000, 'live');
    const agent = makeAgent(emulator, channelName);
    const text = manualTokens();
    text.push('first ', 'second');
    text.end();
    const failure = await agent.stream(text.stream, 'message-per-response', 'no-rule-1').catch((e: unknown) => e);
    expect(failure).toMatchObject({ code: 93002 });
    expect((failure as { hint: string }).hint).toMatch(/mutableMessages/);
    const message = () => within(screen.getByTestId('viewer')).queryByTestId('message-no-rule-1');
    await waitUntil(() => message()?.dataset.status === 'stale', 15_000, 'stale');
  });
});
