import { randomUUID } from 'node:crypto';
import * as Ably from 'ably';
import { SignJWT } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Emulator, EmulatorError, startEmulator } from '../src/index.js';
import { control, rawConnection, uniqueChannel, waitFor } from './helpers.js';

// What only the emulator's own users may do: drive faults, act under an identity, stay connected.

const KEY = 'app1.sec:secsecret';
let emulator: Emulator;
beforeAll(async () => {
  emulator = await startEmulator({ port: 0, keys: [KEY] });
});
afterAll(() => emulator.stop());

const basic = () => `Basic ${Buffer.from(KEY).toString('base64')}`;

/** A token issued by the emulator for `params` (capability as JSON, optional clientId). */
async function token(params: { capability: Record<string, string[]>; clientId?: string }): Promise<string> {
  const res = await fetch(`${emulator.httpUrl}/keys/app1.sec/requestToken`, {
    method: 'POST',
    headers: { authorization: basic(), 'content-type': 'application/json' },
    body: JSON.stringify({ ...params, capability: JSON.stringify(params.capability) }),
  });
  return ((await res.json()) as { token: string }).token;
}

async function publishOne(channel: string): Promise<string> {
  const res = await fetch(`${emulator.httpUrl}/channels/${encodeURIComponent(channel)}/messages`, {
    method: 'POST',
    headers: { authorization: basic(), 'content-type': 'application/json', 'x-ably-clientid': btoa('alice') },
    body: JSON.stringify({ name: 'response', data: 'alice wrote this' }),
  });
  return ((await res.json()) as { serials: string[] }).serials[0] as string;
}

describe('control endpoint', () => {
  const url = () => `${emulator.httpUrl}/_emulator/faults/drop`;
  const json = { 'content-type': 'application/json' };

  it('needs the control token, JSON, and no sign of a web page', async () => {
    const noToken = await fetch(url(), { method: 'POST', headers: json, body: '{}' });
    expect(noToken.status).toBe(401);
    expect(await noToken.json()).toMatchObject({ error: { code: 40101 } });
    const token = { 'x-emulator-control-token': emulator.controlToken };
    const wrong = await fetch(url(), {
      method: 'POST',
      headers: { ...json, 'x-emulator-control-token': 'x'.repeat(32) },
    });
    expect(wrong.status).toBe(401);
    const pages: Array<Record<string, string>> = [
      { origin: emulator.httpUrl },
      { 'sec-fetch-site': 'same-site' },
      { 'sec-fetch-site': 'cross-site' },
    ];
    for (const page of pages) {
      const fromPage = await fetch(url(), { method: 'POST', headers: { ...json, ...token, ...page }, body: '{}' });
      expect(fromPage.status).toBe(403);
      expect(await fromPage.json()).toMatchObject({ error: { code: 40300 } });
    }
    const plain = await fetch(url(), {
      method: 'POST',
      headers: { ...token, 'content-type': 'text/plain' },
      body: '{}',
    });
    expect(plain.status).toBe(415);
    expect(await plain.json()).toMatchObject({ error: { code: 41500 } });
    const preflight = await fetch(url(), { method: 'OPTIONS', headers: { origin: 'http://localhost:5173' } });
    expect(preflight.status).toBe(403);
    expect(preflight.headers.get('access-control-allow-origin')).toBeNull();
    const listed = await fetch(`${emulator.httpUrl}/_emulator/connections`);
    expect(listed.status).toBe(401);
    expect((await control(emulator, 'faults/drop', {})).status).toBe(200);
  });

  it('allows a page origin over the control endpoint, checking it', async () => {
    expect(await (await control(emulator, 'origins', { origin: 'http://localhost:6006' })).json()).toEqual({
      allowedOrigins: ['http://localhost:6006'],
    });
    expect(await (await control(emulator, 'origins', { origin: 'javascript:alert(1)' })).json()).toMatchObject({
      error: { code: 40003 },
    });
  });

  it('takes a chosen control token, and refuses a weak one', async () => {
    await expect(startEmulator({ port: 0, controlToken: 'short' })).rejects.toThrow(/at least 16 characters/);
  });
});

