import msgpack from '@ably/msgpack-js';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Emulator, startEmulator } from '../src/index.js';
import { rawConnection } from './helpers.js';

// Bad input must never take the server down: random protocol messages (well-formed envelopes with
// random fields, random bytes) over both formats, and random REST requests.

let emulator: Emulator;
/** Log lines that show an input reached code that did not expect it (a 50000 instead of a proper code). */
const internalErrors: string[] = [];
beforeAll(async () => {
  emulator = await startEmulator({
    port: 0,
    maxMessageSize: 4096,
    log: (line) => {
      if (/Internal emulator error|TypeError|ReferenceError|is not a function|Cannot read/.test(line))
        internalErrors.push(line);
    },
  });
});
afterAll(() => emulator.stop());

const anyValue = fc.oneof(
  fc.string(),
  fc.integer(),
  fc.double(),
  fc.boolean(),
  fc.constant(null),
  fc.array(fc.string(), { maxLength: 3 }),
  fc.dictionary(fc.string({ maxLength: 8 }), fc.string(), { maxKeys: 3 }),
);
const randomMessage = fc.record(
  {
    id: anyValue,
    name: anyValue,
    data: anyValue,
    encoding: anyValue,
    clientId: anyValue,
    extras: anyValue,
    action: fc.oneof(fc.integer({ min: -1, max: 7 }), anyValue),
    serial: anyValue,
    version: anyValue,
  },
  { requiredKeys: [] },
);
const randomProtocolMessage = fc.record(
  {
    action: fc.oneof(fc.integer({ min: -2, max: 25 }), anyValue),
    channel: fc.oneof(fc.constantFrom('ai:fuzz', 'plain', ':bad', '[?rewind=x]ai:f', '[unclosed', ''), anyValue),
    msgSerial: fc.oneof(fc.integer({ min: -5, max: 50 }), anyValue),
    channelSerial: anyValue,
    flags: fc.oneof(fc.integer(), anyValue),
    params: fc.oneof(fc.dictionary(fc.constantFrom('rewind', 'modes', 'echo', 'appendMode'), fc.string()), anyValue),
    messages: fc.oneof(fc.array(randomMessage, { maxLength: 3 }), anyValue),
    auth: fc.oneof(fc.record({ accessToken: fc.string() }), anyValue),
    id: anyValue,
  },
  { requiredKeys: [] },
);

async function serverAlive(): Promise<void> {
  const check = await rawConnection(emulator, `key=${encodeURIComponent(emulator.key)}&format=json&v=6`);
  expect((await check.next(4)).connectionId).toBeTruthy();
  check.send({ action: 0, id: 'alive' });
  expect(await check.next(0)).toMatchObject({ id: 'alive' });
  check.close();
}

describe('bad input', () => {
  it('survives random protocol messages over JSON and msgpack', async () => {
    for (const format of ['json', 'msgpack'] as const) {
      const samples = fc.sample(randomProtocolMessage, { numRuns: 300, seed: format === 'json' ? 1 : 2 });
      let raw = await rawConnection(emulator, `key=${encodeURIComponent(emulator.key)}&format=${format}&v=6`);
      await raw.next(4);
      for (const sample of samples) {
        if (raw.closed) {
          raw = await rawConnection(emulator, `key=${encodeURIComponent(emulator.key)}&format=${format}&v=6`);
          await raw.next(4);
        }
        raw.ws.send(format === 'json' ? JSON.stringify(sample) : msgpack.encode(sample, true));
      }
      for (const bytes of fc.sample(fc.uint8Array({ maxLength: 64 }), { numRuns: 30, seed: 3 })) {
        if (raw.closed) {
          raw = await rawConnection(emulator, `key=${encodeURIComponent(emulator.key)}&format=${format}&v=6`);
          await raw.next(4);
        }
        raw.ws.send(Buffer.from(bytes));
      }
      raw.close();
    }
    await serverAlive();
    expect(internalErrors).toEqual([]);
  }, 30_000);

  it('survives random REST requests', async () => {
    const auth = `Basic ${Buffer.from(emulator.key).toString('base64')}`;
    const paths = fc.constantFrom(
      '/channels/ai%3Afuzz/messages',
      '/channels/ai%3Afuzz/messages/x',
      '/channels/ai%3Afuzz/messages/x/versions',
      '/channels/%E0%A4%A',
      '/channels/ai%3Afuzz',
      '/keys/resumable.local/requestToken',
      '/_emulator/faults/pause',
      '/time',
    );
    const requests = fc.sample(
      fc.record({
        path: paths,
        method: fc.constantFrom('GET', 'POST', 'PATCH', 'PUT', 'DELETE'),
        query: fc.dictionary(
          fc.constantFrom('limit', 'start', 'end', 'direction', 'from_serial', 'cursor', 'envelope'),
          fc.string(),
        ),
        body: fc.oneof(fc.json(), fc.string()),
        withAuth: fc.boolean(),
      }),
      { numRuns: 150, seed: 4 },
    );
    for (const r of requests) {
      const query = new URLSearchParams(r.query).toString();
      const response = await fetch(`${emulator.httpUrl}${r.path}?${query}`, {
        method: r.method,
        headers: { 'content-type': 'application/json', ...(r.withAuth ? { authorization: auth } : {}) },
        ...(r.method === 'GET' ? {} : { body: r.body }),
      });
      expect(response.status).toBeLessThan(500);
      await response.arrayBuffer();
    }
    await serverAlive();
    expect(internalErrors).toEqual([]);
  }, 30_000);
});
