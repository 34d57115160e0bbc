import type * as Ably from 'ably';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { type Emulator, EmulatorError, startEmulator } from '../src/index.js';
import {
  Clients,
  channelState,
  collect,
  connectionState,
  control,
  formats,
  rawConnection,
  sleep,
  uniqueChannel,
  waitFor,
} from './helpers.js';

const CUT_OFF_MS = 1500;
// Timers may fire a millisecond or two early against Date.now(); lower bounds keep this much slack.
const SLACK_MS = 50;

let emulator: Emulator;
const clients = new Clients(() => emulator);
beforeAll(async () => {
  emulator = await startEmulator({ port: 0, connectionStateTtl: 10_000 });
});
afterEach(() => clients.closeAll());
afterAll(() => emulator.stop());

/** Record a client's connection state changes with the time each happened. */
function recordStates(client: Ably.Realtime): Array<{ state: Ably.ConnectionState; at: number }> {
  const states: Array<{ state: Ably.ConnectionState; at: number }> = [];
  client.connection.on((change) => states.push({ state: change.current, at: Date.now() }));
  return states;
}

/** The next `connected` after now that is not the first connect. */
function reconnected(client: Ably.Realtime): Promise<Ably.ConnectionStateChange> {
  return new Promise((resolve) => {
    client.connection.on('connected', function listener(change) {
      if (change.previous === 'initialized') return;
      client.connection.off('connected', listener);
      resolve(change);
    });
  });
}

describe.each(formats)('cut-off over %s', (format) => {
  it('cuts one client off, keeps the others receiving, then resumes it with every missed message once, in order', async () => {
    const name = uniqueChannel();
    const cut = clients.realtime({ format });
    const other = clients.realtime({ format });
    const cutChannel = cut.channels.get(name);
    const otherChannel = other.channels.get(name);
    const cutReceived = await collect(cutChannel);
    const otherReceived: Array<{ data: unknown; cutState: Ably.ConnectionState }> = [];
    await otherChannel.subscribe((message) => {
      otherReceived.push({ data: message.data, cutState: cut.connection.state });
    });
    const id = cut.connection.id as string;
    const rest = clients.rest({ format }).channels.get(name);
    await rest.publish('m', 'before');
    await waitFor(() => cutReceived.length === 1 && otherReceived.length === 1);

    const states = recordStates(cut);
    const reattached = channelState(cutChannel, 'attached');
    const back = reconnected(cut);
    const cutAt = Date.now();
    expect(emulator.faults.cutOff(id, CUT_OFF_MS)).toBe(1);
    for (const n of [1, 2, 3]) await rest.publish('m', `during ${n}`);
    await waitFor(() => otherReceived.length === 4, 10_000, 'the other client to get the messages');

    const change = await back;
    const backAt = Date.now();
    expect(backAt - cutAt).toBeGreaterThanOrEqual(CUT_OFF_MS - SLACK_MS);
    expect(change.reason).toBeFalsy();
    expect(cut.connection.id).toBe(id);
    expect((await reattached).resumed).toBe(true);
    // It lost its transport at once and stayed off until the cut-off ended.
    const firstConnected = states.findIndex((s) => s.state === 'connected');
    expect(states.slice(0, firstConnected).map((s) => s.state)).toContain('disconnected');
    expect((states[firstConnected]?.at ?? 0) - cutAt).toBeGreaterThanOrEqual(CUT_OFF_MS - SLACK_MS);
    // The other client kept receiving while this one was cut off.
    expect(otherReceived.some((m) => m.data === 'during 1' && m.cutState !== 'connected')).toBe(true);

    await rest.publish('m', 'after');
    const expected = ['before', 'during 1', 'during 2', 'during 3', 'after'];
    await waitFor(() => cutReceived.length >= expected.length && otherReceived.length >= expected.length);
    await sleep(100); // a duplicate would show up here
    expect(cutReceived.map((m) => m.data)).toEqual(expected);
    expect(otherReceived.map((m) => m.data)).toEqual(expected);
    expect(other.connection.state).toBe('connected');
  });

  it('with expire, holds the resume for the cut-off and then fails it with 80008 (channels reattach unresumed)', async () => {
    const name = uniqueChannel();
    const client = clients.realtime({ format });
    const channel = client.channels.get(name);
    await channel.attach();
    const id = client.connection.id as string;
    const reattached = channelState(channel, 'attached');
    const back = reconnected(client);
    const cutAt = Date.now();
    expect(emulator.faults.cutOff(id, 1000, { expire: true })).toBe(1);
    const change = await back;
    expect(Date.now() - cutAt).toBeGreaterThanOrEqual(1000 - SLACK_MS);
    expect(change.reason?.code).toBe(80008);
    expect(client.connection.id).not.toBe(id);
    expect((await reattached).resumed).toBe(false);
    expect(emulator.connectionIds()).not.toContain(id);
  });
});

