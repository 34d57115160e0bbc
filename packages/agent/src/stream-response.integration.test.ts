import { ResumableError } from '@resumable/core';
import { type Emulator, startEmulator } from '@resumable/emulator';
import * as Ably from 'ably';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { streamResponse } from './stream-response.js';
import { responseFromHistory, subscribeAndFold, tokensFromHistory } from './test-utils/read-back.js';
import type { StreamEvent } from './types.js';

const SIZE_LIMITED_NAMESPACE = 'ai';
const MAX_MESSAGE_SIZE = 4096;

let emulator: Emulator;
let agent: Ably.Realtime;
let reader: Ably.Realtime;
let channelCounter = 0;

function uniqueChannelName(namespace = 'ai'): string {
  channelCounter++;
  return `${namespace}:agent-test-${channelCounter}`;
}

/** A model-like text stream: words, punctuation, accents and emoji, yielding to the event loop now and then. */
function sourceTokens(count: number, seed = 1): string[] {
  const words = [
    'The',
    ' quick',
    ' brown',
    ' fox',
    ' jumps',
    ' över',
    ' the',
    ' lazy',
    ' dög',
    '.',
    '\n',
    ' 👋',
    ' 漢字',
    '**bold**',
    ' `code`',
  ];
  const tokens: string[] = [];
  let state = seed;
  for (let i = 0; i < count; i++) {
    state = (state * 1103515245 + 12345) % 2147483648;
    tokens.push(words[state % words.length]!);
  }
  return tokens;
}

async function* stream(tokens: readonly string[]): AsyncGenerator<string> {
  for (const [index, token] of tokens.entries()) {
    if (index % 7 === 0) await new Promise((resolve) => setImmediate(resolve));
    yield token;
  }
}

/** A connected Realtime client of the real SDK on an emulator; agents do not need their own messages echoed. */
async function realtime(
  on: Emulator,
  request: { format?: 'json' | 'msgpack'; clientId: string },
  agentClient = true,
): Promise<Ably.Realtime> {
  const options: Ably.ClientOptions = {
    ...(on.clientOptions(request) as Ably.ClientOptions),
    echoMessages: !agentClient,
    // NACKs are expected in several tests; the assertions look at them, the log need not.
    logLevel: 0,
  };
  const client = new Ably.Realtime(options);
  await client.connection.whenState('connected');
  return client;
}

/** Waits for what a live subscriber receives; generous so a loaded CI machine does not fail it. */
function eventually(assertion: () => void): Promise<void> {
  return vi.waitFor(assertion, { timeout: 10_000, interval: 10 });
}

beforeAll(async () => {
  emulator = await startEmulator({ port: 0, maxMessageSize: MAX_MESSAGE_SIZE });
  agent = await realtime(emulator, { format: 'msgpack', clientId: 'agent' });
  reader = await realtime(emulator, { format: 'json', clientId: 'reader' }, false);
});

afterAll(async () => {
  agent?.close();
  reader?.close();
  await emulator?.stop();
});

