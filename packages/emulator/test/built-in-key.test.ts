import * as Ably from 'ably';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_KEY, type Emulator, startEmulator } from '../src/index.js';
import { rawConnection, uniqueChannel } from './helpers.js';

// The built-in key is public, so no web page may use it, not even one of an allowed origin: pages get
// tokens that a program signed with the key. Programs on this machine keep using the key itself.

const PAGE = 'http://localhost:6006';
let emulator: Emulator;
let signer: Ably.Rest;
beforeAll(async () => {
  emulator = await startEmulator({ port: 0, allowedOrigins: [PAGE] });
  signer = new Ably.Rest({ ...emulator.clientOptions(), logLevel: 0 });
});
afterAll(() => emulator.stop());

const basic = `Basic ${Buffer.from(DEFAULT_KEY).toString('base64')}`;
const query = (credentials: string) => `${credentials}&format=json&v=6`;

describe('the built-in key', () => {
  it('is refused on a WebSocket from a page of an allowed origin, with the fix in the message', async () => {
    const pages: Array<Record<string, string>> = [{ origin: PAGE }, { 'sec-fetch-site': 'same-site' }];
    for (const headers of pages) {
      const raw = await rawConnection(emulator, query(`key=${encodeURIComponent(DEFAULT_KEY)}`), {
        origin: PAGE,
        ...headers,
      });
      const error = (await raw.next(9)).error as { code: number; message: string };
      expect(error.code).toBe(40300);
      expect(error.message).toContain('refused from web pages');
      expect(error.message).toContain('authUrl');
      raw.close();
    }
  });

  it('is refused over REST from a page: Basic, the key= parameter and a token request with Basic', async () => {
    const channel = encodeURIComponent(uniqueChannel());
    const attempts = [
      fetch(`${emulator.httpUrl}/channels/${channel}/messages`, { headers: { origin: PAGE, authorization: basic } }),
      fetch(`${emulator.httpUrl}/channels/${channel}/messages?key=${encodeURIComponent(DEFAULT_KEY)}`, {
        method: 'POST',
        headers: { origin: PAGE, 'content-type': 'application/json' },
        body: JSON.stringify({ name: 'x', data: 'forged' }),
      }),
      fetch(`${emulator.httpUrl}/keys/resumable.local/requestToken`, {
        method: 'POST',
        headers: { origin: PAGE, authorization: basic, 'content-type': 'application/json' },
        body: JSON.stringify({ keyName: 'resumable.local', clientId: 'mallory' }),
      }),
    ];
    for (const answer of await Promise.all(attempts)) {
      expect(answer.status).toBe(403);
      expect(answer.headers.get('x-ably-errorcode')).toBe('40300');
    }
    const history = await signer.channels.get(decodeURIComponent(channel)).history();
    expect(history.items).toEqual([]);
  });

  it('signs tokens that a page may use: a token request from a server, exchanged and used by the page', async () => {
    const channelName = uniqueChannel();
    const request = await signer.auth.createTokenRequest({ clientId: 'viewer' });
    const exchanged = await fetch(`${emulator.httpUrl}/keys/${request.keyName}/requestToken`, {
      method: 'POST',
      headers: { origin: PAGE, 'content-type': 'application/json' },
      body: JSON.stringify(request),
    });
    expect(exchanged.status).toBe(200);
    const { token } = (await exchanged.json()) as { token: string };
    const raw = await rawConnection(emulator, query(`access_token=${encodeURIComponent(token)}`), { origin: PAGE });
    expect(((await raw.next(4)).connectionDetails as { clientId: string }).clientId).toBe('viewer');
    raw.close();
    const published = await fetch(`${emulator.httpUrl}/channels/${encodeURIComponent(channelName)}/messages`, {
      method: 'POST',
      headers: { origin: PAGE, authorization: `Bearer ${btoa(token)}`, 'content-type': 'application/json' },
      body: JSON.stringify({ name: 'x', data: 'from the page' }),
    });
    expect(published.status).toBe(201);
  });

  it('still works for programs on this machine', async () => {
    const raw = await rawConnection(emulator, query(`key=${encodeURIComponent(DEFAULT_KEY)}`));
    expect((await raw.next(4)).connectionId).toEqual(expect.any(String));
    raw.close();
    expect((await fetch(`${emulator.httpUrl}/channels/x/messages`, { headers: { authorization: basic } })).status).toBe(
      200,
    );
  });
});
