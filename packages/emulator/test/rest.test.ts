import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { type Emulator, startEmulator } from '../src/index.js';
import { Clients, collect, formats, uniqueChannel, waitFor } from './helpers.js';

let emulator: Emulator;
const clients = new Clients(() => emulator);
beforeAll(async () => {
  emulator = await startEmulator({
    port: 0,
    maxMessageSize: 2048,
    namespaces: { mutable: { mutableMessages: true } },
    allowedOrigins: ['http://localhost:5173'],
  });
});
afterEach(() => clients.closeAll());
afterAll(() => emulator.stop());

const basic = () => `Basic ${Buffer.from(emulator.key).toString('base64')}`;

describe.each(formats)('REST over %s', (format) => {
  it('returns the server time', async () => {
    const before = Date.now();
    const time = await clients.rest({ format }).time();
    expect(time).toBeGreaterThanOrEqual(before - 1);
    expect(time).toBeLessThanOrEqual(Date.now() + 1);
  });

  it('publishes, returns serials, and pages history both ways with Link headers', async () => {
    const rest = clients.rest({ format });
    const channel = rest.channels.get(uniqueChannel());
    const result = await channel.publish([
      { name: 'a', data: '1' },
      { name: 'b', data: '2' },
      { name: 'c', data: Buffer.from([1, 2, 3]) },
    ]);
    expect(result.serials).toHaveLength(3);
    const backwards = await channel.history({ limit: 2 });
    expect(backwards.items.map((m) => m.name)).toEqual(['c', 'b']);
    expect(Buffer.from(backwards.items[0]?.data as ArrayBuffer)).toEqual(Buffer.from([1, 2, 3]));
    const rest2 = await backwards.next();
    expect(rest2?.items.map((m) => m.name)).toEqual(['a']);
    expect(rest2?.hasNext()).toBe(false);
    const forwards = await channel.history({ limit: 1, direction: 'forwards' });
    expect(forwards.items.map((m) => m.name)).toEqual(['a']);
    const second = await forwards.next();
    expect(second?.items.map((m) => m.name)).toEqual(['b']);
    expect(second?.hasNext()).toBe(true);
  });

  it('deduplicates publishes by message id', async () => {
    const rest = clients.rest({ format });
    const channel = rest.channels.get(uniqueChannel());
    const first = await channel.publish({ id: 'fixed-id', name: 'x', data: 'once' });
    const again = await channel.publish({ id: 'fixed-id', name: 'x', data: 'once' });
    expect(again.serials).toEqual(first.serials);
    const page = await channel.history();
    expect(page.items).toHaveLength(1);
  });

  it('updates, appends to and deletes messages over PATCH; getMessage and versions follow', async () => {
    const rest = clients.rest({ format });
    const channel = rest.channels.get(uniqueChannel('mutable:t'));
    const { serials } = await channel.publish({ name: 'response', data: 'Hel' });
    const serial = serials[0] as string;
    const appended = await channel.appendMessage({ serial, data: 'lo' }, { metadata: { status: 'complete' } });
    const latest = await channel.getMessage(serial);
    expect(latest).toMatchObject({ action: 'message.update', data: 'Hello', serial, name: 'response' });
    expect(latest.version).toMatchObject({ serial: appended.versionSerial, metadata: { status: 'complete' } });
    const updated = await channel.updateMessage({ serial, data: 'Edited' });
    expect((updated.versionSerial as string) > (appended.versionSerial as string)).toBe(true);
    await channel.deleteMessage({ serial });
    const versions = await channel.getMessageVersions(serial);
    expect(versions.items.map((m) => [m.action, m.data])).toEqual([
      ['message.create', 'Hel'],
      ['message.update', 'Edited'],
      ['message.delete', 'Edited'],
    ]);
    expect((await channel.history()).items.map((m) => m.action)).toEqual(['message.delete']);
    await expect(channel.getMessage('00000000000000-000000000@none')).rejects.toMatchObject({
      code: 40400,
      statusCode: 404,
    });
  });

  it('rejects oversized messages and appends with 40009', async () => {
    const rest = clients.rest({ format });
    const channel = rest.channels.get(uniqueChannel('mutable:t'));
    await expect(channel.publish('big', 'x'.repeat(3000))).rejects.toMatchObject({ code: 40009, statusCode: 413 });
    const { serials } = await channel.publish('response', 'x'.repeat(1500));
    await expect(channel.appendMessage({ serial: serials[0] as string, data: 'y'.repeat(1000) })).rejects.toMatchObject(
      {
        code: 40009,
      },
    );
    expect((await channel.getMessage(serials[0] as string)).data).toBe('x'.repeat(1500));
  });

  it('reports channel status with occupancy', async () => {
    const name = uniqueChannel();
    const realtime = clients.realtime({ format });
    await collect(realtime.channels.get(name));
    const status = await clients.rest({ format }).channels.get(name).status();
    expect(status.channelId).toBe(name);
    expect(status.status.isActive).toBe(true);
    expect(status.status.occupancy.metrics).toMatchObject({ connections: 1, subscribers: 1, publishers: 1 });
  });

  it('delivers REST publishes to realtime subscribers', async () => {
    const name = uniqueChannel();
    const received = await collect(clients.realtime({ format }).channels.get(name));
    await clients.rest({ format }).channels.get(name).publish('n', 'from rest');
    await waitFor(() => received.length === 1);
    expect(received[0]?.data).toBe('from rest');
  });
});

