import * as Ably from 'ably';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { type Emulator, startEmulator } from '../src/index.js';
import { Clients, connectionState, formats, rawConnection, sleep, uniqueChannel, waitFor } from './helpers.js';

let emulator: Emulator;
const clients = new Clients(() => emulator);
beforeAll(async () => {
  emulator = await startEmulator({
    port: 0,
    keys: [
      'resumable.local:local-emulator-secret',
      { key: 'resumable.nopresence:secret', capability: { '*': ['publish', 'subscribe'] } },
      { key: 'resumable.presenceonly:secret', capability: { '*': ['presence'] } },
    ],
  });
});
afterEach(() => clients.closeAll());
afterAll(() => emulator.stop());

type Event = [string, string | undefined, unknown];

/** Subscribe to every presence event of a channel as [action, clientId, data]. */
async function presenceEvents(channel: Ably.RealtimeChannel): Promise<Event[]> {
  const events: Event[] = [];
  await channel.presence.subscribe((m) => {
    events.push([m.action, m.clientId, m.data]);
  });
  return events;
}

function tokenClient(format: 'json' | 'msgpack', clientId: string | undefined): Ably.Realtime {
  const signer = new Ably.Rest({ ...emulator.clientOptions(), logLevel: 0 } as Ably.ClientOptions);
  const params: Ably.TokenParams = clientId === undefined ? {} : { clientId };
  return clients.realtime({
    format,
    key: undefined,
    authCallback: (_p: Ably.TokenParams, callback: (error: unknown, token: Ably.TokenRequest | null) => void) => {
      signer.auth.createTokenRequest(params).then(
        (request) => callback(null, request),
        (error) => callback(error, null),
      );
    },
  } as never);
}