describe('cut-off', () => {
  it('fails the resume with 80008 when the cut-off outlasts connectionStateTtl', async () => {
    const own = await startEmulator({ port: 0, connectionStateTtl: 500 });
    const ownClients = new Clients(() => own);
    try {
      // The SDK gives up on its held attempt once the TTL it was told has passed, then waits
      // disconnectedRetryTimeout before the next one: keep that short.
      const client = ownClients.realtime({ format: 'msgpack', disconnectedRetryTimeout: 300 });
      const channel = client.channels.get(uniqueChannel());
      await channel.attach();
      const id = client.connection.id as string;
      const reattached = channelState(channel, 'attached');
      const back = reconnected(client);
      expect(own.faults.cutOff(id, 1200)).toBe(1);
      const change = await back;
      expect(change.reason?.code).toBe(80008);
      expect(client.connection.id).not.toBe(id);
      expect((await reattached).resumed).toBe(false);
    } finally {
      ownClients.closeAll();
      await own.stop();
    }
  });

  it('holds a resume unanswered and unread, drops an attempt abandoned meanwhile, then proceeds with the live one', async () => {
    const query = `key=${encodeURIComponent(emulator.key)}&format=json&v=6`;
    const first = await rawConnection(emulator, query);
    const connected = await first.next(4);
    const id = connected.connectionId as string;
    const key = (connected.connectionDetails as { connectionKey: string }).connectionKey;

    expect(emulator.faults.cutOff(id, 1200)).toBe(1);
    await waitFor(() => first.closed, 5000, 'the transport to drop');
    const resume = `${query}&resume=${encodeURIComponent(key)}`;
    const abandoned = await rawConnection(emulator, resume);
    const live = await rawConnection(emulator, resume);
    // Sent while held: read only once the cut-off is over, and then answered.
    live.send({ action: 0, id: 'sent-while-cut-off' });
    await expect(abandoned.next(undefined, 300)).rejects.toThrow(/Timed out/);
    expect(abandoned.closed).toBe(false);
    abandoned.close(); // the client gives up: its close frame goes nowhere until the cut-off ends

    const resumed = await live.next(4);
    expect(resumed.connectionId).toBe(id);
    expect(resumed.error).toBeUndefined();
    expect(await live.next(0)).toMatchObject({ action: 0, id: 'sent-while-cut-off' });
    await waitFor(() => abandoned.closed, 5000, 'the abandoned attempt to be closed');
    await expect(abandoned.next(undefined, 50)).rejects.toThrow(/closed/);
    const listed = (await (await control(emulator, 'connections')).json()) as Array<{
      id: string;
      connected: boolean;
    }>;
    expect(listed.find((c) => c.id === id)?.connected).toBe(true);
    live.close();
  });

  it('cuts off every connection without a connectionId, and a brand-new connection is not held', async () => {
    const own = await startEmulator({ port: 0 });
    const ownClients = new Clients(() => own);
    try {
      const a = ownClients.realtime({ format: 'json' });
      const b = ownClients.realtime({ format: 'msgpack' });
      await Promise.all([connectionState(a, 'connected'), connectionState(b, 'connected')]);
      const backA = reconnected(a);
      const backB = reconnected(b);
      const cutAt = Date.now();
      expect(own.faults.cutOff(undefined, 800)).toBe(2);
      const fresh = ownClients.realtime({ format: 'json' });
      await connectionState(fresh, 'connected');
      await Promise.all([backA, backB]);
      expect(Date.now() - cutAt).toBeGreaterThanOrEqual(800 - SLACK_MS);
    } finally {
      ownClients.closeAll();
      await own.stop();
    }
  });

  it('extends a cut-off that is set again before it ends', async () => {
    const client = clients.realtime({ format: 'json' });
    await connectionState(client, 'connected');
    const id = client.connection.id as string;
    const back = reconnected(client);
    const cutAt = Date.now();
    expect(emulator.faults.cutOff(id, 600)).toBe(1);
    await sleep(300);
    expect(client.connection.state).not.toBe('connected');
    expect(emulator.faults.cutOff(id, 900)).toBe(1); // now ends 1200 ms after the first
    await back;
    expect(Date.now() - cutAt).toBeGreaterThanOrEqual(1200 - SLACK_MS);
    expect(client.connection.id).toBe(id);
  });

  it('holds a recover from a new client too, and the abandoned resume of the closed client does not interfere', async () => {
    const name = uniqueChannel();
    const first = clients.realtime({ format: 'msgpack' });
    const channel = first.channels.get(name);
    await channel.attach();
    const id = first.connection.id as string;
    const recoveryKey = first.connection.createRecoveryKey() as string;
    const disconnected = connectionState(first, 'disconnected');
    const cutAt = Date.now();
    expect(emulator.faults.cutOff(id, 1000)).toBe(1);
    await disconnected;
    await sleep(100); // its resume attempt is held now
    first.close();
    const second = clients.realtime({ format: 'msgpack', recover: recoveryKey });
    await connectionState(second, 'connected');
    expect(Date.now() - cutAt).toBeGreaterThanOrEqual(1000 - SLACK_MS);
    expect(second.connection.id).toBe(id);
    expect(second.connection.errorReason).toBeFalsy();
    const recovered = second.channels.get(name);
    await recovered.attach();
    const received = await collect(recovered);
    await clients.rest({ format: 'json' }).channels.get(name).publish('m', 'after recover');
    await waitFor(() => received.length === 1);
    expect(received[0]?.data).toBe('after recover');
  });

  it('rejects a bad ms or an unknown connection from the library API', () => {
    expect(() => emulator.faults.cutOff(undefined, -1)).toThrow(EmulatorError);
    expect(() => emulator.faults.cutOff(undefined, Number.NaN)).toThrow(/0 to 600000/);
    expect(() => emulator.faults.cutOff(undefined, 600_001)).toThrow(/0 to 600000/);
    try {
      emulator.faults.cutOff('noSuchConnection', 100);
      expect.unreachable();
    } catch (error) {
      expect(error).toBeInstanceOf(EmulatorError);
      expect((error as EmulatorError).code).toBe(40400);
    }
  });

  it('serves the cut-off over the control endpoint and validates its body', async () => {
    const post = async (body: unknown) => {
      const response = await control(emulator, 'faults/cut-off', body);
      return { status: response.status, body: (await response.json()) as Record<string, unknown> };
    };
    for (const ms of [undefined, -5, 600_001, '100', null]) {
      const bad = await post({ ms });
      expect(bad.status).toBe(400);
      expect(bad.body).toMatchObject({ error: { code: 40003, statusCode: 400 } });
    }
    expect(await post({ connectionId: 42, ms: 100 })).toMatchObject({ status: 400, body: { error: { code: 40003 } } });
    const unknown = await post({ connectionId: 'noSuchConnection', ms: 100 });
    expect(unknown.status).toBe(404);
    expect(unknown.body).toMatchObject({ error: { code: 40400, statusCode: 404 } });
    expect((unknown.body.error as { message: string }).message).toContain('noSuchConnection');

    const client = clients.realtime({ format: 'json' });
    await connectionState(client, 'connected');
    const id = client.connection.id as string;
    const back = reconnected(client);
    expect(await post({ connectionId: id, ms: 300 })).toEqual({ status: 200, body: { affected: 1 } });
    await back;
    expect(client.connection.id).toBe(id);
  });
});