describe('HTTP details', () => {
  it('serves the connectivity check and CORS for browsers', async () => {
    const up = await fetch(`${emulator.httpUrl}/is-the-internet-up.txt`);
    expect(await up.text()).toBe('yes\n');
    const preflight = await fetch(`${emulator.httpUrl}/channels/x/messages`, {
      method: 'OPTIONS',
      headers: { origin: 'http://localhost:5173', 'access-control-request-headers': 'authorization,x-ably-version' },
    });
    expect(preflight.status).toBe(204);
    expect(preflight.headers.get('access-control-allow-origin')).toBe('http://localhost:5173');
    expect(preflight.headers.get('access-control-allow-credentials')).toBe('true');
    expect(preflight.headers.get('access-control-allow-headers')).toContain('authorization');
    const time = await fetch(`${emulator.httpUrl}/time`, { headers: { origin: 'http://localhost:5173' } });
    expect(time.headers.get('access-control-expose-headers')).toContain('X-Ably-ErrorCode');
  });

  it('refuses pages of origins it was not given, before reading credentials', async () => {
    const other = { origin: 'http://localhost:3000' };
    const preflight = await fetch(`${emulator.httpUrl}/channels/x/messages`, {
      method: 'OPTIONS',
      headers: { ...other, 'access-control-request-headers': 'authorization' },
    });
    expect(preflight.status).toBe(403);
    expect(preflight.headers.get('access-control-allow-origin')).toBeNull();
    // A "simple" cross-origin POST needs no preflight: it must be refused, not just left unreadable.
    const channel = uniqueChannel();
    const publish = await fetch(`${emulator.httpUrl}/channels/${channel}/messages?key=${emulator.key}`, {
      method: 'POST',
      headers: { ...other, 'content-type': 'text/plain' },
      body: JSON.stringify({ name: 'n', data: 'from another page' }),
    });
    expect(publish.status).toBe(403);
    expect(await publish.json()).toMatchObject({ error: { code: 40300 } });
    expect(publish.headers.get('x-ably-errormessage')).toContain('--allow-origin http://localhost:3000');
    // No Origin, but a browser says the request comes from another site (an <img>, a no-cors GET).
    const sameSite = await fetch(`${emulator.httpUrl}/time`, { headers: { 'sec-fetch-site': 'same-site' } });
    expect(sameSite.status).toBe(403);
    const history = await fetch(`${emulator.httpUrl}/channels/${channel}/messages`, {
      headers: { authorization: basic() },
    });
    expect(await history.json()).toEqual([]);
    // Origins are checked when given.
    expect(() => emulator.allowOrigin('http://localhost:3000/app')).toThrow(/no path/);
  });

  it('answers errors with the exact content type and X-Ably-ErrorCode headers', async () => {
    const noAuth = await fetch(`${emulator.httpUrl}/channels/x/messages`);
    expect(noAuth.status).toBe(401);
    expect(noAuth.headers.get('content-type')).toBe('application/json');
    expect(noAuth.headers.get('x-ably-errorcode')).toBe('40101');
    expect(noAuth.headers.get('x-ably-errormessage')).toBeTruthy();
    expect(await noAuth.json()).toMatchObject({ error: { code: 40101, statusCode: 401 } });
    const badJson = await fetch(`${emulator.httpUrl}/channels/x/messages`, {
      method: 'POST',
      headers: { authorization: basic(), 'content-type': 'application/json' },
      body: '{not json',
    });
    expect(badJson.status).toBe(400);
    expect(badJson.headers.get('x-ably-errorcode')).toBe('40000');
    const badLimit = await fetch(`${emulator.httpUrl}/channels/x/messages?limit=5000`, {
      headers: { authorization: basic() },
    });
    expect(badLimit.headers.get('x-ably-errorcode')).toBe('40003');
    const badName = await fetch(`${emulator.httpUrl}/channels/${encodeURIComponent(':x')}/messages`, {
      headers: { authorization: basic() },
    });
    expect(badName.headers.get('x-ably-errorcode')).toBe('40010');
    const msgpack = await fetch(`${emulator.httpUrl}/nowhere`, { headers: { accept: 'application/x-msgpack' } });
    expect(msgpack.status).toBe(404);
    expect(msgpack.headers.get('content-type')).toBe('application/x-msgpack');
    expect(msgpack.headers.get('x-ably-errorcode')).toBe('40400');
  });

  it('wraps responses in an envelope when asked (browsers)', async () => {
    const name = uniqueChannel();
    await clients
      .rest({ format: 'json' })
      .channels.get(name)
      .publish([
        { name: 'a', data: '1' },
        { name: 'b', data: '2' },
      ]);
    const response = await fetch(
      `${emulator.httpUrl}/channels/${encodeURIComponent(name)}/messages?limit=1&envelope=json`,
      {
        headers: { authorization: basic() },
      },
    );
    const body = (await response.json()) as { statusCode: number; response: unknown[]; headers: { link: string } };
    expect(body.statusCode).toBe(200);
    expect(body.response).toHaveLength(1);
    expect(body.headers.link).toContain('rel="next"');
  });
});
