import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import * as Ably from 'ably';
import { type Browser, chromium } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chromiumArgs, chromiumPath } from '../../../vitest.shared.js';
import { DEFAULT_KEY, type Emulator, startEmulator } from '../src/index.js';
import { uniqueChannel } from './helpers.js';

// Two loopback origins in one Chromium: the page the emulator was told about, and a page of any other
// local dev server. Neither can read, publish or drive faults with what a page can get hold of (the
// public built-in key, a blind no-cors request); the allowed page works with a token a server signed.

const PAGE = '<!doctype html><html><head><title>page</title></head><body></body></html>';
let emulator: Emulator;
let signer: Ably.Rest;
let watcher: Ably.Realtime;
let browser: Browser;
const servers: Server[] = [];

async function pageServer(): Promise<string> {
  const server = createServer((req, res) => {
    if (req.url === '/token') {
      signer.auth.createTokenRequest({ clientId: 'viewer' }).then(
        (request) => res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(request)),
        () => res.writeHead(500).end(),
      );
    } else res.writeHead(200, { 'content-type': 'text/html' }).end(PAGE);
  });
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

let allowed: string;
let other: string;
beforeAll(async () => {
  emulator = await startEmulator({ port: 0 });
  signer = new Ably.Rest({ ...emulator.clientOptions(), logLevel: 0 });
  [allowed, other] = await Promise.all([pageServer(), pageServer()]);
  emulator.allowOrigin(allowed);
  watcher = new Ably.Realtime({ ...emulator.clientOptions({ clientId: 'watcher' }), logLevel: 0 });
  await watcher.connection.whenState('connected');
  browser = await chromium.launch({ executablePath: chromiumPath, args: chromiumArgs });
}, 30_000);

afterAll(async () => {
  watcher?.close();
  await browser?.close();
  for (const server of servers) await new Promise((resolve) => server.close(resolve));
  await emulator?.stop();
});

/** What a page of `origin` can do against the emulator with the built-in key and blind requests. */
async function attempt(origin: string, channel: string) {
  const page = await browser.newPage();
  await page.goto(origin);
  const result = await page.evaluate(
    async ({ emulator, key, channel }) => {
      const read = (url: string, init?: RequestInit) =>
        fetch(url, init).then(
          (r) => (r.ok ? r.text() : `status ${r.status}`),
          () => 'unreadable',
        );
      const blind = (path: string, body: string) =>
        fetch(`${emulator}${path}`, {
          method: 'POST',
          mode: 'no-cors',
          headers: { 'content-type': 'text/plain' },
          body,
        }).then(
          () => 'sent',
          () => 'failed',
        );
      const socket = (query: string) =>
        new Promise<string>((resolve) => {
          const ws = new WebSocket(`${emulator.replace('http', 'ws')}/?${query}&format=json&v=6`);
          ws.onmessage = (event) => {
            const frame = JSON.parse(String(event.data));
            resolve(frame.action === 4 ? 'connected' : `error ${frame.error?.code}`);
          };
          ws.onerror = () => resolve('refused');
          setTimeout(() => resolve('timeout'), 3000);
        });
      const basic = { authorization: `Basic ${btoa(key)}` };
      return {
        connections: await read(`${emulator}/_emulator/connections`),
        history: await read(`${emulator}/channels/${encodeURIComponent(channel)}/messages`, { headers: basic }),
        publish: await read(`${emulator}/channels/${encodeURIComponent(channel)}/messages`, {
          method: 'POST',
          headers: { ...basic, 'content-type': 'application/json' },
          body: JSON.stringify({ name: 'x', data: 'forged' }),
        }),
        blind: [
          await blind('/_emulator/faults/drop', '{}'),
          await blind('/_emulator/faults/pause', '{"ms":600000}'),
          await blind(`/channels/${encodeURIComponent(channel)}/messages?key=${key}`, '{"name":"x","data":"forged"}'),
        ],
        keySocket: await socket(`key=${encodeURIComponent(key)}`),
      };
    },
    { emulator: emulator.httpUrl, key: DEFAULT_KEY, channel },
  );
  await page.close();
  return result;
}

describe('pages of two loopback origins', () => {
  it('neither can read, publish or drive faults with the built-in key or blind requests', async () => {
    const channelName = uniqueChannel();
    const id = watcher.connection.id;
    let dropped = false;
    watcher.connection.on('disconnected', () => {
      dropped = true;
    });
    for (const origin of [other, allowed]) {
      const result = await attempt(origin, channelName);
      expect(result.blind).toEqual(['sent', 'sent', 'sent']);
      if (origin === other) {
        expect(result.connections).toBe('unreadable');
        expect(result.history).toBe('unreadable');
        expect(result.publish).toBe('unreadable');
        expect(result.keySocket).toBe('refused');
      } else {
        // The allowed page may read the answers, which say no: faults and the key are for programs only.
        expect(result.connections).toBe('status 403');
        expect(result.history).toBe('status 403');
        expect(result.publish).toBe('status 403');
        expect(result.keySocket).toBe('error 40300');
      }
    }
    // No fault ran (the watcher was not dropped, delivery is not paused) and nothing was published.
    const channel = watcher.channels.get(channelName);
    const echo = new Promise<string>((resolve) => channel.subscribe((m) => resolve(String(m.data))));
    await channel.publish('probe', 'still delivered');
    expect(await echo).toBe('still delivered');
    expect((await channel.history()).items.map((m) => m.data)).toEqual(['still delivered']);
    expect(dropped).toBe(false);
    expect(watcher.connection.id).toBe(id);
  });

  it('the allowed page connects and publishes with a token its server signed', async () => {
    const channelName = uniqueChannel();
    const page = await browser.newPage();
    await page.goto(allowed);
    const opened = await page.evaluate(
      async ({ emulator, channel }) => {
        const request = await (await fetch('/token')).json();
        const exchanged = await fetch(`${emulator}/keys/${request.keyName}/requestToken`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify(request),
        });
        const { token } = await exchanged.json();
        const published = await fetch(`${emulator}/channels/${encodeURIComponent(channel)}/messages`, {
          method: 'POST',
          headers: { authorization: `Bearer ${btoa(token)}`, 'content-type': 'application/json' },
          body: JSON.stringify({ name: 'x', data: 'from the allowed page' }),
        });
        return published.status;
      },
      { emulator: emulator.httpUrl, channel: channelName },
    );
    await page.close();
    expect(opened).toBe(201);
    const history = await watcher.channels.get(channelName).history();
    expect(history.items.map((m) => [m.data, m.clientId])).toEqual([['from the allowed page', 'viewer']]);
  });
});
