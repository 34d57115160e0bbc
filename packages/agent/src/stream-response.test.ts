import { ResumableError, textChecksum, textProof } from '@resumable/core';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { streamResponse } from './stream-response.js';
import { chunks, createFakeChannel } from './test-utils/fake-channel.js';
import type { StreamEvent } from './types.js';

afterEach(() => {
  vi.useRealTimers();
});

const source = ['Hello', ', ', 'wörld', ' 👋', '!'];

async function rejection(promise: Promise<unknown>): Promise<ResumableError> {
  try {
    await promise;
  } catch (error) {
    expect(error).toBeInstanceOf(ResumableError);
    return error as ResumableError;
  }
  throw new Error('expected a rejection');
}

/** A text stream that hands out chunks only when the test says so. */
function manualStream() {
  const waiting: Array<(result: IteratorResult<string>) => void> = [];
  const queued: IteratorResult<string>[] = [];
  let returned = false;
  const stream: AsyncIterable<string> & AsyncIterator<string> = {
    [Symbol.asyncIterator]() {
      return stream;
    },
    next() {
      const result = queued.shift();
      if (result) return Promise.resolve(result);
      return new Promise((resolve) => waiting.push(resolve));
    },
    return() {
      returned = true;
      return Promise.resolve({ done: true, value: undefined });
    },
  };
  const deliver = (result: IteratorResult<string>) => {
    const next = waiting.shift();
    if (next) next(result);
    else queued.push(result);
  };
  return {
    stream,
    push: (text: string) => deliver({ done: false, value: text }),
    end: () => deliver({ done: true, value: undefined }),
    get returned() {
      return returned;
    },
  };
}

