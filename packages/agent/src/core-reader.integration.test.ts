import { connectChannel, createResponseStore, type ResponseStore } from '@resumable/core';
import { type Emulator, startEmulator } from '@resumable/emulator';
import * as Ably from 'ably';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { streamResponse } from './stream-response.js';

// What the agent writes, read by the kit's own reader (the core store), live, from history and from rewind.

let emulator: Emulator;
let agent: Ably.Realtime;
const clients: Ably.Realtime[] = [];
const stores: ResponseStore[] = [];
let channelCounter = 0;

async function realtime(clientId: string, format: 'json' | 'msgpack', echoMessages = true): Promise<Ably.Realtime> {
  const client = new Ably.Realtime({
    ...(emulator.clientOptions({ clientId, format }) as Ably.ClientOptions),
    echoMessages,
    logLevel: 0,
  });
  clients.push(client);
  await client.connection.whenState('connected');
  return client;
}

/** A new reader on its own connection, hydrated with the given strategy. */
async function reader(channelName: string, strategy: 'history' | 'rewind'): Promise<ResponseStore> {
  const client = await realtime(`reader-${strategy}`, 'json');
  const store = createResponseStore();
  stores.push(store);
  const sync = connectChannel(client.channels.get(channelName), store, { strategy });
  await sync.ready;
  return store;
}

function finished(store: ResponseStore, responseId: string, status = 'complete') {
  return vi.waitFor(
    () => {
      const response = store.findByResponseId(responseId);
      expect(response?.status).toBe(status);
      return response!;
    },
    { timeout: 10_000, interval: 10 },
  );
}

function tokensOf(count: number, seed: number): string[] {
  const words = [' alpha', ' béta', ' 👩‍💻', '\n\n', ' `x`', ' γάμμα', '.', ' 1,000'];
  let state = seed;
  return Array.from({ length: count }, () => {
    state = (state * 1103515245 + 12345) % 2147483648;
    return words[(state >> 8) % words.length]!;
  });
}

async function* stream(tokens: readonly string[]): AsyncGenerator<string> {
  for (const [index, token] of tokens.entries()) {
    if (index % 5 === 0) await new Promise((resolve) => setImmediate(resolve));
    yield token;
  }
}

beforeAll(async () => {
  emulator = await startEmulator({ port: 0 });
  agent = await realtime('agent', 'msgpack', false);
});

afterAll(async () => {
  for (const store of stores) store.dispose();
  for (const client of clients) client.close();
  await emulator?.stop();
});

describe.each(['message-per-response', 'message-per-token'] as const)('the core store reads %s', (pattern) => {
  it('live, then from history and from rewind, with the exact text and status', async () => {
    const name = `ai:core-${++channelCounter}`;
    const live = await reader(name, 'history');
    // Rewind replays at most 100 messages: keep a message-per-token response (start + tokens + stop) under that.
    const tokens = tokensOf(90, 3);
    const result = await streamResponse(agent.channels.get(name), stream(tokens), {
      pattern,
      responseId: 'answer',
      headers: { turn: '1' },
    });
    const source = tokens.join('');
    expect(result.text).toBe(source);
    expect(await finished(live, 'answer')).toMatchObject({ text: source, pattern, headers: { turn: '1' } });

    for (const late of [await reader(name, 'history'), await reader(name, 'rewind')]) {
      expect(await finished(late, 'answer')).toMatchObject({ text: source, pattern });
      expect(late.getSnapshot().responses).toHaveLength(1);
    }
  });

  it('shows repaired failures, errors and cancellations the way the agent ended them', async () => {
    const name = `ai:core-${++channelCounter}`;
    const live = await reader(name, 'history');
    const real = agent.channels.get(name);
    let calls = 0;
    const method = pattern === 'message-per-response' ? 'appendMessage' : 'publish';
    const flaky = new Proxy(real, {
      get(target, property, receiver) {
        const value = Reflect.get(target, property, receiver);
        if (property !== method) return value;
        return (...args: unknown[]) => {
          const message = args[0] as Ably.Message;
          if (message.data !== '' && ++calls % 4 === 0) {
            return Promise.reject(new Ably.ErrorInfo('Rate limit exceeded', 42910, 429));
          }
          return (value as (...a: unknown[]) => Promise<unknown>).apply(target, args);
        };
      },
    });
    const repairedTokens = tokensOf(40, 5);
    const repaired = await streamResponse(flaky, stream(repairedTokens), { pattern, responseId: 'repaired' });
    expect(repaired.failuresRepaired).toBeGreaterThan(0);

    async function* failing() {
      yield 'partial';
      throw new Error('model went away');
    }
    await streamResponse(agent.channels.get(name), failing(), { pattern, responseId: 'failed' });

    const controller = new AbortController();
    await streamResponse(agent.channels.get(name), stream(tokensOf(100, 7)), {
      pattern,
      responseId: 'cancelled',
      signal: controller.signal,
      onEvent: (event) => {
        if (event.type === 'token' && event.index === 9) controller.abort();
      },
    });

    const late = await reader(name, 'history');
    for (const store of [live, late]) {
      expect(await finished(store, 'repaired')).toMatchObject({ text: repairedTokens.join('') });
      expect(await finished(store, 'failed', 'error')).toMatchObject({
        text: 'partial',
        errorReason: 'The text stream failed: model went away',
      });
      expect((await finished(store, 'cancelled', 'cancelled')).text).toBe(tokensOf(100, 7).slice(0, 10).join(''));
    }
  });
});
