/**
 * The HTTP side of the emulator: one request is routed to the REST API (auth, channels, messages,
 * presence, batch), the connectivity check, or the loopback control endpoint. The endpoints themselves
 * are in the `rest-*.ts` modules.
 *
 * @module
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { baseChannelName } from './channel.js';
import type { Format } from './codec.js';
import type { EmulatorServer } from './emulator.js';
import { EmulatorError, errors, toEmulatorError } from './errors.js';
import { authenticate, optionalBasic, requireCapability } from './rest-auth.js';
import { channelDetails, getMessage, messageHistory, messageVersions, patchMessage } from './rest-channels.js';
import { controlRoute } from './rest-control.js';
import { readBody, send, sendError } from './rest-io.js';
import { batchPresence, presenceHistory, presenceMembers } from './rest-presence.js';
import { batchPublish, publishRoute } from './rest-publish.js';

/** One HTTP request being answered: the server, the request and response, and the formats asked for. */
export interface RestContext {
  server: EmulatorServer;
  req: IncomingMessage;
  res: ServerResponse;
  query: URLSearchParams;
  /** Format of the response body (from Accept). */
  format: Format;
  /** `?envelope=json|msgpack`: the response wrapped with its status and headers (for clients that cannot read them). */
  envelope: Format | undefined;
}

/**
 * Route one HTTP request: REST API, connectivity check, or the loopback control endpoint. Requests
 * from web pages whose origin is not allowed are refused before anything else.
 *
 * @example
 * ```ts
 * createServer((req, res) => void handleHttp(server, req, res));
 * ```
 */
export async function handleHttp(server: EmulatorServer, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const url = new URL(req.url ?? '/', 'http://emulator');
  const accept = String(req.headers.accept ?? '');
  const envelopeParam = url.searchParams.get('envelope');
  const ctx: RestContext = {
    server,
    req,
    res,
    query: url.searchParams,
    format: accept.includes('application/x-msgpack') ? 'msgpack' : 'json',
    envelope: envelopeParam === 'json' || envelopeParam === 'msgpack' ? envelopeParam : undefined,
  };
  server.origins.applyCors(req, res);
  const started = Date.now();
  try {
    const refusal = server.origins.refusal(req);
    if (refusal) throw refusal;
    await route(ctx, url.pathname);
  } catch (error) {
    sendError(ctx, toEmulatorError(error));
  }
  if (server.logging && !url.pathname.startsWith('/is-the-internet-up')) {
    server.log(`HTTP ${req.method} ${url.pathname}${url.search} → ${res.statusCode} (${Date.now() - started} ms)`);
  }
}

async function route(ctx: RestContext, pathname: string): Promise<void> {
  const { req, res } = ctx;
  const method = req.method ?? 'GET';
  if (method === 'OPTIONS') {
    // No page may call the control endpoint, so it never answers a preflight.
    if (pathname.startsWith('/_emulator')) {
      throw new EmulatorError(40300, 403, 'The emulator control endpoint never answers web pages (no CORS)');
    }
    ctx.server.origins.answerPreflight(res);
    return;
  }
  let segments: string[];
  try {
    segments = pathname.split('/').slice(1).map(decodeURIComponent);
  } catch {
    throw errors.badRequest(`Malformed URL path "${pathname}"`);
  }
  const [first, second, third, fourth, fifth] = segments;

  if (method === 'GET' && pathname === '/is-the-internet-up.txt') {
    res.writeHead(200, { 'content-type': 'text/plain' }).end('yes\n');
    return;
  }
  if (method === 'GET' && pathname === '/time') {
    send(ctx, 200, [Date.now()]);
    return;
  }
  if (first === '_emulator') {
    await controlRoute(ctx, method, segments.slice(1));
    return;
  }
  if (first === 'keys' && second && third === 'requestToken' && segments.length === 3 && method === 'POST') {
    const body = await readBody(ctx);
    const basic = optionalBasic(ctx);
    // A signed token request (no Basic) may come from a page; the key itself may not.
    ctx.server.admitCredentials({ kind: basic ? 'basic' : 'token', keyName: second, capability: {} }, req);
    send(ctx, 200, ctx.server.auth.requestToken(second, body, basic));
    return;
  }
  if (pathname === '/messages' && method === 'POST') return batchPublish(ctx, await authenticate(ctx));
  if (pathname === '/presence' && method === 'GET') return batchPresence(ctx, await authenticate(ctx));
  if (first === 'channels' && second !== undefined) {
    const credentials = await authenticate(ctx);
    const name = second;
    const base = baseChannelName(name);
    if (segments.length === 2 && method === 'GET') {
      requireCapability(credentials, name, 'channel-metadata', ['subscribe', 'publish', 'history']);
      send(ctx, 200, channelDetails(ctx.server, base));
      return;
    }
    if (third === 'presence' && method === 'GET') {
      if (segments.length === 3) return presenceMembers(ctx, credentials, name, base);
      if (segments.length === 4 && fourth === 'history') return presenceHistory(ctx, credentials, name, base);
    }
    if (third === 'messages') {
      if (segments.length === 3 && method === 'POST') return publishRoute(ctx, credentials, name);
      if (segments.length === 3 && method === 'GET') return messageHistory(ctx, credentials, name, base);
      if (segments.length === 4 && fourth !== undefined && method === 'GET')
        return getMessage(ctx, credentials, name, base, fourth);
      if (segments.length === 4 && fourth !== undefined && method === 'PATCH')
        return patchMessage(ctx, credentials, name, base, fourth);
      if (segments.length === 5 && fourth !== undefined && fifth === 'versions' && method === 'GET') {
        return messageVersions(ctx, credentials, name, base, fourth);
      }
    }
  }
  throw errors.notFound(`No route for ${method} ${pathname} on the emulator`);
}
