// The hook stories' way to the local emulator. A web page may not call its control endpoint (the
// emulator refuses any request from a page) nor hold a key, so the story asks this dev server, on its
// own origin: for faults, which the server (holding the control token) passes on, and for tokens,
// which it signs with the story emulator's key. The server also tells the emulator its page origins,
// so the stories' WebSockets are let in.
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Plugin } from 'vite';
import { loopbackOrigins } from '../packages/emulator/src/index.js';
import { issueStoryToken } from './story-tokens.js';

/** Where the stories find the emulator (see packages/react/src/hooks/story-emulator.tsx). */
export const STORY_EMULATOR_PORT = 8788;
/** The environment variable that carries the story emulator's control token to this server. */
export const STORY_TOKEN_ENV = 'RESUMABLE_STORY_EMULATOR_TOKEN';
const FAULTS = new Set(['drop', 'expire']);

function control(path: string, body: unknown): Promise<Response> {
  return fetch(`http://127.0.0.1:${STORY_EMULATOR_PORT}/_emulator/${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-emulator-control-token': process.env[STORY_TOKEN_ENV] ?? '' },
    body: JSON.stringify(body),
  });
}

async function readJson(req: IncomingMessage): Promise<unknown> {
  let text = '';
  for await (const chunk of req) text += String(chunk);
  return text ? JSON.parse(text) : {};
}

// Loopback names only: a site whose name was rebound to 127.0.0.1 is same-origin with itself, not with us.
const LOOPBACK_HOST = /^(localhost|127\.0\.0\.1|\[::1\])(:\d+)?$/;

/**
 * Refuse a request for another host, from a page of another site, or with an unexpected method: 403.
 * Returns whether it did. Runs before Vite's own host check, so it makes its own.
 */
function refuseForeign(req: IncomingMessage, res: ServerResponse, method: string): boolean {
  const site = req.headers['sec-fetch-site'];
  const ownHost = LOOPBACK_HOST.test(req.headers.host ?? '');
  if (ownHost && req.method === method && (!site || site === 'same-origin')) return false;
  res.writeHead(403, { 'content-type': 'text/plain' }).end('40300 Only this Storybook page may ask\n');
  return true;
}

/**
 * A Vite plugin for Storybook and its test run: registers the dev server's page origins with the story
 * emulator, and serves `GET /__story-emulator/token?clientId=…` and
 * `POST /__story-emulator/faults/{drop|expire}` to its own pages only.
 *
 * @example
 * ```ts
 * viteConfig.plugins = [...(viteConfig.plugins ?? []), storyEmulatorBridge()];
 * ```
 */
export function storyEmulatorBridge(): Plugin {
  let registered: Promise<void> | undefined;
  return {
    name: 'resumable-story-emulator-bridge',
    configureServer(server) {
      // `storybook dev` runs Vite in middleware mode (no httpServer of its own): the port a request
      // came in on is the one its pages are served from.
      const register = (localPort: number | undefined) => {
        const port = (server.httpServer?.address() as AddressInfo | null)?.port ?? localPort;
        if (!port) return Promise.resolve();
        return Promise.all(loopbackOrigins(port).map((origin) => control('origins', { origin }))).then(
          () => undefined,
          () => undefined,
        );
      };
      server.middlewares.use((req: IncomingMessage, res: ServerResponse, next: () => void) => {
        registered ??= register(req.socket.localPort);
        const url = new URL(req.url ?? '/', 'http://storybook');
        if (url.pathname === '/__story-emulator/token') {
          if (refuseForeign(req, res, 'GET')) return;
          registered
            .then(() => issueStoryToken(url, res))
            .catch((error: Error) => res.writeHead(500, { 'content-type': 'text/plain' }).end(`${error.message}\n`));
          return;
        }
        const match = /^\/__story-emulator\/faults\/([a-z-]+)$/.exec(url.pathname);
        if (!match) {
          registered.then(next);
          return;
        }
        const json = (req.headers['content-type'] ?? '').startsWith('application/json');
        if (refuseForeign(req, res, 'POST')) return;
        if (!FAULTS.has(match[1] ?? '') || !json) {
          res.writeHead(403, { 'content-type': 'text/plain' }).end('Only this Storybook page may inject faults\n');
          return;
        }
        readJson(req)
          .then((body) => control(`faults/${match[1]}`, body))
          .then(async (answer) => {
            res.writeHead(answer.status, { 'content-type': 'application/json' }).end(await answer.text());
          })
          .catch((error: Error) => res.writeHead(502, { 'content-type': 'text/plain' }).end(`${error.message}\n`));
      });
    },
  };
}