describe('message-per-response against the emulator', () => {
  it('streams a response that a live subscriber and history both read back exactly', async () => {
    const name = uniqueChannelName();
    const live = await subscribeAndFold(reader.channels.get(name));
    const tokens = sourceTokens(300);
    const result = await streamResponse(agent.channels.get(name), stream(tokens), {
      responseId: 'r-live',
      headers: { model: 'test-model' },
    });

    const source = tokens.join('');
    expect(result).toMatchObject({ status: 'complete', tokens: 300, failuresRepaired: 0, text: source });
    // create + end marker + appends; text produced while the first append is in flight goes out as one append.
    expect(result.messagesPublished).toBeGreaterThan(2);
    expect(result.messagesPublished).toBeLessThanOrEqual(302);
    await eventually(() => expect(live.get('r-live')?.status).toBe('complete'));
    expect(live.get('r-live')).toMatchObject({ text: source, headers: { model: 'test-model', responseId: 'r-live' } });
    const stored = await responseFromHistory(reader.channels.get(name), 'r-live');
    expect(stored).toMatchObject({ text: source, status: 'complete', serial: result.serial });
    expect(stored.headers).toEqual({ model: 'test-model', responseId: 'r-live' });
  });

  it('works the same from an agent on the JSON protocol', async () => {
    const jsonAgent = await realtime(emulator, { format: 'json', clientId: 'agent' });
    try {
      const name = uniqueChannelName();
      const tokens = sourceTokens(100, 7);
      const result = await streamResponse(jsonAgent.channels.get(name), stream(tokens), { responseId: 'r-json' });
      expect(result.text).toBe(tokens.join(''));
      expect(await responseFromHistory(reader.channels.get(name), 'r-json')).toMatchObject({
        text: tokens.join(''),
        status: 'complete',
      });
    } finally {
      jsonAgent.close();
    }
  });

  it('refuses a REST channel, whose appends may be applied out of order', async () => {
    const rest = new Ably.Rest(emulator.clientOptions({ clientId: 'agent' }) as Ably.ClientOptions);
    const error = await streamResponse(
      rest.channels.get(uniqueChannelName()) as unknown as Ably.RealtimeChannel,
      stream(['x']),
    ).catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 40106 });
    expect((error as ResumableError).hint).toContain('Ably.Realtime');
  });

  it.each([0, 500])('gives readers the exact text with appendRollupWindow %i', async (appendRollupWindow) => {
    const client = new Ably.Realtime({
      ...(emulator.clientOptions({ clientId: 'agent' }) as Ably.ClientOptions),
      echoMessages: false,
      logLevel: 0,
      transportParams: { appendRollupWindow },
    });
    try {
      const name = uniqueChannelName();
      const live = await subscribeAndFold(reader.channels.get(name));
      const tokens = sourceTokens(120, appendRollupWindow + 11);
      await streamResponse(client.channels.get(name), stream(tokens), { responseId: 'r-rollup' });
      await eventually(() => expect(live.get('r-rollup')?.status).toBe('complete'));
      expect(live.get('r-rollup')?.text).toBe(tokens.join(''));
    } finally {
      client.close();
    }
  });

  it('keeps concurrent responses on one channel apart', async () => {
    const name = uniqueChannelName();
    const live = await subscribeAndFold(reader.channels.get(name));
    const sources = [sourceTokens(120, 1), sourceTokens(80, 2), sourceTokens(150, 3)];
    const results = await Promise.all(
      sources.map((tokens, i) =>
        streamResponse(agent.channels.get(name), stream(tokens), {
          responseId: `r-${i}`,
          pattern: i === 1 ? 'message-per-token' : 'message-per-response',
        }),
      ),
    );
    for (const [i, tokens] of sources.entries()) {
      expect(results[i]?.text).toBe(tokens.join(''));
      await eventually(() => expect(live.get(`r-${i}`)?.status).toBe('complete'));
      expect(live.get(`r-${i}`)?.text).toBe(tokens.join(''));
    }
    expect((await responseFromHistory(reader.channels.get(name), 'r-0')).text).toBe(sources[0]!.join(''));
    expect((await tokensFromHistory(reader.channels.get(name), 'r-1')).text).toBe(sources[1]!.join(''));
    expect((await responseFromHistory(reader.channels.get(name), 'r-2')).text).toBe(sources[2]!.join(''));
  });

  it('ends a response aborted mid-stream as cancelled, with the text so far', async () => {
    const name = uniqueChannelName();
    const controller = new AbortController();
    const tokens = sourceTokens(200);
    const onEvent = (event: StreamEvent) => {
      if (event.type === 'token' && event.index === 49) controller.abort();
    };
    const result = await streamResponse(agent.channels.get(name), stream(tokens), {
      responseId: 'r-abort',
      signal: controller.signal,
      onEvent,
    });
    expect(result.status).toBe('cancelled');
    expect(result.text).toBe(tokens.slice(0, 50).join(''));
    const stored = await responseFromHistory(reader.channels.get(name), 'r-abort');
    expect(stored).toMatchObject({ text: result.text, status: 'cancelled' });
  });

  it('repairs appends that failed, whether or not their data reached the channel', async () => {
    const name = uniqueChannelName();
    const real = agent.channels.get(name);
    let appends = 0;
    // Append 10 is never sent; append 20 is sent but reported as failed (Ably may fold a rejected append's data
    // into a later one). Both end up exact after the repair.
    const flaky = new Proxy(real, {
      get(target, property, receiver) {
        if (property !== 'appendMessage') return Reflect.get(target, property, receiver);
        return (message: Ably.Message, operation?: Ably.MessageOperation) => {
          appends++;
          if (appends === 10) return Promise.reject(new Ably.ErrorInfo('Rate limit exceeded', 42910, 429));
          const sent = target.appendMessage(message, operation);
          if (appends === 20) return sent.then(() => Promise.reject(new Ably.ErrorInfo('Timed out', 50003, 500)));
          return sent;
        };
      },
    });
    const live = await subscribeAndFold(reader.channels.get(name));
    const events: StreamEvent[] = [];
    const tokens = sourceTokens(60);
    const result = await streamResponse(flaky, stream(tokens), {
      responseId: 'r-flaky',
      onEvent: (event) => events.push(event),
    });
    const source = tokens.join('');
    expect(result).toMatchObject({ status: 'complete', failuresRepaired: 2, text: source });
    expect(
      events.filter((e) => e.type === 'publish-failed').map((e) => e.type === 'publish-failed' && e.error.code),
    ).toEqual([42910, 50003]);
    expect(await responseFromHistory(reader.channels.get(name), 'r-flaky')).toMatchObject({
      text: source,
      status: 'complete',
    });
    await eventually(() => expect(live.get('r-flaky')?.status).toBe('complete'));
    expect(live.get('r-flaky')?.text).toBe(source);
  });

  it('survives a dropped connection mid-stream: the SDK resumes and the text is exact', async () => {
    const name = uniqueChannelName();
    const tokens = sourceTokens(150);
    const connectionId = agent.connection.id;
    const events: StreamEvent[] = [];
    const onEvent = (event: StreamEvent) => {
      events.push(event);
      if (event.type === 'token' && event.index === 40) emulator.faults.dropConnections(agent.connection.id);
    };
    const result = await streamResponse(agent.channels.get(name), stream(tokens), { responseId: 'r-drop', onEvent });
    expect(result.status).toBe('complete');
    // The resume kept the connection (the SDK resent what was unacknowledged, the server deduplicated it),
    // so no repair was needed.
    expect(agent.connection.id).toBe(connectionId);
    expect(events.some((e) => e.type === 'repaired')).toBe(false);
    expect(await responseFromHistory(reader.channels.get(name), 'r-drop')).toMatchObject({
      text: tokens.join(''),
      status: 'complete',
    });
  });

  it.each(['message-per-response', 'message-per-token'] as const)(
    'is exact after the agent connection expires mid-stream and its resume fails (%s)',
    async (pattern) => {
      const client = await realtime(emulator, { clientId: 'agent' });
      try {
        const name = uniqueChannelName();
        const tokens = sourceTokens(150, 5);
        const events: StreamEvent[] = [];
        const onEvent = (event: StreamEvent) => {
          events.push(event);
          if (event.type === 'token' && event.index === 40) emulator.faults.expireConnections(client.connection.id);
        };
        const result = await streamResponse(client.channels.get(name), stream(tokens), {
          pattern,
          responseId: 'r-expire',
          onEvent,
        });
        expect(result.status).toBe('complete');
        const stored =
          pattern === 'message-per-response'
            ? await responseFromHistory(reader.channels.get(name), 'r-expire')
            : await tokensFromHistory(reader.channels.get(name), 'r-expire');
        expect(stored).toMatchObject({ text: tokens.join(''), status: 'complete' });
        // The new connection may have applied a resent message twice: the agent repaired the text to be sure.
        expect(events.find((e) => e.type === 'repaired')).toMatchObject({ connectionReplaced: true });
      } finally {
        client.close();
      }
    },
  );

  it('is exact when the agent token expires mid-stream and the client renews it', async () => {
    const issuer = new Ably.Rest(emulator.clientOptions({ clientId: 'agent' }) as Ably.ClientOptions);
    const { key: _key, ...withoutKey } = emulator.clientOptions({ clientId: 'agent' }) as Ably.ClientOptions;
    let tokensIssued = 0;
    const client = new Ably.Realtime({
      ...withoutKey,
      echoMessages: false,
      logLevel: 0,
      authCallback: (_params, callback) => {
        tokensIssued++;
        issuer.auth.createTokenRequest({ clientId: 'agent' }).then(
          (request) => callback(null, request),
          (error: Ably.ErrorInfo) => callback(error, null),
        );
      },
    });
    try {
      await client.connection.whenState('connected');
      const name = uniqueChannelName();
      const tokens = sourceTokens(150, 9);
      const onEvent = (event: StreamEvent) => {
        if (event.type === 'token' && event.index === 40) emulator.faults.expireTokens();
      };
      const result = await streamResponse(client.channels.get(name), stream(tokens), {
        responseId: 'r-token',
        onEvent,
      });
      expect(result.status).toBe('complete');
      expect(tokensIssued).toBeGreaterThanOrEqual(2);
      expect(await responseFromHistory(reader.channels.get(name), 'r-token')).toMatchObject({
        text: tokens.join(''),
        status: 'complete',
      });
    } finally {
      client.close();
    }
  });

  it('names the missing mutable-messages rule (93002) at the first append', async () => {
    const name = uniqueChannelName('chat');
    const error = await streamResponse(agent.channels.get(name), stream(sourceTokens(20))).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ResumableError);
    expect(error).toMatchObject({ code: 93002 });
    expect((error as ResumableError).hint).toContain('"Message annotations, updates, deletes, and appends"');
    expect((error as ResumableError).hint).toContain('namespace "chat"');
  });

  it('stops with 40009 before the append that would exceed the size limit', async () => {
    const name = uniqueChannelName(SIZE_LIMITED_NAMESPACE);
    // name "response" (8) + clientId "agent" (5) + {"headers":{"responseId":"r-big"}} (34) = 47 bytes of envelope.
    const fits = MAX_MESSAGE_SIZE - 47;
    const exact = ['a'.repeat(fits - 4), '👋'];
    const ok = await streamResponse(agent.channels.get(name), stream(exact), { responseId: 'r-big' });
    expect(ok.status).toBe('complete');
    expect((await responseFromHistory(reader.channels.get(name), 'r-big')).text).toBe(exact.join(''));

    const other = uniqueChannelName(SIZE_LIMITED_NAMESPACE);
    const events: StreamEvent[] = [];
    const tooBig = ['é'.repeat(1000), 'é'.repeat(1000), 'é'.repeat(1000)]; // 2000 bytes each
    const error = await streamResponse(agent.channels.get(other), stream(tooBig), {
      responseId: 'r-big',
      onEvent: (event) => events.push(event),
    }).catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 40009 });
    expect((error as ResumableError).hint).toMatch(/message-per-token/);
    // Nothing was rejected by the server: the check came first.
    expect(events.filter((e) => e.type === 'publish-failed')).toEqual([]);
    const stored = await responseFromHistory(reader.channels.get(other), 'r-big');
    expect(stored).toMatchObject({ text: 'é'.repeat(2000), status: 'error' });
    expect(stored.reason).toContain(`${MAX_MESSAGE_SIZE}-byte`);
  });

  it('counts a clientId that only the token carries towards the size limit', async () => {
    const issuer = new Ably.Rest(emulator.clientOptions() as Ably.ClientOptions);
    const { key: _key, clientId: _clientId, ...withoutKey } = emulator.clientOptions() as Ably.ClientOptions;
    const client = new Ably.Realtime({
      ...withoutKey,
      echoMessages: false,
      logLevel: 0,
      authCallback: (_params, callback) => {
        issuer.auth.createTokenRequest({ clientId: 'token-agent' }).then(
          (request) => callback(null, request),
          (error: Ably.ErrorInfo) => callback(error, null),
        );
      },
    });
    try {
      await client.connection.whenState('connected');
      // name "response" (8) + clientId "token-agent" (11) + {"headers":{"responseId":"r-tok"}} (34) = 53 bytes.
      const fits = 'b'.repeat(MAX_MESSAGE_SIZE - 53);
      const name = uniqueChannelName();
      const ok = await streamResponse(client.channels.get(name), stream([fits]), { responseId: 'r-tok' });
      expect(ok.status).toBe('complete');
      expect((await responseFromHistory(reader.channels.get(name), 'r-tok')).text).toBe(fits);

      const events: StreamEvent[] = [];
      const error = await streamResponse(client.channels.get(uniqueChannelName()), stream([fits, 'b']), {
        responseId: 'r-tok',
        onEvent: (event) => events.push(event),
      }).catch((e: unknown) => e);
      expect(error).toMatchObject({ code: 40009 });
      expect(events.filter((e) => e.type === 'publish-failed')).toEqual([]);
    } finally {
      client.close();
    }
  });

  it('reports a missing capability (40160)', async () => {
    const limited = await startEmulator({
      port: 0,
      keys: [{ key: 'app.limited:secret', capability: { 'ai:*': ['publish', 'subscribe', 'history'] } }],
    });
    const client = await realtime(limited, { clientId: 'agent' });
    try {
      const error = await streamResponse(client.channels.get('ai:caps'), stream(['a', 'b'])).catch((e: unknown) => e);
      expect(error).toMatchObject({ code: 40160 });
      expect((error as ResumableError).hint).toContain('message-update-own');
    } finally {
      client.close();
      await limited.stop();
    }
  });

  it('stops with 80002 when the connection is suspended mid-stream', async () => {
    const doomed = await startEmulator({ port: 0, connectionStateTtl: 300 });
    const options: Ably.ClientOptions = {
      ...(doomed.clientOptions({ clientId: 'agent' }) as Ably.ClientOptions),
      echoMessages: false,
      logLevel: 0,
      disconnectedRetryTimeout: 100,
      suspendedRetryTimeout: 60_000,
    };
    const client = new Ably.Realtime(options);
    await client.connection.whenState('connected');
    let openGate = () => {};
    const gate = new Promise<void>((resolve) => {
      openGate = resolve;
    });
    async function* slow() {
      yield 'before the outage';
      await gate;
      yield 'never sent';
    }
    try {
      const done = streamResponse(client.channels.get('ai:suspend'), slow()).catch((e: unknown) => e);
      await eventually(() => expect(client.connection.state).toBe('connected'));
      await doomed.stop();
      const error = await done;
      expect(error).toBeInstanceOf(ResumableError);
      expect(error).toMatchObject({ code: 80002 });
      expect((error as ResumableError).hint).toMatch(/reconnect/);
    } finally {
      openGate();
      client.close();
    }
  });

  it('rejects a stream on a closed connection, and stops when the connection closes mid-stream', async () => {
    const client = await realtime(emulator, { clientId: 'agent' });
    const channel = client.channels.get(uniqueChannelName());
    const onEvent = (event: StreamEvent) => {
      if (event.type === 'token' && event.index === 10) client.close();
    };
    const midStream = await streamResponse(channel, stream(sourceTokens(100)), { onEvent }).catch((e: unknown) => e);
    expect(midStream).toBeInstanceOf(ResumableError);
    expect((midStream as ResumableError).message).toMatch(/clos/);
    await client.connection.whenState('closed');
    const atStart = await streamResponse(channel, stream(['x'])).catch((e: unknown) => e);
    expect(atStart).toMatchObject({ code: 80017 });
    expect((atStart as ResumableError).message).toContain('closed');
    expect((atStart as ResumableError).hint).toContain('client.connect()');
  });
});

