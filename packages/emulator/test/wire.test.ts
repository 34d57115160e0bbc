import type * as Ably from 'ably';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { type Emulator, startEmulator } from '../src/index.js';
import {
  Clients,
  collect,
  connectionState,
  control,
  formats,
  rawConnection,
  sleep,
  uniqueChannel,
  waitFor,
} from './helpers.js';

let emulator: Emulator;
const clients = new Clients(() => emulator);
beforeAll(async () => {
  emulator = await startEmulator({ port: 0, maxIdleInterval: 300, connectionStateTtl: 3000 });
});
afterEach(() => clients.closeAll());
afterAll(() => emulator.stop());

const keyQuery = () => `key=${encodeURIComponent(emulator.key)}&format=json&v=6`;

describe('wire protocol', () => {
  it('survives malformed frames: ERROR 40000 for that socket, the server keeps serving', async () => {
    const raw = await rawConnection(emulator, keyQuery());
    await raw.next(4);
    raw.send('{this is not json');
    const error = await raw.next(9);
    expect(error.error).toMatchObject({ code: 40000 });
    await waitFor(() => raw.closed);
    const again = await rawConnection(emulator, keyQuery());
    expect((await again.next(4)).connectionId).toBeTruthy();
    again.send({ action: 'nope' });
    expect((await again.next(9)).error).toMatchObject({ code: 40000 });
    const third = await rawConnection(emulator, keyQuery());
    await third.next(4);
    third.send({ action: 99, channel: 'x' });
    third.send({ action: 0, id: 'ping-1' });
    expect(await third.next(0)).toMatchObject({ action: 0, id: 'ping-1' });
    third.close();
  });

  it('refuses connections without credentials with 40101', async () => {
    const raw = await rawConnection(emulator, 'format=json&v=6');
    expect((await raw.next(9)).error).toMatchObject({ code: 40101, statusCode: 401 });
  });

  it('NACKs publishes to invalid channel names with 40010 and answers bad attaches on the channel', async () => {
    const raw = await rawConnection(emulator, keyQuery());
    await raw.next(4);
    raw.send({ action: 15, channel: ':bad', msgSerial: 0, messages: [{ name: 'x', data: 'y' }] });
    expect(await raw.next(2)).toMatchObject({ msgSerial: 0, error: { code: 40010 } });
    raw.send({ action: 10 });
    expect((await raw.next(9)).error).toMatchObject({ code: 40010 });
    raw.send({ action: 10, channel: 'ok', params: { rewind: 'lots' } });
    expect(await raw.next(9)).toMatchObject({ channel: 'ok', error: { code: 40000 } });
    raw.send({ action: 15, channel: 'ok', msgSerial: 1, messages: [{ name: 'x', data: { object: true } }] });
    expect(await raw.next(2)).toMatchObject({ msgSerial: 1, error: { code: 40013 } });
    raw.close();
  });

  it('acknowledges each msgSerial once, in order, and re-ACKs a resent msgSerial with the original result', async () => {
    const raw = await rawConnection(emulator, keyQuery());
    await raw.next(4);
    const name = uniqueChannel();
    raw.send({ action: 10, channel: name });
    await raw.next(11);
    raw.send({ action: 15, channel: name, msgSerial: 0, messages: [{ name: 'a', data: '1' }] });
    raw.send({
      action: 15,
      channel: name,
      msgSerial: 1,
      messages: [
        { name: 'b', data: '2' },
        { name: 'c', data: '3' },
      ],
    });
    const first = await raw.next(1);
    const second = await raw.next(1);
    expect(first).toMatchObject({ msgSerial: 0, count: 1 });
    expect(second).toMatchObject({ msgSerial: 1, count: 1 });
    expect((second.res as Array<{ serials: string[] }>)[0]?.serials).toHaveLength(2);
    raw.send({
      action: 15,
      channel: name,
      msgSerial: 1,
      messages: [
        { name: 'b', data: '2' },
        { name: 'c', data: '3' },
      ],
    });
    expect(await raw.next(1)).toEqual(second);
    const history = await clients.rest({ format: 'json' }).channels.get(name).history();
    expect(history.items.map((m) => m.name)).toEqual(['c', 'b', 'a']);
    raw.close();
  });

  it('sends HEARTBEAT frames to clients that ask for them (browsers)', async () => {
    const raw = await rawConnection(emulator, `${keyQuery()}&heartbeats=true`);
    const connected = await raw.next(4);
    expect(connected.connectionDetails).toMatchObject({ maxIdleInterval: 300, connectionStateTtl: 3000 });
    await raw.next(0, 8000);
    raw.close();
  });

  it('keeps an idle Node client connected through WebSocket pings', async () => {
    const client = clients.realtime({ format: 'msgpack' });
    await connectionState(client, 'connected');
    const id = client.connection.id;
    // The SDK gives up after maxIdleInterval + realtimeRequestTimeout without traffic; pings keep it alive.
    await sleep(1000);
    expect(client.connection.state).toBe('connected');
    expect(client.connection.id).toBe(id);
  });

  it('serves faults over the loopback control endpoint', async () => {
    const client = clients.realtime({ format: 'json' });
    await connectionState(client, 'connected');
    const disconnected = connectionState(client, 'disconnected');
    const response = await control(emulator, 'faults/drop', { connectionId: client.connection.id });
    expect(await response.json()).toEqual({ affected: 1 });
    await disconnected;
    await connectionState(client, 'connected');
    const bad = await control(emulator, 'faults/pause', {});
    expect(bad.status).toBe(400);
    const unknown = await control(emulator, 'faults/explode', {});
    expect(unknown.status).toBe(404);
    const listed = (await (await control(emulator, 'connections')).json()) as Array<{ id: string }>;
    expect(listed.map((c) => c.id)).toContain(client.connection.id);
  });

  it('restarts through the control endpoint; clients come back on a new connection', async () => {
    const own = await startEmulator({ port: 0 });
    const local = new Clients(() => own);
    try {
      const client = local.realtime({ format: 'json', disconnectedRetryTimeout: 100 });
      await connectionState(client, 'connected');
      const id = client.connection.id;
      const reconnected = new Promise<Ably.ConnectionStateChange>((resolve) => {
        client.connection.on('connected', (change) => {
          if (change.previous !== 'initialized') resolve(change);
        });
      });
      const response = await control(own, 'faults/restart', {});
      expect(await response.json()).toEqual({ ok: true });
      expect((await reconnected).reason?.code).toBe(80008);
      expect(client.connection.id).not.toBe(id);
    } finally {
      local.closeAll();
      await own.stop();
    }
  });

  it('delays and pauses delivery without losing or reordering messages', async () => {
    const name = uniqueChannel();
    // Arrival times are lower bounds set by the fault, so they hold however slow the machine is.
    const arrivals: Array<{ data: unknown; at: number }> = [];
    await clients
      .realtime({ format: 'json' })
      .channels.get(name)
      .subscribe((message) => arrivals.push({ data: message.data, at: Date.now() }));
    const rest = clients.rest({ format: 'json' }).channels.get(name);
    const delayedFrom = Date.now();
    emulator.faults.delayDelivery(100);
    await rest.publish('m', '1');
    await waitFor(() => arrivals.length === 1);
    expect(arrivals[0]?.at).toBeGreaterThanOrEqual(delayedFrom + 100);
    emulator.faults.delayDelivery(0);
    const pausedFrom = Date.now();
    emulator.faults.pauseDelivery(300);
    await rest.publish('m', '2');
    await rest.publish('m', '3');
    await waitFor(() => arrivals.length === 3);
    expect(arrivals.map((a) => a.data)).toEqual(['1', '2', '3']);
    for (const arrival of arrivals.slice(1)) expect(arrival.at).toBeGreaterThanOrEqual(pausedFrom + 300);
  });
});

