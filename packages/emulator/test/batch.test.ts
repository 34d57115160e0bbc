import type * as Ably from 'ably';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { type Emulator, startEmulator } from '../src/index.js';
import { Clients, collect, connectionState, formats, sleep, uniqueChannel, waitFor } from './helpers.js';

let emulator: Emulator;
const clients = new Clients(() => emulator);
const LIMITED = 'resumable.limited:secret';
beforeAll(async () => {
  emulator = await startEmulator({
    port: 0,
    keys: ['resumable.local:local-emulator-secret', { key: LIMITED, capability: { 'open:*': ['publish', 'history'] } }],
  });
});
afterEach(() => clients.closeAll());
afterAll(() => emulator.stop());

describe.each(formats)('batch publish over %s', (format) => {
  it('publishes each spec to each channel and reports failures per channel', async () => {
    const open = uniqueChannel('open:a');
    const open2 = uniqueChannel('open:b');
    const closed = uniqueChannel('closed:c');
    const rest = clients.rest({ format, key: LIMITED });
    const results = await rest.batchPublish([
      { channels: [open, closed], messages: [{ data: 'one' }, { name: 'json', data: { n: 2 } }] },
      { channels: [open2], messages: [{ data: 'three' }] },
    ]);
    expect(results).toHaveLength(2);
    expect(results[0]).toMatchObject({ successCount: 1, failureCount: 1 });
    const [ok, failed] = (results[0]?.results ?? []) as [
      Ably.BatchPublishSuccessResult,
      Ably.BatchPublishFailureResult,
    ];
    expect(ok.channel).toBe(open);
    expect(ok.messageId).not.toBe('');
    expect(ok.serials).toHaveLength(2);
    expect('error' in ok).toBe(false);
    expect(failed.channel).toBe(closed);
    expect('messageId' in failed).toBe(false);
    expect(failed.error).toMatchObject({ code: 40160, statusCode: 401 });
    expect(results[1]).toMatchObject({ successCount: 1, failureCount: 0 });
    const history = await clients.rest({ format }).channels.get(open).history({ direction: 'forwards' });
    expect(history.items.map((m) => m.data)).toEqual(['one', { n: 2 }]);
    const single = await rest.batchPublish({ channels: [open2], messages: [{ data: 'four' }] });
    expect(single).toMatchObject({ successCount: 1, failureCount: 0 });
  });

  it('answers a malformed batch with 40000', async () => {
    const rest = clients.rest({ format });
    await expect(rest.batchPublish([{ channels: [], messages: [{ data: 'x' }] }])).rejects.toMatchObject({
      code: 40000,
      statusCode: 400,
    });
  });
});

describe.each(formats)('publishing on behalf of a realtime connection over %s', (format) => {
  it('stamps the connectionId of the connectionKey, and its echo setting applies', async () => {
    const name = uniqueChannel();
    const realtime = clients.realtime({ format, echoMessages: false });
    await connectionState(realtime, 'connected');
    const own = await collect(realtime.channels.get(name));
    const watcher = clients.realtime({ format });
    const received = await collect(watcher.channels.get(name));
    const rest = clients.rest({ format }).channels.get(name);
    await rest.publish({ name: 'behalf', data: 'x', connectionKey: realtime.connection.key } as Ably.Message);
    await waitFor(() => received.length === 1, 5000, 'delivery');
    expect(received[0]?.connectionId).toBe(realtime.connection.id);
    const [stored] = (await rest.history()).items;
    expect(stored?.connectionId).toBe(realtime.connection.id);
    await sleep(50);
    expect(own).toEqual([]);
  });

  it('refuses an unknown connectionKey (40006) and a clientId other than the connection’s (40012)', async () => {
    const name = uniqueChannel();
    const rest = clients.rest({ format }).channels.get(name);
    await expect(rest.publish({ data: 'x', connectionKey: 'nope!nope-1' } as Ably.Message)).rejects.toMatchObject({
      code: 40006,
      statusCode: 400,
    });
    const alice = clients.realtime({ format, clientId: 'alice' });
    await connectionState(alice, 'connected');
    await expect(
      rest.publish({ data: 'x', connectionKey: alice.connection.key } as Ably.Message),
    ).rejects.toMatchObject({ code: 40012 });
    await rest.publish({ data: 'x', clientId: 'alice', connectionKey: alice.connection.key } as Ably.Message);
  });
});
