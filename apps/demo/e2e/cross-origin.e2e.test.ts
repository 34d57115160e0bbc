import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { DEFAULT_KEY } from '@resumable/emulator';
import * as Ably from 'ably';
import { type Browser, chromium } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chromiumArgs, chromiumPath } from '../../../vitest.shared.js';
import { type AgentServer, startAgentServer } from '../server/agent-server.js';
import { type Backend, startBackend } from '../server/backend.js';
import { ConversationRecords } from '../server/conversation-records.js';
import { openDatabase, type SqlDatabase } from '../server/database.js';

// A page of another loopback origin (any dev server a developer runs) in the same browser as the demo:
// it can neither read, publish nor drive faults, on the demo or on its emulator. The demo's own page can.

const PAGE = '<!doctype html><html><head><title>page</title></head><body></body></html>';
let backend: Backend;
let agent: AgentServer;
let other: Server;
let otherUrl: string;
let browser: Browser;
let watcher: Ably.Realtime;
let db: SqlDatabase;

beforeAll(async () => {
  backend = await startBackend({});
  db = await openDatabase();
  const serve = (_req: unknown, res: import('node:http').ServerResponse) =>
    res.writeHead(200, { 'content-type': 'text/html' }).end(PAGE);
  agent = await startAgentServer({
    ...backend,
    backend: backend.kind,
    records: await ConversationRecords.open(db),
    app: serve,
  });
  other = createServer(serve);
  await new Promise<void>((resolve) => other.listen(0, '127.0.0.1', resolve));
  otherUrl = `http://127.0.0.1:${(other.address() as AddressInfo).port}`;
  browser = await chromium.launch({ executablePath: chromiumPath, args: chromiumArgs });
  watcher = new Ably.Realtime({ ...backend.agentAblyOptions, clientId: 'watcher', logLevel: 0 });
  await watcher.connection.whenState('connected');
}, 60_000);

afterAll(async () => {
  watcher?.close();
  await browser?.close();
  await new Promise((resolve) => other?.close(resolve));
  await agent?.close();
  await backend?.stop();
  await db?.close();
});

/** Everything a hostile page tries, run in that page; returns what it could read or open. */
async function attempt(pageUrl: string, demo: string, emulator: string) {
  const page = await browser.newPage();
  await page.goto(pageUrl);
  const result = await page.evaluate(
    async ({ demo, emulator, key }) => {
      const read = (url: string) =>
        fetch(url).then(
          (r) => r.text(),
          () => 'unreadable',
        );
      const blind = (url: string, body: string) =>
        fetch(url, { method: 'POST', mode: 'no-cors', headers: { 'content-type': 'text/plain' }, body }).then(
          () => 'sent',
          () => 'failed',
        );
      const socket = (url: string) =>
        new Promise<string>((resolve) => {
          const ws = new WebSocket(url);
          ws.onopen = () => resolve('open');
          ws.onerror = () => resolve('refused');
          setTimeout(() => resolve('timeout'), 3000);
        });
      return {
        config: await read(`${demo}/api/config`),
        token: await read(`${demo}/api/token?channel=ai:victim`),
        connections: await read(`${emulator}/_emulator/connections`),
        sent: [
          await blind(
            `${demo}/api/conversations/victim/turns`,
            '{"turnId":"t1","responseId":"r1","text":"spend money"}',
          ),
          await blind(`${demo}/api/faults/drop`, '{}'),
          await blind(`${emulator}/_emulator/faults/drop`, '{}'),
          await blind(`${emulator}/_emulator/faults/pause`, '{"ms":600000}'),
          await blind(`${emulator}/channels/ai:victim/messages?key=${key}`, '{"name":"x","data":"forged"}'),
        ],
        socket: await socket(`${emulator.replace('http', 'ws')}/?key=${encodeURIComponent(key)}&format=json&v=6`),
      };
    },
    { demo, emulator, key: DEFAULT_KEY },
  );
  await page.close();
  return result;
}

describe('a page of another loopback origin', () => {
  it('cannot read, publish or drive faults on the demo or its emulator', async () => {
    const id = watcher.connection.id;
    let dropped = false;
    watcher.connection.on('disconnected', () => {
      dropped = true;
    });
    const result = await attempt(otherUrl, agent.url, backend.emulatorUrl as string);
    expect(result.config).toBe('unreadable');
    expect(result.token).toBe('unreadable');
    expect(result.connections).toBe('unreadable');
    expect(result.socket).toBe('refused');
    // The blind requests left no trace: no answer started, nobody dropped, delivery not paused, nothing published.
    const seen = (await (await fetch(`${agent.url}/api/conversations/victim`)).json()) as { inProgress: string[] };
    expect(seen.inProgress).toEqual([]);
    const channel = watcher.channels.get('ai:victim');
    const echo = new Promise<string>((resolve) => channel.subscribe((m) => resolve(String(m.data))));
    await channel.publish('probe', 'still delivered');
    expect(await echo).toBe('still delivered');
    expect((await channel.history()).items.map((m) => m.data)).toEqual(['still delivered']);
    expect(dropped).toBe(false);
    expect(watcher.connection.id).toBe(id);
  });

  it('while the demo’s own page reads its API and opens the emulator’s WebSocket', async () => {
    const page = await browser.newPage();
    await page.goto(agent.url);
    const own = await page.evaluate(async (emulator) => {
      const config = await (await fetch('/api/config')).json();
      const socket = await new Promise<string>((resolve) => {
        const ws = new WebSocket(`${emulator.replace('http', 'ws')}/?format=json&v=6`);
        ws.onopen = () => resolve('open');
        ws.onerror = () => resolve('refused');
      });
      return { backend: config.backend, socket };
    }, backend.emulatorUrl as string);
    await page.close();
    expect(own).toEqual({ backend: 'emulator', socket: 'open' });
  });
});
