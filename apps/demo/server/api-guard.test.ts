import { request } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { allowedHosts } from './api-guard.js';
import { startTestServer, type TestServer } from './test-server.js';

// Every /api route answers only the demo's own pages: a Host it does not know (DNS rebinding), an
// Origin or Sec-Fetch-Site of another site, or a body that is not JSON is refused before anything runs.

let t: TestServer;
beforeAll(async () => {
  t = await startTestServer();
});
afterAll(() => t.close());

/** A raw request, so the Host header is ours to choose (fetch always sends the URL's). */
function send(path: string, headers: Record<string, string>, method = 'GET', body?: string) {
  const { port } = new URL(t.server.url);
  return new Promise<{ status: number; body: Record<string, unknown> }>((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path, method, headers }, (res) => {
      let text = '';
      res.on('data', (chunk) => {
        text += chunk;
      });
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: text ? JSON.parse(text) : {} }));
    });
    req.on('error', reject);
    req.end(body);
  });
}

describe('the demo API guard', () => {
  const own = () => new URL(t.server.url).host;

  it('answers a request for its own host, from its own page or from a program', async () => {
    expect((await send('/api/config', { host: own() })).status).toBe(200);
    const fromPage = await send('/api/config', {
      host: own(),
      origin: `http://${own()}`,
      'sec-fetch-site': 'same-origin',
    });
    expect(fromPage.status).toBe(200);
  });

  it('refuses a Host it does not serve, on the API and the app alike (DNS rebinding)', async () => {
    const { port } = new URL(t.server.url);
    for (const path of ['/api/config', '/api/token?channel=ai:c1', '/']) {
      const answer = await send(path, { host: `rebound.example:${port}` });
      expect(answer.status).toBe(403);
      expect(answer.body).toMatchObject({ code: 40300, message: expect.stringContaining('rebound.example') });
      expect(answer.body.hint).toEqual(expect.stringContaining('Open the demo through'));
    }
  });

  it('refuses another Origin and a cross-site Sec-Fetch-Site on every route', async () => {
    const pages: Array<Record<string, string>> = [
      { origin: 'http://127.0.0.1:1' },
      { origin: `https://${own()}` },
      { 'sec-fetch-site': 'same-site' },
      { 'sec-fetch-site': 'cross-site' },
    ];
    for (const page of pages) {
      for (const [method, path] of [
        ['GET', '/api/config'],
        ['POST', '/api/faults/drop'],
        ['POST', '/api/conversations/victim/turns'],
      ] as const) {
        const headers = { host: own(), 'content-type': 'application/json', ...page };
        const answer = await send(path, headers, method, method === 'POST' ? '{}' : undefined);
        expect(answer.status).toBe(403);
        expect(answer.body).toMatchObject({ code: 40300, hint: expect.stringContaining('other pages cannot call it') });
      }
    }
  });

  it('reads bodies only as JSON: a text/plain turn starts nothing', async () => {
    const body = JSON.stringify({ turnId: 't1', responseId: 'r1', text: 'spend money' });
    for (const type of ['text/plain', 'application/x-www-form-urlencoded', 'multipart/form-data; boundary=x', '']) {
      const headers: Record<string, string> = { host: own() };
      if (type) headers['content-type'] = type;
      const answer = await send('/api/conversations/guarded/turns', headers, 'POST', body);
      expect(answer.status).toBe(415);
      expect(answer.body).toMatchObject({ code: 41500, hint: expect.stringContaining('application/json') });
    }
    const seen = (await (await t.api('/api/conversations/guarded')).json()) as { inProgress: unknown[] };
    expect(seen.inProgress).toEqual([]);
  });

  it('lists loopback names and a configured host, never a wildcard address', () => {
    expect(allowedHosts(5173)).toEqual(['127.0.0.1:5173', 'localhost:5173', '[::1]:5173']);
    expect(allowedHosts(5173, '0.0.0.0')).toEqual(['127.0.0.1:5173', 'localhost:5173', '[::1]:5173']);
    expect(allowedHosts(80, 'demo.lan')).toContain('demo.lan:80');
  });
});