describe('fault durations', () => {
  it('bounds ms for every fault, with a code and the range', async () => {
    for (const fault of ['pause', 'delay', 'cut-off']) {
      const res = await control(emulator, `faults/${fault}`, { ms: 1e12 });
      expect(res.status).toBe(400);
      const { error } = (await res.json()) as { error: { code: number; message: string } };
      expect(error.code).toBe(40003);
      expect(error.message).toContain('from 0 to 600000');
    }
    expect(() => emulator.faults.pauseDelivery(1e12)).toThrow(EmulatorError);
    expect(() => emulator.faults.delayDelivery(-1)).toThrow(EmulatorError);
    expect(() => emulator.faults.pauseDelivery(Number.NaN)).toThrow(/from 0 to 600000/);
  });

  it('ends a pause early with pause 0: held frames go out at once', async () => {
    const raw = await rawConnection(emulator, `key=${encodeURIComponent(KEY)}&format=json&v=6`);
    await raw.next(4);
    emulator.faults.pauseDelivery(600_000);
    raw.send({ action: 0, id: 'during-pause' });
    await expect(raw.next(0, 200)).rejects.toThrow(/Timed out/);
    emulator.faults.pauseDelivery(0);
    expect(await raw.next(0, 2000)).toMatchObject({ id: 'during-pause' });
    raw.close();
  });
});