describe.each(formats)('presence over %s', (format) => {
  it('enters, updates and leaves; subscribers see each event and get() the members', async () => {
    const name = uniqueChannel();
    const alice = clients.realtime({ format, clientId: 'alice' });
    const watcher = clients.realtime({ format });
    const events = await presenceEvents(watcher.channels.get(name));
    const channel = alice.channels.get(name);
    await channel.presence.enter({ status: 'online' });
    await waitFor(() => events.length === 1, 5000, 'enter');
    const members = await watcher.channels.get(name).presence.get();
    expect(members.map((m) => [m.clientId, m.connectionId, m.action, m.data])).toEqual([
      ['alice', alice.connection.id, 'present', { status: 'online' }],
    ]);
    await channel.presence.update('typing');
    // A leave without data carries the member's data (RTP10a).
    await channel.presence.leave();
    await waitFor(() => events.length === 3, 5000, 'update and leave');
    expect(events).toEqual([
      ['enter', 'alice', { status: 'online' }],
      ['update', 'alice', 'typing'],
      ['leave', 'alice', 'typing'],
    ]);
    expect(await watcher.channels.get(name).presence.get()).toEqual([]);
  });

  it('carries binary data and extras', async () => {
    const name = uniqueChannel();
    const alice = clients.realtime({ format, clientId: 'alice' });
    await alice.channels.get(name).presence.enter(Buffer.from([1, 2, 3]));
    const watcher = clients.realtime({ format: format === 'json' ? 'msgpack' : 'json' });
    const [member] = await watcher.channels.get(name).presence.get();
    expect(Buffer.from(member?.data as Uint8Array)).toEqual(Buffer.from([1, 2, 3]));
  });

  it('enters on behalf of clientIds with a key or a wildcard token, and refuses other identities (40012)', async () => {
    const name = uniqueChannel();
    const keyClient = clients.realtime({ format });
    const channel = keyClient.channels.get(name);
    await channel.presence.enterClient('bot-1', 'a');
    await channel.presence.enterClient('bot-2', 'b');
    const wildcard = tokenClient(format, '*');
    await wildcard.channels.get(name).presence.enterClient('carol', 'c');
    const members = await channel.presence.get();
    expect(members.map((m) => m.clientId).sort()).toEqual(['bot-1', 'bot-2', 'carol']);
    await channel.presence.leaveClient('bot-1');
    await waitFor(() => true);
    expect((await channel.presence.get({ clientId: 'bot-1' })).length).toBe(0);

    const alice = clients.realtime({ format, clientId: 'alice' });
    await expect(alice.channels.get(name).presence.enterClient('mallory', 'x')).rejects.toMatchObject({
      code: 40012,
    });
    const anonymous = tokenClient(format, undefined);
    await connectionState(anonymous, 'connected');
    await expect(anonymous.channels.get(name).presence.enterClient('mallory', 'x')).rejects.toMatchObject({
      code: 40012,
    });
  });

  it('needs the presence capability (40160) and the presence mode (40165)', async () => {
    const name = uniqueChannel();
    const noPresence = clients.realtime({ format, key: 'resumable.nopresence:secret', clientId: 'alice' });
    const denied = noPresence.channels.get(name);
    await denied.attach();
    expect(denied.modes).not.toContain('presence');
    await expect(denied.presence.enter()).rejects.toMatchObject({ code: 40160, statusCode: 401 });

    const client = clients.realtime({ format, clientId: 'bob' });
    const subscribeOnly = client.channels.get(name, { modes: ['SUBSCRIBE'] });
    await subscribeOnly.attach();
    await expect(subscribeOnly.presence.enter()).rejects.toMatchObject({ code: 40165 });
  });

  it('delivers presence only with presence_subscribe, and a connection its own members always (RTP17a)', async () => {
    const name = uniqueChannel();
    const listener = clients.realtime({ format });
    const noPresenceSubscribe = listener.channels.get(name, { modes: ['SUBSCRIBE', 'PUBLISH'] });
    const unseen = await presenceEvents(noPresenceSubscribe);
    // presence capability only: no subscribe, so no presence_subscribe, yet the own member is seen.
    const presenceOnly = clients.realtime({ format, key: 'resumable.presenceonly:secret', clientId: 'pat' });
    const own = presenceOnly.channels.get(name);
    const ownEvents = await presenceEvents(own);
    expect(own.modes).toEqual(['presence']);
    await own.presence.enter('here');
    const other = clients.realtime({ format, clientId: 'other' });
    await other.channels.get(name).presence.enter('too');
    await waitFor(() => ownEvents.length === 1, 5000, 'own enter');
    await sleep(100);
    expect(ownEvents).toEqual([['enter', 'pat', 'here']]);
    expect(unseen).toEqual([]);
    expect((await own.presence.get()).map((m) => m.clientId)).toEqual(['pat']);
  });

  it('syncs the members to a late joiner, in pages, and get() waits for the sync', async () => {
    const name = uniqueChannel();
    const host = clients.realtime({ format });
    const channel = host.channels.get(name);
    await channel.attach();
    await Promise.all(Array.from({ length: 230 }, (_, i) => channel.presence.enterClient(`member-${i}`, String(i))));
    const late = clients.realtime({ format });
    const lateChannel = late.channels.get(name);
    const members = await lateChannel.presence.get();
    expect(members.length).toBe(230);
    expect(members.find((m) => m.clientId === 'member-229')?.data).toBe('229');
    expect(lateChannel.presence.syncComplete).toBe(true);
    expect((await lateChannel.presence.get({ waitForSync: false })).length).toBe(230);
    expect((await lateChannel.presence.get({ clientId: 'member-7' })).map((m) => m.data)).toEqual(['7']);
  });

  it('sends SYNC pages with <syncId>:<cursor> serials, the last with an empty cursor', async () => {
    const name = uniqueChannel();
    const host = clients.realtime({ format });
    const channel = host.channels.get(name);
    await channel.attach();
    await Promise.all(Array.from({ length: 150 }, (_, i) => channel.presence.enterClient(`m${i}`, null)));
    const raw = await rawConnection(emulator, `key=${encodeURIComponent(emulator.key)}&format=json&v=6`);
    await raw.next(4);
    raw.send({ action: 10, channel: name });
    const attached = await raw.next(11);
    expect((attached.flags as number) & 1).toBe(1);
    const first = await raw.next(16);
    const second = await raw.next(16);
    const [syncId, cursor] = String(first.channelSerial).split(':');
    expect(cursor).not.toBe('');
    expect(second.channelSerial).toBe(`${syncId}:`);
    expect((first.presence as unknown[]).length + (second.presence as unknown[]).length).toBe(150);
    expect((first.presence as Array<{ action: number }>)[0]?.action).toBe(1);
    // A SYNC from the client asks for the set again.
    raw.send({ action: 16, channel: name });
    const again = await raw.next(16);
    expect(String(again.channelSerial).split(':')[0]).not.toBe(syncId);
    raw.close();
  });

  it('removes members when their connection closes or detaches, with a leave carrying their data', async () => {
    const name = uniqueChannel();
    const watcher = clients.realtime({ format });
    const events = await presenceEvents(watcher.channels.get(name));
    const alice = clients.realtime({ format, clientId: 'alice' });
    await alice.channels.get(name).presence.enter('bye soon');
    const bob = clients.realtime({ format, clientId: 'bob' });
    await bob.channels.get(name).presence.enter('detaching');
    await waitFor(() => events.length === 2, 5000, 'enters');
    alice.close();
    await bob.channels.get(name).detach();
    await waitFor(() => events.length === 4, 5000, 'leaves');
    expect(events.slice(2).sort()).toEqual([
      ['leave', 'alice', 'bye soon'],
      ['leave', 'bob', 'detaching'],
    ]);
    expect(await watcher.channels.get(name).presence.get()).toEqual([]);
  });

  it('keeps the members of a resumed connection, and a resumed watcher catches up by a SYNC', async () => {
    const name = uniqueChannel();
    const alice = clients.realtime({ format, clientId: 'alice' });
    await alice.channels.get(name).presence.enter('a');
    const watcher = clients.realtime({ format });
    const watching = watcher.channels.get(name);
    const events = await presenceEvents(watching);
    await waitFor(() => events.length === 1, 5000, 'present');
    emulator.faults.dropConnections(alice.connection.id as string);
    emulator.faults.cutOff(watcher.connection.id as string, 300);
    const carol = clients.realtime({ format, clientId: 'carol' });
    await carol.channels.get(name).presence.enter('c');
    await connectionState(watcher, 'connected');
    await waitFor(() => events.length === 2, 5000, 'carol after the resume');
    expect(events).toEqual([
      ['present', 'alice', 'a'],
      ['present', 'carol', 'c'],
    ]);
    expect((await watching.presence.get()).map((m) => m.clientId).sort()).toEqual(['alice', 'carol']);
  });
});

