import { readFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import { createRequire } from 'node:module';
import type { AddressInfo } from 'node:net';
import { dirname, join } from 'node:path';
import * as Ably from 'ably';
import { type Browser, chromium, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chromiumArgs, chromiumPath } from '../../../vitest.shared.js';
import { type Emulator, startEmulator } from '../src/index.js';
import { uniqueChannel } from './helpers.js';

// The real ably browser build (UMD) in headless Chromium, talking to the emulator from another origin
// with token auth: WebSocket (JSON, HEARTBEAT frames), token requests and history over fetch + CORS.

let emulator: Emulator;
let pageServer: Server;
let browser: Browser;
let page: Page;
let signer: Ably.Rest;

const html = `<!doctype html><html><head><script src="/ably.js"></script></head><body>
<script>
  window.received = [];
  window.connect = async (options) => {
    window.client = new Ably.Realtime({
      ...options,
      authCallback: (_params, callback) => {
        fetch('/token').then((r) => r.json()).then((request) => callback(null, request), (error) => callback(error, null));
      },
    });
    await new Promise((resolve, reject) => {
      window.client.connection.once('connected', resolve);
      window.client.connection.once('failed', (change) => reject(new Error(String(change.reason))));
    });
    return window.client.connection.id;
  };
  window.subscribe = async (name) => {
    const channel = window.client.channels.get(name);
    await channel.subscribe((m) => window.received.push({ channel: name, action: m.action, data: m.data, serial: m.serial }));
  };
  window.late = [];
  window.lateJoin = async (name, options) => {
    const late = new Ably.Realtime({ ...options, authCallback: window.client.options.authCallback });
    await late.channels.get(name).subscribe((m) => window.late.push({ action: m.action, data: m.data }));
  };
  window.readHistory = async (name) => {
    const page = await window.client.channels.get(name).history({ untilAttach: true });
    return page.items.map((m) => ({ action: m.action, data: m.data, serial: m.serial }));
  };
</script></body></html>`;

beforeAll(async () => {
  emulator = await startEmulator({ port: 0 });
  signer = new Ably.Rest({ ...emulator.clientOptions(), logLevel: 0 } as Ably.ClientOptions);
  const ablyBuild = await readFile(join(dirname(createRequire(import.meta.url).resolve('ably')), 'ably.js'));
  pageServer = createServer((req, res) => {
    if (req.url === '/ably.js') {
      res.writeHead(200, { 'content-type': 'text/javascript' }).end(ablyBuild);
    } else if (req.url === '/token') {
      signer.auth.createTokenRequest({ clientId: 'browser' }).then(
        (request) => res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(request)),
        () => res.writeHead(500).end(),
      );
    } else {
      res.writeHead(200, { 'content-type': 'text/html' }).end(html);
    }
  });
  await new Promise<void>((resolve) => pageServer.listen(0, '127.0.0.1', resolve));
  emulator.allowOrigin(`http://127.0.0.1:${(pageServer.address() as AddressInfo).port}`);
  browser = await chromium.launch({ executablePath: chromiumPath, args: chromiumArgs });
  page = await browser.newPage();
  await page.goto(`http://127.0.0.1:${(pageServer.address() as AddressInfo).port}/`);
}, 30_000);

afterAll(async () => {
  await browser?.close();
  await new Promise<void>((resolve) => (pageServer ? pageServer.close(() => resolve()) : resolve()));
  await emulator?.stop();
});

describe('ably browser build in Chromium', () => {
  it('connects, receives appends, and reads history', async () => {
    const { key: _key, ...options } = emulator.clientOptions({ format: 'json' });
    const connectionId = await page.evaluate(
      (o) => (window as never as { connect(o: unknown): Promise<string> }).connect(o),
      options,
    );
    expect(emulator.connectionIds()).toContain(connectionId);

    const name = uniqueChannel('ai:browser');
    const publisher = new Ably.Realtime({
      ...emulator.clientOptions({ format: 'msgpack' }),
      transportParams: { appendRollupWindow: 0 },
      logLevel: 0,
    } as Ably.ClientOptions);
    try {
      const channel = publisher.channels.get(name);
      const before = await channel.publish({ name: 'response', data: 'Earlier answer' });
      await page.evaluate((n) => (window as never as { subscribe(n: string): Promise<void> }).subscribe(n), name);
      const { serials } = await channel.publish({ name: 'response', data: '' });
      const serial = serials[0] as string;
      for (const token of ['Hello', ', ', 'browser']) await channel.appendMessage({ serial, data: token });

      await page.waitForFunction(() => (window as never as { received: unknown[] }).received.length >= 4, undefined, {
        timeout: 10_000,
      });
      const received = await page.evaluate(() => (window as never as { received: unknown[] }).received);
      expect(received).toEqual([
        { channel: name, action: 'message.create', data: '', serial },
        { channel: name, action: 'message.append', data: 'Hello', serial },
        { channel: name, action: 'message.append', data: ', ', serial },
        { channel: name, action: 'message.append', data: 'browser', serial },
      ]);

      const history = await page.evaluate(
        (n) => (window as never as { readHistory(n: string): Promise<unknown[]> }).readHistory(n),
        name,
      );
      expect(history).toEqual([{ action: 'message.create', data: 'Earlier answer', serial: before.serials[0] }]);

      // A second client in the page joins late: its first append for the message arrives in full.
      await page.evaluate(
        ({ n, o }) => (window as never as { lateJoin(n: string, o: unknown): Promise<void> }).lateJoin(n, o),
        { n: name, o: options },
      );
      await channel.appendMessage({ serial, data: '!' });
      await page.waitForFunction(() => (window as never as { late: unknown[] }).late.length >= 1, undefined, {
        timeout: 10_000,
      });
      expect(await page.evaluate(() => (window as never as { late: unknown[] }).late)).toEqual([
        { action: 'message.update', data: 'Hello, browser!' },
      ]);
    } finally {
      publisher.close();
    }
  }, 30_000);
});