describe('identity', () => {
  it('takes version.clientId from the authenticated identity, never from the message', async () => {
    const channel = uniqueChannel();
    const serial = await publishOne(channel);
    const anyone = await token({ capability: { '*': ['*'] } });
    const patch = (bearer: string, body: unknown) =>
      fetch(`${emulator.httpUrl}/channels/${encodeURIComponent(channel)}/messages/${encodeURIComponent(serial)}`, {
        method: 'PATCH',
        headers: { authorization: `Bearer ${btoa(bearer)}`, 'content-type': 'application/json' },
        body: JSON.stringify(body),
      });
    const forged = await patch(anyone, { action: 1, data: 'edited', version: { clientId: 'alice' } });
    expect(forged.status).toBe(400);
    expect(await forged.json()).toMatchObject({ error: { code: 40012 } });
    const unsigned = await patch(anyone, { action: 1, data: 'edited without a name' });
    expect(unsigned.status).toBe(200);
    const bob = await token({ capability: { '*': ['*'] }, clientId: 'bob' });
    expect((await patch(bob, { action: 1, data: 'bob edits', version: { clientId: 'alice' } })).status).toBe(400);
    expect((await patch(bob, { action: 1, data: 'bob edits' })).status).toBe(200);
    const res = await fetch(
      `${emulator.httpUrl}/channels/${encodeURIComponent(channel)}/messages/${encodeURIComponent(serial)}/versions`,
      { headers: { authorization: basic() } },
    );
    const versions = (await res.json()) as Array<{ data: string; version: { clientId?: string } }>;
    expect(versions.map((v) => [v.data, v.version.clientId])).toEqual(
      expect.arrayContaining([
        ['edited without a name', undefined],
        ['bob edits', 'bob'],
      ]),
    );
    expect(versions.some((v) => v.version.clientId === 'alice' && v.data !== 'alice wrote this')).toBe(false);
  });

  it('takes version.clientId from the identity over realtime too: a forged edit is refused, not delivered', async () => {
    const channelName = uniqueChannel();
    const serial = await publishOne(channelName);
    const anyone = new Ably.Realtime({
      ...emulator.clientOptions(),
      key: undefined,
      token: await token({ capability: { '*': ['*'] } }),
      logLevel: 0,
    });
    const watcher = new Ably.Realtime({ ...emulator.clientOptions({ key: KEY, clientId: 'watcher' }), logLevel: 0 });
    try {
      const seen: Array<string | undefined> = [];
      await watcher.channels.get(channelName).subscribe((m) => {
        if (m.action === 'message.update') seen.push(m.version?.clientId);
      });
      const channel = anyone.channels.get(channelName);
      await expect(channel.updateMessage({ serial, data: 'forged' }, { clientId: 'alice' })).rejects.toMatchObject({
        code: 40012,
      });
      await channel.updateMessage({ serial, data: 'edited without a name' });
      await waitFor(() => seen.length > 0, 5000, 'the honest edit');
      expect(seen).toEqual([undefined]);
    } finally {
      anyone.close();
      watcher.close();
    }
  });

  it('refuses a JWT without exp', async () => {
    const [keyName, secret] = KEY.split(':') as [string, string];
    const noExp = await new SignJWT({ 'x-ably-clientId': 'alice' })
      .setProtectedHeader({ alg: 'HS256', typ: 'JWT', kid: keyName })
      .setJti(randomUUID())
      .setIssuedAt()
      .sign(new TextEncoder().encode(secret));
    const raw = await rawConnection(emulator, `access_token=${noExp}&format=json&v=6`);
    const error = (await raw.next(9)).error as { code: number; message: string };
    expect(error.code).toBe(40144);
    expect(error.message).toContain('"exp"');
  });

  it('keeps the clientId rules through in-band AUTH', async () => {
    const alice = await token({ capability: { '*': ['*'] }, clientId: 'alice' });
    const cases: Array<[string | undefined, string | undefined]> = [
      ['alice', undefined], // an unidentified token cannot take over alice's connection
      ['alice', 'mallory'],
      [undefined, 'mallory'], // nor can an unidentified connection become someone
    ];
    for (const [from, to] of cases) {
      const first = from === undefined ? await token({ capability: { '*': ['*'] } }) : alice;
      const raw = await rawConnection(emulator, `access_token=${first}&format=json&v=6`);
      await raw.next(4);
      const next = await token({ capability: { '*': ['*'] }, ...(to === undefined ? {} : { clientId: to }) });
      raw.send({ action: 17, auth: { accessToken: next } });
      expect(((await raw.next(9)).error as { code: number }).code).toBe(40102);
      raw.close();
    }
    const raw = await rawConnection(emulator, `access_token=${alice}&format=json&v=6`);
    await raw.next(4);
    raw.send({ action: 17, auth: { accessToken: await token({ capability: { '*': ['*'] }, clientId: 'alice' }) } });
    expect(((await raw.next(4)).connectionDetails as { clientId: string }).clientId).toBe('alice');
    raw.close();
  });

  it('holds nothing before it is authenticated: a resume without credentials is refused at once', async () => {
    const first = await rawConnection(emulator, `key=${encodeURIComponent(KEY)}&clientId=alice&format=json&v=6`);
    const connected = await first.next(4);
    const key = (connected.connectionDetails as { connectionKey: string }).connectionKey;
    emulator.faults.cutOff(connected.connectionId as string, 60_000);
    await waitFor(() => first.closed, 5000, 'the transport to drop');
    const started = Date.now();
    const anonymous = await rawConnection(emulator, `format=json&v=6&resume=${encodeURIComponent(key)}`);
    expect(((await anonymous.next(9, 2000)).error as { code: number }).code).toBe(40101);
    // Someone else's valid credentials are not held either: a new connection, told the resume failed.
    const other = await rawConnection(
      emulator,
      `key=${encodeURIComponent(KEY)}&clientId=bob&format=json&v=6&resume=${encodeURIComponent(key)}`,
    );
    const answer = await other.next(4, 2000);
    expect(answer.connectionId).not.toBe(connected.connectionId);
    expect((answer.error as { code: number }).code).toBe(80011);
    expect(Date.now() - started).toBeLessThan(5000);
    other.close();
    emulator.faults.cutOff(connected.connectionId as string, 0, { expire: true });
  });
});