describe('presence after a lost connection', () => {
  let short: Emulator;
  const shortClients = new Clients(() => short);
  beforeAll(async () => {
    short = await startEmulator({ port: 0, connectionStateTtl: 800 });
  });
  afterEach(() => shortClients.closeAll());
  afterAll(() => short.stop());

  it.each(formats)(
    'leaves after connectionStateTtl, and the client re-enters on its new connection (%s)',
    async (format) => {
      const name = uniqueChannel();
      // A client that gave up on a held attempt waits disconnectedRetryTimeout before the next one.
      const alice = shortClients.realtime({ format, clientId: 'alice', disconnectedRetryTimeout: 300 });
      await alice.channels.get(name).presence.enter('a');
      const firstId = alice.connection.id;
      const watcher = shortClients.realtime({ format });
      const events = await presenceEvents(watcher.channels.get(name));
      await waitFor(() => events.length === 1, 5000, 'present');
      short.faults.cutOff(firstId as string, 1500);
      await waitFor(() => events.length >= 2, 5000, 'leave after the ttl');
      expect(events[1]).toEqual(['leave', 'alice', 'a']);
      // After the cut-off the resume fails (80008); the SDK re-enters its member on the new connection.
      await waitFor(() => events.length >= 3, 8000, 're-enter');
      expect(events[2]).toEqual(['enter', 'alice', 'a']);
      expect(alice.connection.id).not.toBe(firstId);
      const members = await watcher.channels.get(name).presence.get();
      expect(members.map((m) => [m.clientId, m.connectionId])).toEqual([['alice', alice.connection.id]]);
    },
  );
});

describe.each(formats)('REST presence over %s', (format) => {
  it('lists members and presence history', async () => {
    const name = uniqueChannel();
    const client = clients.realtime({ format });
    const channel = client.channels.get(name);
    await channel.attach();
    await channel.presence.enterClient('a', { n: 1 });
    await channel.presence.enterClient('b', 'two');
    await channel.presence.updateClient('a', { n: 2 });
    await channel.presence.leaveClient('b');
    const rest = clients.rest({ format });
    const members = await rest.channels.get(name).presence.get();
    expect(members.items.map((m) => [m.clientId, m.action, m.data])).toEqual([['a', 'present', { n: 2 }]]);
    const limited = await rest.channels.get(name).presence.get({ limit: 1, clientId: 'b' });
    expect(limited.items).toEqual([]);
    const history = await rest.channels.get(name).presence.history({ direction: 'forwards' });
    expect(history.items.map((m) => [m.action, m.clientId])).toEqual([
      ['enter', 'a'],
      ['enter', 'b'],
      ['update', 'a'],
      ['leave', 'b'],
    ]);
    const page = await rest.channels.get(name).presence.history({ limit: 3 });
    expect(page.items.map((m) => m.action)).toEqual(['leave', 'update', 'enter']);
    expect(page.hasNext()).toBe(true);
    const next = await page.next();
    expect(next?.items.map((m) => [m.action, m.clientId])).toEqual([['enter', 'a']]);
    const realtimeHistory = await channel.presence.history({});
    expect(realtimeHistory.items.length).toBe(4);
    // untilAttach: the events up to the attach position of a channel attached afterwards.
    const late = clients.realtime({ format }).channels.get(name);
    await late.attach();
    await channel.presence.enterClient('c', 'after');
    const untilAttach = await late.presence.history({ untilAttach: true });
    expect(untilAttach.items.map((m) => m.clientId)).toEqual(['b', 'a', 'b', 'a']);
    const status = await rest.channels.get(name).status();
    expect(status.status.occupancy.metrics).toMatchObject({ presenceMembers: 2, presenceConnections: 1 });
    // ably.d.ts types the answer as an array; the SDK returns the single BatchResult Ably sends.
    const batch = (await rest.batchPresence([name])) as unknown as Ably.BatchResult<Ably.BatchPresenceSuccessResult>;
    expect(batch.successCount).toBe(1);
    expect(batch.results[0]?.presence.map((m) => m.clientId)).toEqual(['a', 'c']);
  });

  it('needs subscribe for members and history for presence history (40160)', async () => {
    const rest = clients.rest({ format, key: 'resumable.presenceonly:secret' });
    const channel = rest.channels.get(uniqueChannel());
    await expect(channel.presence.get()).rejects.toMatchObject({ code: 40160, statusCode: 401 });
    await expect(channel.presence.history()).rejects.toMatchObject({ code: 40160, statusCode: 401 });
  });
});