describe.each(formats)('channel features over %s', (format) => {
  it('publishes idempotently by client-supplied id', async () => {
    const name = uniqueChannel();
    const received = await collect(clients.realtime({ format }).channels.get(name));
    const channel = clients.realtime({ format }).channels.get(name);
    for (let i = 0; i < 3; i++) await channel.publish({ id: 'same-id', name: 'event0', data: 'x' });
    await channel.publish('marker', 'end');
    await waitFor(() => received.some((m) => m.name === 'marker'));
    expect(received.filter((m) => m.name === 'event0')).toHaveLength(1);
  });

  it('delivers every append in full with appendMode=full', async () => {
    const name = uniqueChannel();
    const full = await collect(clients.realtime({ format }).channels.get(name, { params: { appendMode: 'full' } }));
    const channel = clients.realtime({ format, transportParams: { appendRollupWindow: 0 } }).channels.get(name);
    const { serials } = await channel.publish('response', 'a');
    const serial = serials[0] as string;
    await channel.appendMessage({ serial, data: 'b' });
    await channel.appendMessage({ serial, data: 'c' });
    await waitFor(() => full.length === 3);
    expect(full.map((m) => [m.action, m.data])).toEqual([
      ['message.create', 'a'],
      ['message.update', 'ab'],
      ['message.update', 'abc'],
    ]);
  });

  it('drops extras on an append that omits them (strict reading: resend every header)', async () => {
    const name = uniqueChannel();
    const received = await collect(clients.realtime({ format }).channels.get(name));
    const channel = clients.realtime({ format, transportParams: { appendRollupWindow: 0 } }).channels.get(name);
    const headers = { extras: { headers: { responseId: 'r1' } } };
    const { serials } = await channel.publish({ name: 'response', data: '', ...headers });
    const serial = serials[0] as string;
    await channel.appendMessage({ serial, data: 'a', ...headers });
    await channel.appendMessage({ serial, data: 'b' });
    await waitFor(() => received.length === 3);
    expect(received[1]?.extras).toEqual(headers.extras);
    expect(received[2]?.extras).toBeUndefined();
    expect((await clients.rest({ format }).channels.get(name).getMessage(serial)).extras).toBeUndefined();
  });

  it('recovers a connection in a new client instance: same id, RESUMED, exactly the missed messages', async () => {
    const name = uniqueChannel();
    const first = clients.realtime({ format });
    const channel = first.channels.get(name);
    const seen = await collect(channel);
    const rest = clients.rest({ format }).channels.get(name);
    await rest.publish('m', 'seen');
    await waitFor(() => seen.length === 1);
    const recoveryKey = first.connection.createRecoveryKey() as string;
    const id = first.connection.id;
    emulator.faults.dropConnections(id);
    first.close();
    await rest.publish('m', 'missed 1');
    await rest.publish('m', 'missed 2');
    const second = clients.realtime({ format, recover: recoveryKey });
    const recovered = second.channels.get(name);
    const resumed = new Promise<Ably.ChannelStateChange>((resolve) => recovered.once('attached', resolve));
    const received = await collect(recovered);
    expect(second.connection.id).toBe(id);
    expect((await resumed).resumed).toBe(true);
    // Anything replayed twice would arrive before this marker, which is published after the recovery.
    await rest.publish('m', 'marker');
    await waitFor(() => received.length >= 3);
    expect(received.map((m) => m.data)).toEqual(['missed 1', 'missed 2', 'marker']);
  });

  it('detaches and stops delivering', async () => {
    const name = uniqueChannel();
    const subscriberClient = clients.realtime({ format });
    const channel = subscriberClient.channels.get(name);
    const received = await collect(channel);
    const marker = uniqueChannel();
    const markers = await collect(subscriberClient.channels.get(marker));
    await channel.detach();
    const rest = clients.rest({ format });
    await rest.channels.get(name).publish('m', 'after detach');
    // Frames on one connection arrive in order: a delivery for the detached channel would precede the marker.
    await rest.channels.get(marker).publish('m', 'marker');
    await waitFor(() => markers.length === 1);
    expect(received).toHaveLength(0);
  });
});

