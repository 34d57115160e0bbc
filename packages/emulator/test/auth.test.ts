import { createHmac, randomUUID } from 'node:crypto';
import * as Ably from 'ably';
import { SignJWT } from 'jose';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { type Emulator, startEmulator } from '../src/index.js';
import { Clients, channelState, connectionState, formats, uniqueChannel, waitFor } from './helpers.js';

const FULL_KEY = 'app1.full:fullsecret';
const LIMITED_KEY = 'app1.limited:limitedsecret';

let emulator: Emulator;
const clients = new Clients(() => emulator);
beforeAll(async () => {
  emulator = await startEmulator({
    port: 0,
    keys: [
      FULL_KEY,
      {
        key: LIMITED_KEY,
        capability: { 'ai:*': ['subscribe', 'publish', 'history', 'message-update-own', 'message-delete-own'] },
      },
    ],
  });
});
afterEach(() => clients.closeAll());
afterAll(() => emulator.stop());

/** Token auth through an authCallback that signs token requests with `key` (what a server endpoint does). */
function tokenOptions(
  key: string,
  tokenParams: Ably.TokenParams = {},
  counter?: { calls: number },
): Partial<Ably.ClientOptions> {
  const signer = new Ably.Rest({ ...emulator.clientOptions({ key }), logLevel: 0 } as Ably.ClientOptions);
  return {
    key: undefined,
    authCallback: (_params, callback) => {
      if (counter) counter.calls += 1;
      signer.auth.createTokenRequest(tokenParams).then(
        (request) => callback(null, request),
        (error) => callback(error, null),
      );
    },
  } as Partial<Ably.ClientOptions>;
}

async function jwt(
  keyName: string,
  secret: string,
  claims: Record<string, unknown>,
  ttlSeconds = 3600,
): Promise<string> {
  // A unique jti: two JWTs with the same claims signed in the same second would otherwise be the same
  // string, and a token expired by an earlier test would stay expired for a later one.
  return new SignJWT(claims)
    .setProtectedHeader({ alg: 'HS256', typ: 'JWT', kid: keyName })
    .setJti(randomUUID())
    .setIssuedAt()
    .setExpirationTime(Math.floor(Date.now() / 1000) + ttlSeconds)
    .sign(new TextEncoder().encode(secret));
}

