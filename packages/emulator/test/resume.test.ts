import type * as Ably from 'ably';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { type Emulator, startEmulator } from '../src/index.js';
import {
  Clients,
  channelState,
  collect,
  connectionState,
  foldText,
  formats,
  uniqueChannel,
  waitFor,
} from './helpers.js';

let emulator: Emulator;
const clients = new Clients(() => emulator);
beforeAll(async () => {
  emulator = await startEmulator({ port: 0, connectionStateTtl: 5000 });
});
afterEach(() => clients.closeAll());
afterAll(() => emulator.stop());

describe.each(formats)('resume over %s', (format) => {
  it('resumes a dropped connection: RESUMED attach, then the missed messages in order', async () => {
    const name = uniqueChannel();
    const subscriber = clients.realtime({ format });
    const channel = subscriber.channels.get(name);
    const received = await collect(channel);
    const id = subscriber.connection.id;
    const rest = clients.rest({ format }).channels.get(name);
    await rest.publish('m', 'before');
    await waitFor(() => received.length === 1);

    const disconnected = connectionState(subscriber, 'disconnected');
    const reattached = channelState(channel, 'attached');
    // Hold the resume's CONNECTED back so the publishes below are certainly missed.
    emulator.faults.pauseDelivery(300);
    expect(emulator.faults.dropConnections(id)).toBe(1);
    await disconnected;
    for (const n of [1, 2, 3]) await rest.publish('m', `missed ${n}`);
    expect((await reattached).resumed).toBe(true);
    expect(subscriber.connection.id).toBe(id);
    await rest.publish('m', 'after');
    await waitFor(() => received.length === 5);
    expect(received.map((m) => m.data)).toEqual(['before', 'missed 1', 'missed 2', 'missed 3', 'after']);
  });

  it('fails the resume of an expired connection with 80008 and reattaches with resumed=false', async () => {
    const name = uniqueChannel();
    const subscriber = clients.realtime({ format });
    const channel = subscriber.channels.get(name);
    await channel.attach();
    const id = subscriber.connection.id as string;
    const reattached = channelState(channel, 'attached');
    const connected = new Promise<Ably.ConnectionStateChange>((resolve) => {
      subscriber.connection.on('connected', (change) => {
        if (change.previous !== 'initialized') resolve(change);
      });
    });
    expect(emulator.faults.expireConnections(id)).toBe(1);
    const change = await connected;
    expect(change.reason?.code).toBe(80008);
    expect(subscriber.connection.id).not.toBe(id);
    expect((await reattached).resumed).toBe(false);
  });

  it('loses no acknowledged append when the publisher drops mid-stream', async () => {
    const name = uniqueChannel();
    const publisher = clients.realtime({ format, transportParams: { appendRollupWindow: 0 } });
    const subscriber = clients.realtime({ format });
    const received = await collect(subscriber.channels.get(name));
    const channel = publisher.channels.get(name);
    const { serials } = await channel.publish({ name: 'response', data: '' });
    const serial = serials[0] as string;
    const tokens = Array.from({ length: 40 }, (_, i) => `w${i} `);
    const pending: Array<Promise<unknown>> = [];
    for (const [i, data] of tokens.entries()) {
      pending.push(channel.appendMessage({ serial, data }));
      if (i === 20) emulator.faults.dropConnections(publisher.connection.id as string);
    }
    await Promise.all(pending);
    const expected = tokens.join('');
    await waitFor(() => foldText(received, serial) === expected, 10_000, 'all appends');
    const message = await clients.rest({ format }).channels.get(name).getMessage(serial);
    expect(message.data).toBe(expected);
  });
});

describe.each(['drop', 'expire'] as const)('a %s right after the server answered', (fault) => {
  it('delivers the answers already given, so resent appends are never applied twice', async () => {
    let publisherId = '';
    let injected = false;
    const own = await startEmulator({
      port: 0,
      connectionStateTtl: 5000,
      log: (line) => {
        // Fault between "ACK 20 queued" and the socket write: the riskiest moment for an ACK.
        if (!injected && publisherId && line.startsWith(`${publisherId} ⇠ ACK msgSerial=20`)) {
          injected = true;
          queueMicrotask(() =>
            fault === 'drop' ? own.faults.dropConnections(publisherId) : own.faults.expireConnections(publisherId),
          );
        }
      },
    });
    const local = new Clients(() => own);
    try {
      const name = uniqueChannel();
      const publisher = local.realtime({ format: 'msgpack', transportParams: { appendRollupWindow: 0 } });
      const channel = publisher.channels.get(name);
      const { serials } = await channel.publish({ name: 'response', data: '' });
      publisherId = publisher.connection.id as string;
      const serial = serials[0] as string;
      const tokens = Array.from({ length: 40 }, (_, i) => `w${i} `);
      await Promise.all(tokens.map((data) => channel.appendMessage({ serial, data })));
      expect(injected).toBe(true);
      const message = await local.rest({ format: 'json' }).channels.get(name).getMessage(serial);
      expect(message.data).toBe(tokens.join(''));
    } finally {
      local.closeAll();
      await own.stop();
    }
  });
});

describe('restart', () => {
  it('keeps history across a restart while clients reconnect with a new connection', async () => {
    const own = await startEmulator({ port: 0, connectionStateTtl: 5000 });
    const local = new Clients(() => own);
    try {
      const name = uniqueChannel();
      const client = local.realtime({ format: 'json', disconnectedRetryTimeout: 100 });
      const channel = client.channels.get(name);
      await channel.attach();
      await channel.publish('m', 'kept');
      const id = client.connection.id;
      const reattached = channelState(channel, 'attached');
      await own.restart();
      const change = await reattached;
      expect(change.resumed).toBe(false);
      expect(client.connection.id).not.toBe(id);
      const page = await channel.history();
      expect(page.items.map((m) => m.data)).toEqual(['kept']);
    } finally {
      local.closeAll();
      await own.stop();
    }
  });
});