describe.each(formats)('mutation errors over %s', (format) => {
  it('NACKs an append of another data type with 40013, an unknown serial with 40400, an oversized append with 40009', async () => {
    const own = await startEmulator({ port: 0, maxMessageSize: 1024 });
    const local = new Clients(() => own);
    try {
      const channel = local.realtime({ format }).channels.get(uniqueChannel());
      const { serials } = await channel.publish('response', 'text');
      const serial = serials[0] as string;
      await expect(channel.appendMessage({ serial, data: Buffer.from([1, 2]) })).rejects.toMatchObject({ code: 40013 });
      await expect(channel.appendMessage({ serial: `${serial}x`, data: 'a' })).rejects.toMatchObject({
        code: 40400,
        statusCode: 404,
      });
      await expect(channel.appendMessage({ serial, data: 'y'.repeat(1100) })).rejects.toMatchObject({ code: 40009 });
      await expect(channel.appendMessage({ serial, data: '!' })).resolves.toHaveProperty('versionSerial');
      expect((await local.rest({ format }).channels.get(channel.name).getMessage(serial)).data).toBe('text!');
    } finally {
      local.closeAll();
      await own.stop();
    }
  });

  it('rewinds through a channel-name qualifier', async () => {
    const name = uniqueChannel();
    await clients.rest({ format }).channels.get(name).publish('m', 'old');
    const received = await collect(clients.realtime({ format }).channels.get(`[?rewind=1]${name}`));
    await waitFor(() => received.length === 1);
    expect(received[0]?.data).toBe('old');
  });
});

