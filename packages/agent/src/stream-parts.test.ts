import { textProof } from '@resumable/core';
import { describe, expect, it } from 'vitest';
import { type PartEvent, partStream } from './part-events.js';
import { streamResponse } from './stream-response.js';
import { chunks, createFakeChannel } from './test-utils/fake-channel.js';

const EVENTS: PartEvent[] = [
  { type: 'reasoning-delta', text: 'Think' },
  { type: 'reasoning-delta', text: 'ing.' },
  { type: 'tool-call', toolCallId: 'c1', toolName: 'weather', input: { city: 'Paris' } },
  { type: 'tool-result', toolCallId: 'c1', toolName: 'weather', output: 'no data', isError: true },
  { type: 'data', name: 'chart', data: [1, 2] },
  { type: 'text-delta', text: 'Sorry, ' },
  { type: 'text-delta', text: 'no weather.' },
];

describe('streamResponse with a part stream', () => {
  it('message-per-response: one message per part, in order, with part headers; one end marker on the last', async () => {
    const fake = createFakeChannel();
    const result = await streamResponse(fake.channel, partStream(EVENTS), { responseId: 'r1', turnId: 't1' });
    expect(result).toMatchObject({ status: 'complete', parts: 5, text: 'Sorry, no weather.', failuresRepaired: 0 });
    const stored = fake.messages.map((m) => [m.data, (m.extras as { headers: Record<string, string> }).headers]);
    expect(stored).toEqual([
      ['Thinking.', { responseId: 'r1', turnId: 't1', part: '0', partKind: 'reasoning' }],
      [
        '{"city":"Paris"}',
        { responseId: 'r1', turnId: 't1', part: '1', partKind: 'tool-call', toolCallId: 'c1', toolName: 'weather' },
      ],
      [
        'no data',
        {
          responseId: 'r1',
          turnId: 't1',
          part: '2',
          partKind: 'tool-result',
          toolCallId: 'c1',
          toolName: 'weather',
          toolError: 'true',
        },
      ],
      ['[1,2]', { responseId: 'r1', turnId: 't1', part: '3', partKind: 'data', dataName: 'chart' }],
      ['Sorry, no weather.', { responseId: 'r1', turnId: 't1', part: '4', partKind: 'text' }],
    ]);
    expect(fake.messages.map((m) => m.versionMetadata?.status)).toEqual([
      undefined,
      undefined,
      undefined,
      undefined,
      'complete',
    ]);
    // Every append of a part was acknowledged before the next part was created.
    const kinds = fake.operations.map(
      (o) => `${o.kind}:${(o.message.extras as { headers: { part: string } }).headers.part}`,
    );
    const lastOf = (part: string) => kinds.lastIndexOf(`append:${part}`);
    const createOf = (part: string) => kinds.indexOf(`publish:${part}`);
    for (const [before, after] of [
      ['0', '1'],
      ['1', '2'],
      ['3', '4'],
    ])
      expect(lastOf(before!)).toBeLessThan(createOf(after!));
  });

  it('repairs the part whose appends failed before the next part starts', async () => {
    const fake = createFakeChannel({
      reject: (operation, index) =>
        operation.kind === 'append' && index === 1
          ? { code: 42910, message: 'Rate limit', statusCode: 429 }
          : undefined,
    });
    const events: PartEvent[] = [
      { type: 'text-delta', text: 'a' },
      { type: 'text-delta', text: 'b' },
      { type: 'text-delta', text: 'c' },
      { type: 'reasoning-delta', text: 'then' },
    ];
    const result = await streamResponse(fake.channel, partStream(events), { responseId: 'r1' });
    expect(result).toMatchObject({ status: 'complete', failuresRepaired: 1 });
    expect(fake.messages.map((m) => m.data)).toEqual(['abc', 'then']);
    const update = fake.operations.findIndex((o) => o.kind === 'update');
    const secondCreate = fake.operations.findIndex((o, i) => o.kind === 'publish' && i > 0);
    expect(update).toBeGreaterThan(0);
    expect(update).toBeLessThan(secondCreate);
  });

  it('message-per-token: start, tokens with each part header, one stop', async () => {
    const fake = createFakeChannel();
    await streamResponse(
      fake.channel,
      partStream([
        { type: 'reasoning-delta', text: 'hm' },
        { type: 'tool-input-delta', toolCallId: 'c1', toolName: 'search', text: '{"q":1}' },
        { type: 'tool-call', toolCallId: 'c1', toolName: 'search', input: { q: 1 } },
        { type: 'text-delta', text: 'ok' },
      ]),
      { pattern: 'message-per-token', responseId: 'r1' },
    );
    const wire = fake.operations.map((o) => {
      const headers = (o.message.extras as { headers: Record<string, string> }).headers;
      return [o.message.name, o.message.data, headers.part ?? '-', headers.partKind ?? '-', headers.status ?? '-'];
    });
    expect(wire).toEqual([
      ['start', '', '-', '-', '-'],
      ['token', 'hm', '0', 'reasoning', '-'],
      ['token', '{"q":1}', '1', 'tool-call', '-'],
      ['token', 'ok', '2', 'text', '-'],
      ['stop', '', '-', '-', 'complete'],
    ]);
  });

  it('ends cancelled with who cancelled it, and error with the model reason', async () => {
    const fake = createFakeChannel();
    const controller = new AbortController();
    async function* endless() {
      for (let i = 0; ; i++) {
        if (i === 3) controller.abort({ cancelledBy: 'bob' });
        yield { type: 'text-delta', text: `${i}` } as PartEvent;
        await new Promise((resolve) => setTimeout(resolve, 1));
      }
    }
    const cancelled = await streamResponse(fake.channel, partStream(endless()), { signal: controller.signal });
    expect(cancelled.status).toBe('cancelled');
    expect(fake.messages.at(-1)?.versionMetadata).toEqual({ status: 'cancelled', cancelledBy: 'bob' });

    const failing = createFakeChannel();
    const failed = await streamResponse(
      failing.channel,
      partStream([
        { type: 'text-delta', text: 'so far' },
        { type: 'error', error: new Error('overloaded') },
      ]),
    );
    expect(failed).toMatchObject({ status: 'error', text: 'so far' });
    expect(failing.messages.at(-1)?.versionMetadata).toEqual({
      status: 'error',
      error: 'The model stream failed: overloaded',
    });
  });

  it('keeps a plain text stream exactly as before (no part headers on the wire)', async () => {
    const fake = createFakeChannel();
    await streamResponse(fake.channel, chunks('Hel', 'lo'), { responseId: 'r1' });
    expect(fake.operations.map((o) => o.message.extras)).toEqual([
      { headers: { responseId: 'r1' } },
      { headers: { responseId: 'r1' } },
      { headers: { responseId: 'r1' } },
      { headers: { responseId: 'r1' } },
    ]);
    // The end marker: the status and the text's proof, nothing part-related.
    expect(fake.operations.at(-1)?.operation).toEqual({ metadata: { status: 'complete', ...textProof('Hello') } });
  });
});

