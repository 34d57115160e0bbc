// The exact order that once lost text under load (chaos seeds 242, 695, 5366), replayed on purpose
// through the real SDK on the emulator: a viewer attaches after the response began, its history read
// and the next append frame die in flight with the transport, the connection resumes, and the live
// appends reach the store before the retried history read. Before the fix the store kept the text
// without its beginning, dropped the history snapshot (same version) and showed it `complete`.
import { streamResponse } from '@resumable/agent';
import { render, screen } from '@testing-library/react';
import { StrictMode } from 'react';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { Transcript } from './components.js';
import {
  AGENT_TRANSPORT_PARAMS,
  closeClients,
  type Emulator,
  makeClient,
  manualTokens,
  startTestEmulator,
  uniqueChannelName,
  waitForText,
  waitUntil,
} from './helpers.js';
import { HoldingHop } from './holding-hop.js';

let emulator: Emulator;
const hops: HoldingHop[] = [];

beforeAll(async () => {
  emulator = await startTestEmulator({ connectionStateTtl: 1500 });
});
afterEach(async () => {
  closeClients();
  for (const hop of hops.splice(0)) await hop.stop();
});
afterAll(async () => {
  await emulator?.stop();
});

describe('the chaos loss, replayed in order', () => {
  it.each(['history', 'rewind'] as const)(
    'a late %s viewer whose history read and next append die in flight still ends with the exact text',
    async (strategy) => {
      const channelName = uniqueChannelName();
      const agent = makeClient(emulator, {
        clientId: 'agent',
        echoMessages: false,
        transportParams: AGENT_TRANSPORT_PARAMS,
      });
      const agentChannel = agent.channels.get(channelName);
      const tokens = manualTokens();
      const streamed = streamResponse(agentChannel, tokens.stream, { responseId: 'r1' });

      // 1. The response begins before the viewer attaches: create and "alpha ".
      tokens.push('alpha ');
      await until(async () => (await agentChannel.history({ limit: 1 })).items[0]?.data === 'alpha ');

      // 2. The viewer attaches through a hop that is about to die.
      const hop = new HoldingHop(emulator.port);
      hops.push(hop);
      await hop.start();
      const viewer = makeClient(emulator, { port: hop.port, disconnectedRetryTimeout: 250, logLevel: 0 });
      render(
        <StrictMode>
          <Transcript client={viewer} channelName={channelName} strategy={strategy} />
        </StrictMode>,
      );
      if (strategy === 'history') {
        // 3. Its history read goes out; the reply and the next append will be in flight when the hop dies.
        await hop.requestSeen(/^GET \/channels\/[^ ]+\/messages/);
      } else {
        await waitUntil(() => viewer.channels.get(channelName).state === 'attached', 10_000, 'attached');
      }
      hop.hold();
      tokens.push('beta ');
      await hop.webSocketBytesHeld();
      hop.cutDroppingHeld(300);

      // 4. The connection resumes; the rest of the answer streams; the retried read comes last.
      tokens.push('gamma ', 'delta ');
      tokens.end();
      const result = await streamed;
      expect(result.text).toBe('alpha beta gamma delta ');
      const message = () => screen.queryByTestId('message-r1');
      await waitForText(message, result.text, 20_000);
      await waitUntil(() => message()?.dataset.status === 'complete', 20_000, 'complete');
      await waitUntil(() => message()?.dataset.incomplete === undefined, 20_000, 'whole');
      expect(message()?.textContent).toBe(result.text);
      // The re-read may complete the text over REST before the WebSocket's retry has reconnected.
      await waitUntil(() => viewer.connection.state === 'connected', 20_000, 'reconnected');
      expect(message()?.textContent).toBe(result.text);
    },
    40_000,
  );
});

describe('the emulator after a resume', () => {
  it('sends the first append of each message in full again, as Ably does when it resyncs', async () => {
    const channelName = uniqueChannelName();
    const agent = makeClient(emulator, { clientId: 'agent', echoMessages: false });
    const agentChannel = agent.channels.get(channelName);
    const { serials } = await agentChannel.publish({ name: 'response', data: 'alpha ' });
    const serial = serials[0]!;

    const hop = new HoldingHop(emulator.port);
    hops.push(hop);
    await hop.start();
    const viewer = makeClient(emulator, { port: hop.port, disconnectedRetryTimeout: 250, logLevel: 0 });
    const channel = viewer.channels.get(channelName);
    const received: Array<{ action: string | undefined; data: unknown }> = [];
    await channel.subscribe((message) => received.push({ action: message.action, data: message.data }));
    await agentChannel.appendMessage({ serial, data: 'beta ' });
    await waitUntil(() => received.length === 1, 10_000, 'first append');
    // This append's frame is written to the transport and lost with it.
    hop.hold();
    await agentChannel.appendMessage({ serial, data: 'gamma ' });
    await hop.webSocketBytesHeld();
    hop.cutDroppingHeld(300);
    await agentChannel.appendMessage({ serial, data: 'delta ' });
    await waitUntil(() => received.length === 3, 10_000, 'replay after the resume');
    expect(channel.state).toBe('attached');
    expect(received).toEqual([
      // First contact on this attachment: the whole message so far.
      { action: 'message.update', data: 'alpha beta ' },
      // After the resume: the first append again in full, then fragments.
      { action: 'message.update', data: 'alpha beta gamma ' },
      { action: 'message.append', data: 'delta ' },
    ]);
  });
});

async function until(check: () => Promise<boolean>, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}