describe('message-per-token against the emulator', () => {
  it('streams start/token/stop that a subscriber and history read back exactly', async () => {
    const name = uniqueChannelName('tokens');
    const live = await subscribeAndFold(reader.channels.get(name));
    const tokens = sourceTokens(200);
    const result = await streamResponse(agent.channels.get(name), stream(tokens), {
      pattern: 'message-per-token',
      responseId: 't-1',
    });
    const source = tokens.join('');
    expect(result).toMatchObject({ status: 'complete', tokens: 200, messagesPublished: 202, text: source });
    await eventually(() => expect(live.get('t-1')?.status).toBe('complete'));
    expect(live.get('t-1')?.text).toBe(source);
    const stored = await tokensFromHistory(reader.channels.get(name), 't-1');
    expect(stored).toMatchObject({ text: source, status: 'complete', tokenMessages: 200 });
    expect(stored.names[0]).toBe('start');
    expect(stored.names.at(-1)).toBe('stop');
  });

  it('batches tokens produced within batchMs', async () => {
    const name = uniqueChannelName('tokens');
    const tokens = sourceTokens(100);
    // The whole stream is produced well within the window, so it goes out as one token message.
    const result = await streamResponse(agent.channels.get(name), stream(tokens), {
      pattern: 'message-per-token',
      responseId: 't-batch',
      batchMs: 60_000,
    });
    expect(result.messagesPublished).toBe(3);
    const stored = await tokensFromHistory(reader.channels.get(name), 't-batch');
    expect(stored).toMatchObject({ text: tokens.join(''), tokenMessages: 1, status: 'complete' });
  });

  it('repairs failed token messages with response-complete', async () => {
    const name = uniqueChannelName('tokens');
    const real = agent.channels.get(name);
    let tokenPublishes = 0;
    const flaky = new Proxy(real, {
      get(target, property, receiver) {
        if (property !== 'publish') return Reflect.get(target, property, receiver);
        return (message: Ably.Message) => {
          if (message.name === 'token' && ++tokenPublishes % 9 === 0) {
            return Promise.reject(new Ably.ErrorInfo('Rate limit exceeded', 42910, 429));
          }
          return target.publish(message);
        };
      },
    });
    const live = await subscribeAndFold(reader.channels.get(name));
    const tokens = sourceTokens(40);
    const result = await streamResponse(flaky, stream(tokens), { pattern: 'message-per-token', responseId: 't-flaky' });
    expect(result.failuresRepaired).toBe(4);
    const stored = await tokensFromHistory(reader.channels.get(name), 't-flaky');
    expect(stored.text).toBe(tokens.join(''));
    expect(stored.names.slice(-2)).toEqual(['response-complete', 'stop']);
    await eventually(() => expect(live.get('t-flaky')?.status).toBe('complete'));
    expect(live.get('t-flaky')?.text).toBe(tokens.join(''));
  });

  it('marks a failing model stream as an error on stop', async () => {
    const name = uniqueChannelName('tokens');
    async function* failing() {
      yield 'half an ';
      yield 'answer';
      throw new Error('upstream 529');
    }
    const result = await streamResponse(agent.channels.get(name), failing(), {
      pattern: 'message-per-token',
      responseId: 't-err',
    });
    expect(result.status).toBe('error');
    const stored = await tokensFromHistory(reader.channels.get(name), 't-err');
    expect(stored).toMatchObject({ text: 'half an answer', status: 'error' });
  });
});
