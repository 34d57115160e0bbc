// Re-reads with the real SDK on the emulator: a store whose text lost a piece on the way (here a
// delivery is withheld from it on purpose, as a dead transport would) sees the end marker's proof fail,
// shows the response `incomplete`, reads it again, and ends with the exact text.
import { DEFAULT_KEY } from '@resumable/emulator';
import type * as Ably from 'ably';
import { describe, expect, it } from 'vitest';
import { connectChannel } from '../src/connect-channel.js';
import type { Diagnostic, ResponsePattern } from '../src/types.js';
import { PerResponseAgent, PerTokenAgent, tokensOf, uniqueChannel, useEmulator, waitFor } from './helpers.js';

const SUBSCRIBE_ONLY_KEY = 'resumable.subonly:subscribe-only-secret';
const env = useEmulator({
  keys: [DEFAULT_KEY, { key: SUBSCRIBE_ONLY_KEY, capability: { '*': ['subscribe'] } }],
});

const TEXT = 'Nothing lost: a reader that missed a piece reads the message again and shows it whole.';

/** The channel as the store sees it, minus the `drop`-th delivery its listener would get. */
function losingOne(channel: Ably.RealtimeChannel, drop: (message: Ably.InboundMessage) => boolean) {
  let dropped = false;
  return new Proxy(channel, {
    get(target, property, receiver) {
      if (property === 'subscribe') {
        return (listener: (message: Ably.InboundMessage) => void) =>
          target.subscribe((message) => {
            if (!dropped && drop(message)) {
              dropped = true;
              return;
            }
            listener(message);
          });
      }
      const value = Reflect.get(target, property, receiver);
      return typeof value === 'function' ? value.bind(target) : value;
    },
  });
}

async function streamWithOneLost(pattern: ResponsePattern, key?: string) {
  const name = uniqueChannel();
  const agentClient = env.client({ transportParams: { appendRollupWindow: 0 } });
  const agentChannel = agentClient.channels.get(name);
  await agentChannel.attach();
  const reader = env.client(key ? { key } : {});
  const diagnostics: Diagnostic[] = [];
  const store = env.store({ onDiagnostic: (d) => diagnostics.push(d) });
  let seen = 0;
  const channel = losingOne(reader.channels.get(name), (message) => {
    const isText = message.action === 'message.append' || message.name === 'token';
    return isText && ++seen === 3;
  });
  const sync = connectChannel(channel, store, { strategy: 'rewind' });
  env.track(sync);
  await sync.ready;
  const tokens = tokensOf(TEXT, 5);
  if (pattern === 'message-per-response') {
    const agent = new PerResponseAgent(agentChannel, 'r1');
    await agent.start();
    for (const token of tokens) {
      agent.send(token);
      await agent.flush();
    }
    await agent.finish();
  } else {
    const agent = new PerTokenAgent(agentChannel, 'r1');
    await agent.start();
    for (const token of tokens) {
      agent.send(token);
      await agent.flush();
    }
    await agent.finish();
  }
  return { store, diagnostics };
}

describe('re-reading a response whose text fails its end marker', () => {
  it.each(['message-per-response', 'message-per-token'] as const)('%s: ends whole and exact', async (pattern) => {
    const { store, diagnostics } = await streamWithOneLost(pattern);
    await waitFor(() => store.findByResponseId('r1')?.status === 'complete', 'complete');
    await waitFor(() => store.findByResponseId('r1')?.text === TEXT, 'the re-read text');
    expect(store.findByResponseId('r1')?.incomplete).toBeUndefined();
    expect(diagnostics.map((d) => d.kind)).toContain('text-mismatch');
    expect(diagnostics.map((d) => d.kind)).not.toContain('repair-failed');
  });

  it('without the history capability: stays incomplete, and says why', async () => {
    const { store, diagnostics } = await streamWithOneLost('message-per-response', SUBSCRIBE_ONLY_KEY);
    await waitFor(() => diagnostics.some((d) => d.kind === 'repair-failed'), 'repair-failed');
    const response = store.findByResponseId('r1')!;
    expect(response).toMatchObject({ status: 'complete', incomplete: true });
    expect(response.text).not.toBe(TEXT);
    expect(diagnostics.find((d) => d.kind === 'repair-failed')?.message).toMatch(/40160.*history/);
  });
});