describe('streamResponse, message-per-response', () => {
  it('creates one message, appends every token with the full header set and ends with status metadata', async () => {
    const fake = createFakeChannel();
    const events: StreamEvent[] = [];
    const result = await streamResponse(fake.channel, chunks(...source), {
      responseId: 'r1',
      headers: { model: 'm1' },
      onEvent: (event) => events.push(event),
    });

    expect(result).toMatchObject({
      responseId: 'r1',
      pattern: 'message-per-response',
      status: 'complete',
      tokens: 5,
      messagesPublished: 4, // create, the first append, the text held while it was in flight, the end marker
      failuresRepaired: 0,
      text: source.join(''),
    });
    expect(result.serial).toBe(fake.messages[0]?.serial);
    expect(fake.messages).toHaveLength(1);
    expect(fake.messages[0]).toMatchObject({
      name: 'response',
      data: source.join(''),
      versionMetadata: { status: 'complete', ...textProof(source.join('')) },
    });
    const headers = { model: 'm1', responseId: 'r1' };
    expect(fake.operations[0]?.message).toMatchObject({ name: 'response', data: '', extras: { headers } });
    expect(fake.operations.slice(1).map((o) => [o.kind, o.message.data])).toEqual([
      ['append', 'Hello'],
      ['append', ', wörld 👋!'],
      ['append', ''],
    ]);
    for (const operation of fake.operations.slice(1)) expect(operation.message.extras).toEqual({ headers });
    // The end marker proves the text: readers compare it with what they hold.
    expect(fake.operations.at(-1)?.operation).toEqual({
      metadata: {
        status: 'complete',
        textLength: String(source.join('').length),
        textChecksum: textChecksum(source.join('')),
      },
    });
    expect(events.map((e) => e.type)).toEqual(['start', 'token', 'token', 'token', 'token', 'token', 'end']);
  });

  it('sends one append first, then does not wait for one append before sending the next', async () => {
    const fake = createFakeChannel();
    const stream = manualStream();
    const done = streamResponse(fake.channel, stream.stream);
    await vi.waitFor(() => expect(fake.messages).toHaveLength(1));
    stream.push('a');
    await vi.waitFor(() => expect(fake.messages[0]?.data).toBe('a'));
    fake.hold();
    stream.push('b');
    stream.push('c');
    stream.push('d');
    // All three appends go out while none of them is acknowledged.
    await vi.waitFor(() => expect(fake.operations).toHaveLength(5));
    expect(fake.messages[0]?.data).toBe('a');
    fake.release();
    stream.end();
    expect((await done).text).toBe('abcd');
    expect(fake.operations.filter((o) => o.kind === 'append')).toHaveLength(5);
  });

  it('sends the end marker only after every pending append has settled', async () => {
    const fake = createFakeChannel();
    const stream = manualStream();
    const done = streamResponse(fake.channel, stream.stream);
    await vi.waitFor(() => expect(fake.messages).toHaveLength(1));
    stream.push('a');
    await vi.waitFor(() => expect(fake.messages[0]?.data).toBe('a'));
    fake.hold();
    stream.push('b');
    stream.push('c');
    stream.end();
    await vi.waitFor(() => expect(fake.operations).toHaveLength(4));
    await new Promise((resolve) => setTimeout(resolve, 20));
    // b and c are unacknowledged: no end marker yet.
    expect(fake.operations.some((o) => o.operation?.metadata)).toBe(false);
    fake.release();
    await done;
    expect(fake.operations.at(-1)?.operation).toEqual({ metadata: { status: 'complete', ...textProof('abc') } });
  });

  it('holds the text produced while the first append is in flight and sends it as one append', async () => {
    const fake = createFakeChannel();
    const stream = manualStream();
    const done = streamResponse(fake.channel, stream.stream);
    await vi.waitFor(() => expect(fake.messages).toHaveLength(1));
    fake.hold();
    stream.push('a');
    stream.push('b');
    stream.push('c');
    await vi.waitFor(() => expect(fake.operations).toHaveLength(2));
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(fake.operations).toHaveLength(2);
    fake.release();
    await vi.waitFor(() => expect(fake.operations).toHaveLength(3));
    stream.end();
    await done;
    expect(fake.operations.map((o) => o.message.data)).toEqual(['', 'a', 'bc', '']);
  });

  it('repairs failed appends with one update holding the full text, before the end marker', async () => {
    const fake = createFakeChannel({
      reject: (_operation, index) =>
        index === 0 || index === 1 ? { code: 42910, message: 'Rate limit exceeded', statusCode: 429 } : undefined,
    });
    const events: StreamEvent[] = [];
    const result = await streamResponse(fake.channel, chunks(...source), { onEvent: (event) => events.push(event) });
    expect(result.status).toBe('complete');
    expect(result.failuresRepaired).toBe(2);
    expect(fake.messages[0]?.data).toBe(source.join(''));
    expect(fake.operations.filter((o) => o.kind === 'update')).toHaveLength(1);
    expect(fake.operations.at(-2)?.kind).toBe('update');
    expect(fake.operations.at(-1)?.operation).toEqual({
      metadata: { status: 'complete', ...textProof(source.join('')) },
    });
    expect(events.filter((e) => e.type === 'publish-failed')).toHaveLength(2);
    expect(events.find((e) => e.type === 'repaired')).toMatchObject({ failures: 2, connectionReplaced: false });
  });

  it('reports a missing mutable-messages rule at the first append, naming the rule and namespace', async () => {
    const fake = createFakeChannel({ name: 'chat:room-1', mutableMessages: false });
    const stream = manualStream();
    const done = streamResponse(fake.channel, stream.stream);
    await vi.waitFor(() => expect(fake.messages).toHaveLength(1));
    stream.push('first');
    const error = await rejection(done);
    expect(error.code).toBe(93002);
    expect(error.hint).toContain('Message annotations, updates, deletes, and appends');
    expect(error.hint).toContain('"chat"');
    // It stopped pulling from the model and did not try a repair or an end marker.
    expect(stream.returned).toBe(true);
    expect(fake.operations.map((o) => o.kind)).toEqual(['publish', 'append']);
  });

  it('explains a channel without a namespace', async () => {
    const fake = createFakeChannel({ name: 'plain', mutableMessages: false });
    const error = await rejection(streamResponse(fake.channel, chunks('x')));
    expect(error.code).toBe(93002);
    expect(error.hint).toContain('"ai:plain"');
  });

  it('stops with 40009 before the append that would exceed the size limit and ends the response as an error', async () => {
    const fake = createFakeChannel({ maxMessageSize: 200 });
    const big = 'é'.repeat(30); // 60 bytes each
    const error = await rejection(streamResponse(fake.channel, chunks(big, big, big, big), { responseId: 'r' }));
    expect(error.code).toBe(40009);
    expect(error.hint).toMatch(/message-per-token|limit/);
    expect(fake.operations.every((o) => o.rejected === undefined)).toBe(true);
    // name (8) + extras {"headers":{"responseId":"r"}} (30) + 2 * 60 bytes fit in 200; a third would not.
    expect(fake.messages[0]?.data).toBe(big + big);
    expect(fake.messages[0]?.versionMetadata).toMatchObject({ status: 'error' });
    expect(fake.messages[0]?.versionMetadata?.error).toContain('200-byte');
  });

  it('honours the limit the connection announced when no option is given', async () => {
    const fake = createFakeChannel({ maxMessageSize: 100 });
    const error = await rejection(streamResponse(fake.channel, chunks('x'.repeat(40), 'y'.repeat(40))));
    expect(error.code).toBe(40009);
    expect(fake.operations.every((o) => o.rejected === undefined)).toBe(true);
  });

  it('marks a failing text stream as an error and keeps the text so far', async () => {
    const fake = createFakeChannel();
    async function* failing() {
      yield 'partial ';
      yield 'answer';
      throw new Error('model overloaded');
    }
    const result = await streamResponse(fake.channel, failing());
    expect(result.status).toBe('error');
    expect(result.text).toBe('partial answer');
    expect(result.error?.message).toContain('model overloaded');
    expect(fake.messages[0]).toMatchObject({
      data: 'partial answer',
      versionMetadata: { status: 'error', error: 'The text stream failed: model overloaded' },
    });
  });

  it('cancels mid-stream on abort, even while the model is silent, and stops reading it', async () => {
    const fake = createFakeChannel();
    const stream = manualStream();
    const controller = new AbortController();
    const done = streamResponse(fake.channel, stream.stream, { signal: controller.signal });
    stream.push('one ');
    stream.push('two');
    await vi.waitFor(() => expect(fake.operations).toHaveLength(3));
    controller.abort();
    const result = await done;
    expect(result.status).toBe('cancelled');
    expect(result.text).toBe('one two');
    expect(stream.returned).toBe(true);
    expect(fake.messages[0]).toMatchObject({ data: 'one two', versionMetadata: { status: 'cancelled' } });
  });

  it('publishes nothing when the signal was aborted before the start', async () => {
    const fake = createFakeChannel();
    const result = await streamResponse(fake.channel, chunks('x'), { signal: AbortSignal.abort() });
    expect(result).toMatchObject({ status: 'cancelled', messagesPublished: 0, text: '' });
    expect(fake.operations).toHaveLength(0);
  });

  it('sends a surrogate pair split across chunks as one piece', async () => {
    const fake = createFakeChannel();
    const wave = '👋';
    const result = await streamResponse(fake.channel, chunks(`${wave[0]}`, `${wave[1]} there `, `${wave[0]}`));
    expect(result.text).toBe(`${wave} there ${wave[0]}`);
    const appended = fake.operations.filter((o) => o.kind === 'append').map((o) => o.message.data);
    expect(appended).toEqual([`${wave} there `, wave[0], '']);
  });

  it('skips empty chunks and counts the rest as tokens', async () => {
    const fake = createFakeChannel();
    const result = await streamResponse(fake.channel, chunks('', 'a', '', 'b'));
    expect(result.tokens).toBe(2);
    expect(fake.operations.filter((o) => o.kind === 'append').map((o) => o.message.data)).toEqual(['a', 'b', '']);
  });

  it('treats a chunk that is not a string as a text stream error', async () => {
    const fake = createFakeChannel();
    const result = await streamResponse(fake.channel, chunks('ok', { delta: 'x' }));
    expect(result.status).toBe('error');
    expect(result.error?.code).toBe(40106);
    expect(result.error?.message).toContain('an object');
    expect(fake.messages[0]?.data).toBe('ok');
  });
});

