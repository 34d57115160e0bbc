import * as Ably from 'ably';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Emulator, startEmulator } from '../src/index.js';
import { formats } from './helpers.js';

// The keys of ably-common's test app (test-resources/test-app-setup.json), which ably-js's
// rest/capability and rest/auth tests run against.
const KEY1_CAPABILITY = {
  'cansubscribe:*': ['subscribe'],
  'canpublish:*': ['publish'],
  'canpublish:andpresence': ['presence', 'publish'],
  'pushenabled:*': ['publish', 'subscribe', 'push-subscribe'],
  'pushenabled:admin:*': ['publish', 'subscribe', 'push-admin'],
};
const KEY2_CAPABILITY = {
  channel0: ['publish'],
  channel1: ['publish'],
  channel2: ['publish', 'subscribe'],
  channel3: ['subscribe'],
  channel4: ['presence', 'publish', 'subscribe'],
  channel5: ['presence'],
  channel6: ['*'],
};
const KEY1 = 'app.key1:secret1';
const KEY2 = 'app.key2:secret2';
const KEY3 = 'app.key3:secret3';

let emulator: Emulator;
beforeAll(async () => {
  emulator = await startEmulator({
    port: 0,
    keys: [
      'app.full:fullsecret',
      { key: KEY1, capability: KEY1_CAPABILITY },
      { key: KEY2, capability: KEY2_CAPABILITY },
      { key: KEY3, capability: { '*': ['subscribe'] } },
    ],
  });
});
afterAll(() => emulator.stop());

describe.each(formats)('token requests over %s', (format) => {
  const rest = () => new Ably.Rest({ ...emulator.clientOptions({ format }), logLevel: 0 } as Ably.ClientOptions);
  // The SDK sorts a capability object in place (canonical form): pass a copy.
  const request = (capability: unknown, key?: string) =>
    rest().auth.requestToken(
      { capability: structuredClone(capability) as Ably.TokenParams['capability'] },
      key === undefined ? undefined : { key },
    );
  const capabilityOf = async (promise: Promise<Ably.TokenDetails>) => JSON.parse((await promise).capability);

  it('issues the default ttl of an hour and a requested ttl; refuses a ttl above 24 h, negative or not a number (40003)', async () => {
    const token = await rest().auth.requestToken();
    expect(token.expires - token.issued).toBe(60 * 60 * 1000);
    const custom = await rest().auth.requestToken({ ttl: 100 * 1000 });
    expect(custom.expires - custom.issued).toBe(100 * 1000);
    for (const ttl of [365 * 24 * 60 * 60 * 1000, -1, 'notanumber']) {
      await expect(rest().auth.requestToken({ ttl: ttl as number })).rejects.toMatchObject({
        code: 40003,
        statusCode: 400,
      });
    }
  });

  it('intersects the requested capability with the key capability', async () => {
    expect(await capabilityOf(rest().auth.requestToken(undefined, { key: KEY1 }))).toEqual(KEY1_CAPABILITY);
    // Requested operations come back in the order requested, which the SDK sorts.
    const sorted = Object.fromEntries(Object.entries(KEY1_CAPABILITY).map(([k, ops]) => [k, [...ops].sort()]));
    expect(await capabilityOf(request(KEY1_CAPABILITY, KEY1))).toEqual(sorted);
    expect(await capabilityOf(request({ channel2: ['presence', 'subscribe'] }, KEY2))).toEqual({
      channel2: ['subscribe'],
    });
    expect(
      await capabilityOf(request({ channel2: ['presence', 'subscribe'], channelx: ['presence', 'subscribe'] }, KEY2)),
    ).toEqual({ channel2: ['subscribe'] });
    // A wildcard operation list takes the key's operations; a wildcard key keeps the requested ones.
    expect(await capabilityOf(request({ channel2: ['*'] }, KEY2))).toEqual({ channel2: ['publish', 'subscribe'] });
    expect(await capabilityOf(request({ channel6: ['publish', 'subscribe'] }, KEY2))).toEqual({
      channel6: ['publish', 'subscribe'],
    });
    expect(await capabilityOf(request({ cansubscribe: ['subscribe'] }, KEY3))).toEqual({ cansubscribe: ['subscribe'] });
    expect(await capabilityOf(request({ 'canpublish:check': ['publish'] }, KEY1))).toEqual({
      'canpublish:check': ['publish'],
    });
    expect(await capabilityOf(request({ 'cansubscribe:*': ['subscribe'] }, KEY3))).toEqual({
      'cansubscribe:*': ['subscribe'],
    });
    // A requested resource wider than the key's resource narrows to the key's.
    expect(await capabilityOf(request({ '*': ['subscribe'] }, KEY1))).toEqual({
      'cansubscribe:*': ['subscribe'],
      'pushenabled:*': ['subscribe'],
      'pushenabled:admin:*': ['subscribe'],
    });
  });

  it('refuses an empty intersection with 40160 (401)', async () => {
    await expect(request({ 'canpublish:test': ['subscribe'] }, KEY1)).rejects.toMatchObject({
      code: 40160,
      statusCode: 401,
    });
    await expect(request({ channelx: ['publish'] }, KEY2)).rejects.toMatchObject({ code: 40160, statusCode: 401 });
  });

  it('refuses invalid capabilities with 40000 (400)', async () => {
    for (const capability of [{ channel0: ['publish_'] }, { channel0: ['*', 'publish'] }, { channel0: [] }]) {
      await expect(request(capability)).rejects.toMatchObject({ code: 40000, statusCode: 400 });
    }
  });

  it('matches wildcards on whole segments only', async () => {
    const token = await request({ 'ai:*': ['publish'] });
    const client = new Ably.Rest({
      ...emulator.clientOptions({ format }),
      key: undefined,
      token,
      logLevel: 0,
    } as never);
    await client.channels.get('ai:chat:1').publish('m', 'x');
    await expect(client.channels.get('aix').publish('m', 'x')).rejects.toMatchObject({ code: 40160 });
    const literal = await request({ 'ai:chat*': ['publish'] });
    const literalClient = new Ably.Rest({
      ...emulator.clientOptions({ format }),
      key: undefined,
      token: literal,
      logLevel: 0,
    } as never);
    await expect(literalClient.channels.get('ai:chatroom').publish('m', 'x')).rejects.toMatchObject({ code: 40160 });
  });
});

describe('key configuration', () => {
  it('refuses an invalid key capability when the emulator starts', async () => {
    await expect(
      startEmulator({ port: 0, keys: [{ key: 'a.b:c', capability: { x: ['publsh'] } }] }),
    ).rejects.toMatchObject({
      code: 40000,
    });
  });
});
