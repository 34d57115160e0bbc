import type * as Ably from 'ably';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { type Emulator, startEmulator } from '../src/index.js';
import { Clients, collect, connectionState, foldText, formats, uniqueChannel, waitFor } from './helpers.js';

let emulator: Emulator;
const clients = new Clients(() => emulator);
beforeAll(async () => {
  emulator = await startEmulator({ port: 0 });
});
afterEach(() => clients.closeAll());
afterAll(() => emulator.stop());

describe.each(formats)('realtime over %s', (format) => {
  it('connects with connectionDetails from the emulator', async () => {
    const client = clients.realtime({ format });
    const change = await connectionState(client, 'connected');
    expect(change.reason).toBeFalsy();
    expect(client.connection.id).toMatch(/^[A-Za-z0-9]+$/);
    expect(client.connection.key).toContain(client.connection.id as string);
    expect(emulator.connectionIds()).toContain(client.connection.id);
  });

  it('answers connection.ping()', async () => {
    const client = clients.realtime({ format });
    await connectionState(client, 'connected');
    await expect(client.connection.ping()).resolves.toBeTypeOf('number');
  });

  it('attaches with the subscribe mode granted and echoes recognised params only', async () => {
    const client = clients.realtime({ format });
    const channel = client.channels.get(uniqueChannel(), { params: { rewind: '1', agent: 'x/1', nonsense: 'y' } });
    await channel.attach();
    expect(channel.modes).toEqual(expect.arrayContaining(['publish', 'subscribe', 'presence', 'presence_subscribe']));
    expect(channel.params).toEqual({ rewind: '1' });
    const subscribeOnly = client.channels.get(uniqueChannel(), { modes: ['SUBSCRIBE'] });
    await subscribeOnly.attach();
    expect(subscribeOnly.modes).toEqual(['subscribe']);
  });

  it('fans out publishes with serials in ACK order and suppresses echo when asked', async () => {
    const name = uniqueChannel();
    const publisher = clients.realtime({ format, echoMessages: false });
    const subscriber = clients.realtime({ format });
    const pubChannel = publisher.channels.get(name);
    const own = await collect(pubChannel);
    const received = await collect(subscriber.channels.get(name));
    const results = await Promise.all([
      pubChannel.publish('a', 'one'),
      pubChannel.publish('b', 'two'),
      pubChannel.publish('c', 'three'),
    ]);
    const serials = results.map((r) => r.serials[0] as string);
    expect([...serials].sort()).toEqual(serials);
    await waitFor(() => received.length === 3);
    expect(received.map((m) => [m.name, m.data, m.serial, m.action])).toEqual([
      ['a', 'one', serials[0], 'message.create'],
      ['b', 'two', serials[1], 'message.create'],
      ['c', 'three', serials[2], 'message.create'],
    ]);
    expect(received[0]?.connectionId).toBe(publisher.connection.id);
    expect(own).toEqual([]);
  });

  it('streams appends: fragments to attached subscribers, the first append in full to late joiners', async () => {
    const name = uniqueChannel();
    const publisher = clients.realtime({ format, transportParams: { appendRollupWindow: 0 } });
    const early = clients.realtime({ format });
    const earlyReceived = await collect(early.channels.get(name));
    const channel = publisher.channels.get(name);
    const { serials } = await channel.publish({ name: 'response', data: '' });
    const serial = serials[0] as string;
    await channel.appendMessage({ serial, data: 'Hel' });
    await channel.appendMessage({ serial, data: 'lo' });
    const late = clients.realtime({ format });
    const lateReceived = await collect(late.channels.get(name));
    const last = await channel.appendMessage({ serial, data: ' world' }, { metadata: { status: 'complete' } });
    await waitFor(() => earlyReceived.length === 4 && lateReceived.length === 1);
    expect(earlyReceived.map((m) => [m.action, m.data])).toEqual([
      ['message.create', ''],
      ['message.append', 'Hel'],
      ['message.append', 'lo'],
      ['message.append', ' world'],
    ]);
    expect(lateReceived.map((m) => [m.action, m.data, m.name])).toEqual([
      ['message.update', 'Hello world', 'response'],
    ]);
    expect(lateReceived[0]?.version?.serial).toBe(last.versionSerial);
    expect(lateReceived[0]?.version?.metadata).toEqual({ status: 'complete' });
    expect(foldText(earlyReceived, serial)).toBe('Hello world');
  });

  it('rolls up appends per publishing connection within the window', async () => {
    const name = uniqueChannel();
    const publisher = clients.realtime({ format, transportParams: { appendRollupWindow: 100 } });
    const subscriber = clients.realtime({ format });
    const received = await collect(subscriber.channels.get(name));
    const channel = publisher.channels.get(name);
    const { serials } = await channel.publish({ name: 'response', data: '' });
    const serial = serials[0] as string;
    const tokens = Array.from({ length: 20 }, (_, i) => `t${i} `);
    const results = await Promise.all(tokens.map((data) => channel.appendMessage({ serial, data })));
    await waitFor(() => foldText(received, serial) === tokens.join(''));
    const appends = received.filter((m) => m.action === 'message.append');
    expect(appends.length).toBeLessThan(tokens.length);
    expect(appends[0]?.data).toBe('t0 ');
    // Every append is acknowledged with its own version serial, in order.
    const versionSerials = results.map((r) => r.versionSerial as string);
    expect(new Set(versionSerials).size).toBe(tokens.length);
    expect([...versionSerials].sort()).toEqual(versionSerials);
    expect(appends.at(-1)?.version?.serial).toBe(versionSerials.at(-1));
  });

  it('applies updates and deletes as a shallow mixin with new versions', async () => {
    const name = uniqueChannel();
    const client = clients.realtime({ format });
    const channel = client.channels.get(name);
    const received = await collect(channel);
    const { serials } = await channel.publish({ name: 'n', data: 'first', extras: { headers: { a: '1' } } });
    const serial = serials[0] as string;
    const updated = await channel.updateMessage({ serial, data: 'second' }, { description: 'edit' });
    const deleted = await channel.deleteMessage({ serial });
    await waitFor(() => received.length === 3);
    expect(received[1]).toMatchObject({
      action: 'message.update',
      data: 'second',
      name: 'n',
      extras: { headers: { a: '1' } },
    });
    expect(received[1]?.version).toMatchObject({ serial: updated.versionSerial, description: 'edit' });
    expect(received[2]).toMatchObject({ action: 'message.delete', data: 'second', serial });
    expect(received[2]?.version?.serial).toBe(deleted.versionSerial);
    expect((updated.versionSerial as string) > serial).toBe(true);
  });

  it('rejects appends outside mutable namespaces with 93002', async () => {
    const client = clients.realtime({ format });
    const channel = client.channels.get(uniqueChannel('plain'));
    const { serials } = await channel.publish('n', 'x');
    await expect(channel.appendMessage({ serial: serials[0] as string, data: 'y' })).rejects.toMatchObject({
      code: 93002,
      statusCode: 400,
    });
  });

  it('rewinds to compacted messages delivered as updates with HAS_BACKLOG', async () => {
    const name = uniqueChannel();
    const publisher = clients.realtime({ format });
    const channel = publisher.channels.get(name);
    const first = await channel.publish('response', 'a');
    const second = await channel.publish('response', 'b');
    await channel.appendMessage({ serial: second.serials[0] as string, data: 'c' });
    const late = clients.realtime({ format });
    const rewound = late.channels.get(name, { params: { rewind: '5' } });
    const received: Ably.InboundMessage[] = [];
    const attached = new Promise<Ably.ChannelStateChange>((resolve) => rewound.once('attached', resolve));
    await rewound.subscribe((m) => {
      received.push(m);
    });
    expect((await attached).hasBacklog).toBe(true);
    await waitFor(() => received.length === 2);
    expect(received.map((m) => [m.serial, m.action, m.data])).toEqual([
      [first.serials[0], 'message.create', 'a'],
      [second.serials[0], 'message.update', 'bc'],
    ]);
    const empty = late.channels.get(uniqueChannel(), { params: { rewind: '5' } });
    const change = new Promise<Ably.ChannelStateChange>((resolve) => empty.once('attached', resolve));
    await empty.attach();
    expect((await change).hasBacklog).toBe(false);
  });

  it('fails the channel with 40010 on an invalid name and keeps the connection', async () => {
    const client = clients.realtime({ format });
    await expect(client.channels.get(':bad').attach()).rejects.toMatchObject({ code: 40010 });
    expect(client.connection.state).toBe('connected');
  });

  it('hydrates with history untilAttach: only what was there before the attach', async () => {
    const name = uniqueChannel();
    const publisher = clients.realtime({ format });
    const pub = publisher.channels.get(name);
    for (const n of [1, 2, 3]) await pub.publish('before', String(n));
    const reader = clients.realtime({ format });
    const channel = reader.channels.get(name);
    await channel.attach();
    for (const n of [4, 5]) await pub.publish('after', String(n));
    const page = await channel.history({ untilAttach: true, limit: 2 });
    expect(page.items.map((m) => m.data)).toEqual(['3', '2']);
    expect(page.hasNext()).toBe(true);
    const next = await page.next();
    expect(next?.items.map((m) => m.data)).toEqual(['1']);
    expect(next?.hasNext()).toBe(false);
  });
});