describe('streamResponse, message-per-token', () => {
  it('publishes start, one token message per chunk and stop, all with the responseId header', async () => {
    const fake = createFakeChannel();
    const result = await streamResponse(fake.channel, chunks(...source), {
      pattern: 'message-per-token',
      responseId: 'r2',
      headers: { turn: '3' },
    });
    expect(result).toMatchObject({ status: 'complete', tokens: 5, messagesPublished: 7, text: source.join('') });
    expect(fake.messages.map((m) => m.name)).toEqual(['start', 'token', 'token', 'token', 'token', 'token', 'stop']);
    expect(
      fake.messages
        .filter((m) => m.name === 'token')
        .map((m) => m.data)
        .join(''),
    ).toBe(source.join(''));
    for (const message of fake.messages.slice(0, -1)) {
      expect(message.extras).toEqual({ headers: { turn: '3', responseId: 'r2' } });
    }
    expect(fake.messages.at(-1)?.extras).toEqual({
      headers: { turn: '3', responseId: 'r2', status: 'complete', ...textProof(source.join('')) },
    });
    expect(result.serial).toBe(fake.messages[0]?.serial);
  });

  it('repairs failed token messages with a response-complete message before stop', async () => {
    const fake = createFakeChannel({
      reject: (_operation, index) => (index === 0 || index === 3 ? { code: 42911, message: 'rate' } : undefined),
    });
    const result = await streamResponse(fake.channel, chunks(...source), { pattern: 'message-per-token' });
    expect(result.failuresRepaired).toBe(2);
    expect(fake.messages.map((m) => m.name)).toEqual(['start', 'token', 'token', 'token', 'response-complete', 'stop']);
    expect(fake.messages.find((m) => m.name === 'response-complete')).toMatchObject({
      data: source.join(''),
      extras: { headers: { status: 'complete' } },
    });
  });

  it('batches tokens produced within batchMs into one message', async () => {
    vi.useFakeTimers();
    const fake = createFakeChannel();
    const stream = manualStream();
    const done = streamResponse(fake.channel, stream.stream, { pattern: 'message-per-token', batchMs: 50 });
    await vi.advanceTimersByTimeAsync(1);
    expect(fake.messages.map((m) => m.name)).toEqual(['start']);
    stream.push('a');
    stream.push('b');
    await vi.advanceTimersByTimeAsync(10);
    stream.push('c');
    await vi.advanceTimersByTimeAsync(45);
    stream.push('d');
    stream.end();
    await vi.advanceTimersByTimeAsync(5);
    const result = await done;
    expect(fake.messages.map((m) => [m.name, m.data])).toEqual([
      ['start', ''],
      ['token', 'abc'],
      ['token', 'd'],
      ['stop', ''],
    ]);
    expect(result).toMatchObject({ tokens: 4, messagesPublished: 4, text: 'abcd' });
  });

  it('splits a batch before it would exceed the size limit, and rejects a single oversized token', async () => {
    const fake = createFakeChannel({ maxMessageSize: 100 });
    // envelope: "response-complete" (17) + {"headers":{"responseId":"r"}} (30) = 47; 53 bytes of data fit.
    const result = await streamResponse(fake.channel, chunks('a'.repeat(30), 'b'.repeat(30), 'c'.repeat(20)), {
      pattern: 'message-per-token',
      batchMs: 10_000,
      responseId: 'r',
    });
    expect(fake.messages.filter((m) => m.name === 'token').map((m) => m.data.length)).toEqual([30, 50]);
    expect(result.text).toHaveLength(80);

    const error = await rejection(
      streamResponse(fake.channel, chunks('x'.repeat(60)), { pattern: 'message-per-token', responseId: 'r' }),
    );
    expect(error.code).toBe(40009);
    expect(fake.messages.at(-1)).toMatchObject({ name: 'stop', extras: { headers: { status: 'error' } } });
  });

  it('marks stop with status cancelled on abort', async () => {
    const fake = createFakeChannel();
    const stream = manualStream();
    const controller = new AbortController();
    const done = streamResponse(fake.channel, stream.stream, {
      pattern: 'message-per-token',
      signal: controller.signal,
    });
    stream.push('x');
    await vi.waitFor(() => expect(fake.operations).toHaveLength(2));
    controller.abort();
    expect((await done).status).toBe('cancelled');
    expect(fake.messages.at(-1)).toMatchObject({ name: 'stop', extras: { headers: { status: 'cancelled' } } });
  });
});

