import * as Ably from 'ably';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { type Emulator, startEmulator } from '../src/index.js';
import { Clients, collect, formats, rawConnection, sleep, uniqueChannel, waitFor } from './helpers.js';

let emulator: Emulator;
const clients = new Clients(() => emulator);
beforeAll(async () => {
  emulator = await startEmulator({ port: 0 });
});
afterEach(() => clients.closeAll());
afterAll(() => emulator.stop());

describe('attach ordering', () => {
  it('sends nothing for a channel between ATTACH and ATTACHED, and backlog only after ATTACHED', async () => {
    const name = uniqueChannel();
    const rest = clients.rest({ format: 'json' }).channels.get(name);
    await rest.publish('m', 'old');
    const raw = await rawConnection(emulator, `key=${encodeURIComponent(emulator.key)}&format=json&v=6`);
    await raw.next(4);
    const publishing = (async () => {
      for (let i = 0; i < 20; i++) await rest.publish('m', `live ${i}`);
    })();
    await sleep(5);
    raw.send({ action: 10, channel: name, params: { rewind: '1' } });
    const first = await raw.next();
    expect(first).toMatchObject({ action: 11, channel: name, flags: expect.any(Number) });
    expect((first.flags as number) & 2).toBe(2);
    const backlog = await raw.next(15);
    expect(backlog.channelSerial).toBeUndefined();
    await publishing;
    raw.close();
  });
});

describe.each(formats)('channels over %s', (format) => {
  it('rewinds by time and only on the first attach', async () => {
    const name = uniqueChannel();
    await clients.rest({ format }).channels.get(name).publish('m', 'recent');
    const client = clients.realtime({ format });
    const channel = client.channels.get(name, { params: { rewind: '1m' } });
    const received = await collect(channel);
    await waitFor(() => received.length === 1);
    // setOptions re-attaches: RESUMED, and no second backlog.
    const changes: Ably.ChannelStateChange[] = [];
    channel.on('update', (change) => changes.push(change));
    await channel.setOptions({ params: { rewind: '5' } });
    // A second backlog would be delivered before this live message.
    await clients.rest({ format }).channels.get(name).publish('m', 'live');
    await waitFor(() => received.length >= 2);
    expect(received.map((m) => m.data)).toEqual(['recent', 'live']);
    expect(changes).toEqual([]);
  });

  it('truncates a rewind above 100 and says so', async () => {
    const name = uniqueChannel();
    const rest = clients.rest({ format }).channels.get(name);
    await rest.publish(Array.from({ length: 101 }, (_, i) => ({ name: 'm', data: String(i) })));
    const channel = clients.realtime({ format }).channels.get(name, { params: { rewind: '150' } });
    const attached = new Promise<Ably.ChannelStateChange>((resolve) => channel.once('attached', resolve));
    const received = await collect(channel);
    expect((await attached).reason?.code).toBe(90004);
    await waitFor(() => received.length === 100);
    expect(received[0]?.data).toBe('1');
  });

  it('flags 90004 when more than 100 messages fall in a time rewind, and not for a count of 100', async () => {
    const name = uniqueChannel();
    const rest = clients.rest({ format }).channels.get(name);
    await rest.publish(Array.from({ length: 101 }, (_, i) => ({ name: 'm', data: String(i) })));
    const attachWith = async (rewind: string) => {
      const channel = clients.realtime({ format }).channels.get(name, { params: { rewind } });
      const attached = new Promise<Ably.ChannelStateChange>((resolve) => channel.once('attached', resolve));
      const received = await collect(channel);
      const change = await attached;
      await waitFor(() => received.length === 100);
      return { change, received };
    };
    const byTime = await attachWith('1m');
    expect(byTime.change.reason?.code).toBe(90004);
    expect(byTime.received.map((m) => m.data)).toEqual(Array.from({ length: 100 }, (_, i) => String(i + 1)));
    const byCount = await attachWith('100');
    expect(byCount.change.reason).toBeUndefined();
    expect(byCount.received[0]?.data).toBe('1');
  });

  it('filters history by start and end; untilAttach needs a known position and backwards (40003)', async () => {
    const name = uniqueChannel();
    const rest = clients.rest({ format }).channels.get(name);
    await rest.publish('m', 'a');
    await sleep(20);
    const middle = Date.now();
    await rest.publish('m', 'b');
    await sleep(20);
    const later = Date.now();
    await rest.publish('m', 'c');
    const page = await rest.history({ start: middle, end: later, direction: 'forwards' });
    expect(page.items.map((m) => m.data)).toEqual(['b']);
    const raw = await rawConnection(emulator, `key=${encodeURIComponent(emulator.key)}&format=json&v=6`);
    await raw.next(4);
    raw.send({ action: 10, channel: name });
    const attachSerial = String((await raw.next(11)).channelSerial);
    raw.close();
    const get = (query: string) =>
      fetch(`${emulator.httpUrl}/channels/${encodeURIComponent(name)}/messages?${query}`, {
        headers: { authorization: `Basic ${Buffer.from(emulator.key).toString('base64')}` },
      });
    expect((await get(`from_serial=${encodeURIComponent(attachSerial)}`)).status).toBe(200);
    const forwards = await get(`from_serial=${encodeURIComponent(attachSerial)}&direction=forwards`);
    expect(forwards.headers.get('x-ably-errorcode')).toBe('40003');
    const unknown = await get(`from_serial=${encodeURIComponent('not-a-serial:1')}`);
    expect(unknown.headers.get('x-ably-errorcode')).toBe('40003');
  });

  it('lets a wildcard-clientId token choose its identity', async () => {
    const signer = new Ably.Rest({ ...emulator.clientOptions(), logLevel: 0 } as Ably.ClientOptions);
    const client = clients.realtime({
      format,
      key: undefined,
      clientId: 'chosen',
      authCallback: (
        _params: Ably.TokenParams,
        callback: (error: unknown, token: Ably.TokenRequest | null) => void,
      ) => {
        signer.auth.createTokenRequest({ clientId: '*' }).then(
          (request) => callback(null, request),
          (error) => callback(error, null),
        );
      },
    } as never);
    const channel = client.channels.get(uniqueChannel());
    const received = await collect(channel);
    await channel.publish('m', 'x');
    await waitFor(() => received.length === 1);
    expect(received[0]?.clientId).toBe('chosen');
  });
});