describe('silent peers', () => {
  it('drops the transport of a client that stops answering pings, but keeps one that only listens', async () => {
    const own = await startEmulator({ port: 0, maxIdleInterval: 100 });
    const local = new Clients(() => own);
    try {
      const { WebSocket } = await import('ws');
      const query = `key=${encodeURIComponent(own.key)}&format=json&v=6`;
      const silent = new WebSocket(`${own.wsUrl}/?${query}`, { autoPong: false });
      const listening = new WebSocket(`${own.wsUrl}/?${query}`);
      const silentClosed = new Promise<void>((resolve) => silent.once('close', () => resolve()));
      let listeningClosed = false;
      listening.once('close', () => {
        listeningClosed = true;
      });
      await Promise.all([silent, listening].map((ws) => new Promise((resolve) => ws.once('message', resolve))));
      const name = uniqueChannel();
      listening.send(JSON.stringify({ action: 10, channel: name }));
      const rest = local.rest({ format: 'json' }).channels.get(name);
      const started = Date.now();
      await silentClosed;
      // Keep traffic flowing to the listener past the silence limit (4 x 100 ms + 2 s).
      while (Date.now() - started < 2600) {
        await rest.publish('tick', String(Date.now()));
        await sleep(100);
      }
      expect(listeningClosed).toBe(false);
      listening.close();
    } finally {
      local.closeAll();
      await own.stop();
    }
  }, 15_000);
});

describe('resume at the wire level', () => {
  const query = () => `key=${encodeURIComponent(emulator.key)}&format=json&v=6`;

  it('replays every missed message after a RESUMED ATTACHED, each with its channelSerial', async () => {
    const name = uniqueChannel();
    const first = await rawConnection(emulator, query());
    const connected = await first.next(4);
    const connectionKey = (connected.connectionDetails as { connectionKey: string }).connectionKey;
    first.send({ action: 10, channel: name });
    const attached = await first.next(11);
    first.ws.terminate();
    const rest = clients.rest({ format: 'json' }).channels.get(name);
    for (const n of [1, 2, 3]) await rest.publish('m', `missed ${n}`);
    const second = await rawConnection(emulator, `${query()}&resume=${encodeURIComponent(connectionKey)}`);
    const resumed = await second.next(4);
    expect(resumed.connectionId).toBe(connected.connectionId);
    expect(resumed.error).toBeUndefined();
    second.send({ action: 10, channel: name, channelSerial: attached.channelSerial });
    const reattached = await second.next();
    expect(reattached).toMatchObject({ action: 11, channelSerial: attached.channelSerial });
    expect((reattached.flags as number) & 4).toBe(4);
    const replayed = [await second.next(15), await second.next(15), await second.next(15)];
    expect(replayed.map((pm) => (pm.messages as Array<{ data: string }>)[0]?.data)).toEqual([
      'missed 1',
      'missed 2',
      'missed 3',
    ]);
    const serials = replayed.map((pm) => String(pm.channelSerial));
    expect(new Set(serials).size).toBe(3);
    second.close();
  });

  it('answers a malformed resume key with 80018 and an unknown one with 80008, on a new connection', async () => {
    const malformed = await rawConnection(emulator, `${query()}&resume=not-a-key`);
    expect((await malformed.next(4)).error).toMatchObject({ code: 80018, statusCode: 400 });
    malformed.close();
    const unknown = await rawConnection(emulator, `${query()}&resume=${encodeURIComponent('abc!def-1')}`);
    expect((await unknown.next(4)).error).toMatchObject({ code: 80008, statusCode: 400 });
    unknown.close();
  });

  it('discards the state on CLOSE: CLOSED, then a resume fails with 80008', async () => {
    const raw = await rawConnection(emulator, query());
    const connected = await raw.next(4);
    raw.send({ action: 7 });
    await raw.next(8);
    await waitFor(() => raw.closed);
    const key = (connected.connectionDetails as { connectionKey: string }).connectionKey;
    const again = await rawConnection(emulator, `${query()}&resume=${encodeURIComponent(key)}`);
    const reply = await again.next(4);
    expect(reply.error).toMatchObject({ code: 80008 });
    expect(reply.connectionId).not.toBe(connected.connectionId);
    again.close();
  });
});