describe('streamResponse, connection and arguments', () => {
  it('refuses to start on a suspended connection or failed channel', async () => {
    const fake = createFakeChannel();
    fake.setConnectionState('suspended');
    const error = await rejection(streamResponse(fake.channel, chunks('x')));
    expect(error.code).toBe(80002);
    expect(error.hint).toMatch(/reconnect/);
    expect(fake.operations).toHaveLength(0);

    const other = createFakeChannel();
    other.setChannelState('failed');
    expect((await rejection(streamResponse(other.channel, chunks('x')))).code).toBe(90001);
  });

  it('stops when the connection is suspended mid-stream', async () => {
    const fake = createFakeChannel();
    const stream = manualStream();
    const done = streamResponse(fake.channel, stream.stream);
    stream.push('x');
    await vi.waitFor(() => expect(fake.operations).toHaveLength(2));
    fake.setConnectionState('suspended');
    const error = await rejection(done);
    expect(error.code).toBe(80002);
    expect(stream.returned).toBe(true);
  });

  it('rejects invalid arguments with 40106 and a hint, before publishing', async () => {
    const fake = createFakeChannel();
    const cases: Array<[unknown, unknown, object]> = [
      [{}, chunks('x'), {}],
      [fake.channel, 'not a stream', {}],
      [fake.channel, chunks('x'), { pattern: 'per-word' }],
      [fake.channel, chunks('x'), { responseId: '' }],
      [fake.channel, chunks('x'), { headers: { n: 1 } }],
      [fake.channel, chunks('x'), { batchMs: -1 }],
      [fake.channel, chunks('x'), { maxMessageSize: 0 }],
      [fake.channel, chunks('x'), { signal: {} }],
    ];
    for (const [channel, text, options] of cases) {
      const error = await rejection(streamResponse(channel as never, text as never, options));
      expect(error.code).toBe(40106);
      expect(error.hint.length).toBeGreaterThan(10);
    }
    expect(fake.operations).toHaveLength(0);
  });

  it('ends the response as an error when the stream cannot even be iterated', async () => {
    const fake = createFakeChannel();
    const broken = {
      [Symbol.asyncIterator]() {
        throw new Error('stream already consumed');
      },
    };
    const result = await streamResponse(fake.channel, broken);
    expect(result).toMatchObject({ status: 'error', text: '' });
    expect(fake.messages[0]?.versionMetadata).toMatchObject({ status: 'error' });
  });

  it.each(['message-per-response', 'message-per-token'] as const)(
    'repairs the text when the connection was replaced mid-stream (%s)',
    async (pattern) => {
      const fake = createFakeChannel();
      const events: StreamEvent[] = [];
      const result = await streamResponse(fake.channel, chunks('a', 'b', 'c'), {
        pattern,
        onEvent: (event) => {
          events.push(event);
          if (event.type === 'token' && event.index === 1) fake.replaceConnection('connection-2');
        },
      });
      expect(result).toMatchObject({ status: 'complete', failuresRepaired: 0 });
      expect(events.find((e) => e.type === 'repaired')).toMatchObject({ failures: 0, connectionReplaced: true });
      const repair = fake.operations.at(-2);
      expect(repair?.message.data).toBe('abc');
      expect(repair?.kind === 'update' || repair?.message.name === 'response-complete').toBe(true);
    },
  );

  it('tries the end marker again after a transient failure', async () => {
    let endAttempts = 0;
    const fake = createFakeChannel({
      reject: (operation) =>
        operation.operation?.metadata && ++endAttempts === 1
          ? { code: 42910, message: 'Rate limit exceeded' }
          : undefined,
    });
    const result = await streamResponse(fake.channel, chunks('a', 'b'));
    expect(result.status).toBe('complete');
    expect(endAttempts).toBe(2);
    expect(fake.messages[0]).toMatchObject({ data: 'ab', versionMetadata: { status: 'complete', ...textProof('ab') } });
  });

  it('ends the response as an error when the repair cannot be published', async () => {
    // message-per-token: the full-text repair would exceed the size limit although every token fits.
    const fake = createFakeChannel({
      maxMessageSize: 120,
      reject: (_operation, index) => (index === 0 ? { code: 42910, message: 'Rate limit exceeded' } : undefined),
    });
    const error = await rejection(
      streamResponse(fake.channel, chunks('x'.repeat(40), 'y'.repeat(40)), { pattern: 'message-per-token' }),
    );
    expect(error.code).toBe(40009);
    expect(fake.messages.at(-1)).toMatchObject({ name: 'stop', extras: { headers: { status: 'error' } } });
  });

  it('ignores a progress hook that throws', async () => {
    const fake = createFakeChannel();
    const result = await streamResponse(fake.channel, chunks('a', 'b'), {
      onEvent: () => {
        throw new Error('hook');
      },
    });
    expect(result.text).toBe('ab');
  });
});