describe('finish reason and usage on the end marker', () => {
  const steps: PartEvent[] = [
    { type: 'tool-input-delta', toolCallId: 'c1', toolName: 'f', text: '{"a":1}' },
    { type: 'tool-input-delta', toolCallId: 'c2', toolName: 'f', text: '{"a":2}' },
    // Completions after a later part started: the calls are in the channel already.
    { type: 'tool-call', toolCallId: 'c1', toolName: 'f', input: { a: 1 } },
    { type: 'tool-call', toolCallId: 'c2', toolName: 'f', input: { a: 2 } },
    { type: 'step-finish', finishReason: 'tool-calls', usage: { inputTokens: 10, outputTokens: 4 } },
    { type: 'text-delta', text: 'Done.' },
    { type: 'step-finish', finishReason: 'stop', usage: { inputTokens: 12, outputTokens: Number.NaN, bad: -1 } },
  ];

  it('steps add up their usage; the last finish reason is written', async () => {
    const fake = createFakeChannel();
    const result = await streamResponse(fake.channel, partStream(steps), { responseId: 'r1' });
    expect(result).toMatchObject({ parts: 3, finishReason: 'stop', usage: { inputTokens: 22, outputTokens: 4 } });
    expect(fake.messages.map((m) => m.data)).toEqual(['{"a":1}', '{"a":2}', 'Done.']);
    expect(fake.messages.at(-1)?.versionMetadata).toEqual({
      status: 'complete',
      finishReason: 'stop',
      usage: '{"inputTokens":22,"outputTokens":4}',
    });
  });

  it('a final finish with usage replaces the sum (message-per-token: on the stop message)', async () => {
    const fake = createFakeChannel();
    await streamResponse(
      fake.channel,
      partStream([...steps, { type: 'finish', finishReason: 'length', usage: { totalTokens: 99 } }]),
      { responseId: 'r1', pattern: 'message-per-token' },
    );
    const stop = fake.messages.find((m) => m.name === 'stop');
    expect(stop?.extras).toMatchObject({
      headers: { status: 'complete', finishReason: 'length', usage: '{"totalTokens":99}' },
    });
  });
});