describe.each(formats)('auth over %s', (format) => {
  it('rejects a wrong secret with 40101 and the client fails', async () => {
    const client = clients.realtime({ format, key: 'app1.full:wrong' });
    const change = await connectionState(client, 'failed');
    expect(change.reason?.code).toBe(40101);
  });

  it('connects with signed token requests and binds the clientId', async () => {
    const client = clients.realtime({ format, ...tokenOptions(FULL_KEY, { clientId: 'agent-1' }) });
    await connectionState(client, 'connected');
    expect(client.auth.clientId).toBe('agent-1');
    const channel = client.channels.get(uniqueChannel());
    const received: Ably.InboundMessage[] = [];
    await channel.subscribe((m) => {
      received.push(m);
    });
    await channel.publish('n', 'x');
    await waitFor(() => received.length === 1);
    expect(received[0]?.clientId).toBe('agent-1');
  });

  it('connects with an Ably JWT (HS256, kid = key name) and honours its capability', async () => {
    const token = await jwt('app1.full', 'fullsecret', {
      // Wildcards replace whole segments (`ai:allowed*` would be a literal name, as on Ably).
      'x-ably-capability': JSON.stringify({ 'ai:allowed:*': ['subscribe'] }),
      'x-ably-clientId': 'reader',
    });
    const client = clients.realtime({ format, key: undefined, token } as never);
    await connectionState(client, 'connected');
    expect(client.auth.clientId).toBe('reader');
    await client.channels.get(uniqueChannel('ai:allowed:x')).attach();
    await expect(client.channels.get(uniqueChannel('ai:other')).attach()).rejects.toMatchObject({ code: 40160 });
    await expect(client.channels.get(uniqueChannel('ai:allowed-x')).attach()).rejects.toMatchObject({ code: 40160 });
    await expect(client.channels.get(uniqueChannel('ai:allowed:x')).publish('n', 'x')).rejects.toMatchObject({
      code: 40160,
      statusCode: 401,
    });
  });

  it('rejects a JWT signed with the wrong secret with 40144', async () => {
    const token = await jwt('app1.full', 'not-the-secret', {});
    const client = clients.realtime({ format, key: undefined, token } as never);
    const change = await new Promise<Ably.ConnectionStateChange>((resolve) => {
      client.connection.on((c) => {
        if (c.reason) resolve(c);
      });
    });
    expect(change.reason?.code).toBe(40144);
  });

  it('renews an expiring token: DISCONNECTED 40142, new token, same connection', async () => {
    const counter = { calls: 0 };
    const client = clients.realtime({ format, ...tokenOptions(FULL_KEY, { ttl: 600 }, counter) });
    await connectionState(client, 'connected');
    const id = client.connection.id;
    const disconnected = await connectionState(client, 'disconnected');
    expect(disconnected.reason?.code).toBe(40142);
    await connectionState(client, 'connected');
    expect(client.connection.id).toBe(id);
    expect(counter.calls).toBeGreaterThanOrEqual(2);
  });

  it('expires tokens on demand and the client renews', async () => {
    const counter = { calls: 0 };
    const client = clients.realtime({ format, ...tokenOptions(FULL_KEY, {}, counter) });
    const channel = client.channels.get(uniqueChannel());
    await channel.attach();
    const disconnected = connectionState(client, 'disconnected');
    const reattached = channelState(channel, 'attached');
    expect(emulator.faults.expireTokens()).toBeGreaterThanOrEqual(1);
    expect((await disconnected).reason?.code).toBe(40142);
    expect((await reattached).resumed).toBe(true);
    expect(counter.calls).toBe(2);
  });

  it('re-authenticates in band with AUTH and gets an update', async () => {
    const counter = { calls: 0 };
    const client = clients.realtime({ format, ...tokenOptions(FULL_KEY, { clientId: 'same' }, counter) });
    await connectionState(client, 'connected');
    const id = client.connection.id;
    const update = new Promise<Ably.ConnectionStateChange>((resolve) => client.connection.once('update', resolve));
    await client.auth.authorize();
    await update;
    expect(client.connection.id).toBe(id);
    expect(client.connection.state).toBe('connected');
    expect(counter.calls).toBe(2);
  });

  it('limits updates to message-update-own: own messages yes, others no', async () => {
    const name = uniqueChannel();
    const alice = clients.realtime({ format, ...tokenOptions(LIMITED_KEY, { clientId: 'alice' }) });
    const bob = clients.realtime({ format, ...tokenOptions(LIMITED_KEY, { clientId: 'bob' }) });
    const aliceChannel = alice.channels.get(name);
    const { serials } = await aliceChannel.publish('response', 'a');
    const serial = serials[0] as string;
    await expect(aliceChannel.appendMessage({ serial, data: 'b' })).resolves.toHaveProperty('versionSerial');
    await expect(bob.channels.get(name).appendMessage({ serial, data: 'c' })).rejects.toMatchObject({ code: 40160 });
    await expect(bob.channels.get(name).deleteMessage({ serial })).rejects.toMatchObject({ code: 40160 });
    await expect(aliceChannel.deleteMessage({ serial })).resolves.toHaveProperty('versionSerial');
    await expect(alice.channels.get(uniqueChannel('chat')).attach()).rejects.toMatchObject({ code: 40160 });
  });

  it('rejects a message clientId that differs from the connection identity with 40012', async () => {
    const client = clients.realtime({ format, clientId: 'me' });
    const channel = client.channels.get(uniqueChannel());
    await channel.attach();
    // The SDK checks this itself too; bypass it by publishing through the REST API of the same identity.
    const rest = clients.rest({ format, clientId: 'me' });
    await expect(
      rest.channels.get(channel.name).publish({ name: 'n', data: 'x', clientId: 'someone-else' }),
    ).rejects.toMatchObject({
      code: 40012,
    });
  });

  it('refuses a token request with a bad MAC, an old timestamp or a replayed nonce', async () => {
    const signer = new Ably.Rest({ ...emulator.clientOptions({ key: FULL_KEY }), logLevel: 0 } as Ably.ClientOptions);
    const request = await signer.auth.createTokenRequest({ clientId: 'x' });
    const post = (body: unknown) =>
      fetch(`${emulator.httpUrl}/keys/app1.full/requestToken`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(body),
      });
    const ok = await post(request);
    expect(ok.status).toBe(200);
    expect(await ok.json()).toMatchObject({ keyName: 'app1.full', clientId: 'x' });
    expect((await post(request)).headers.get('x-ably-errorcode')).toBe('40105');
    const timestamp = Date.now() - 10 * 60_000;
    const nonce = 'n'.repeat(16) + String(timestamp);
    const mac = createHmac('sha256', 'fullsecret').update(`app1.full\n\n\n\n${timestamp}\n${nonce}\n`).digest('base64');
    const stale = await post({ keyName: 'app1.full', timestamp, nonce, mac });
    expect(stale.status).toBe(401);
    expect(stale.headers.get('x-ably-errorcode')).toBe('40104');
    const forged = await signer.auth.createTokenRequest({});
    const bad = await post({ ...forged, mac: 'AAAA' });
    expect(bad.status).toBe(401);
    expect(bad.headers.get('x-ably-errorcode')).toBe('40101');
    expect(
      (await fetch(`${emulator.httpUrl}/keys/app1.nokey/requestToken`, { method: 'POST', body: '{}' })).status,
    ).toBe(404);
  });
});
