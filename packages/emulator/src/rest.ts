import { randomBytes } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Credentials } from './auth.js';
import { capabilityAllows, type Operation } from './capability.js';
import { baseChannelName } from './channel.js';
import { decodeFrame, encodeFrame, type Format, MessageAction, type WireMessage } from './codec.js';
import { admitControlRequest } from './control-auth.js';
import type { EmulatorServer } from './emulator.js';
import { EmulatorError, errors, toEmulatorError } from './errors.js';
import { toIncomingMutation } from './incoming-message.js';
import { type MessageSnapshot, snapshotToWire } from './message-snapshot.js';
import { authorizeMutation } from './mutation-capability.js';
import { batchPresence, presenceHistory, presenceMembers } from './rest-presence.js';
import { batchPublish, publishRoute } from './rest-publish.js';

const CONTENT_TYPES: Record<Format, string> = { json: 'application/json', msgpack: 'application/x-msgpack' };

export interface RestContext {
  server: EmulatorServer;
  req: IncomingMessage;
  res: ServerResponse;
  query: URLSearchParams;
  format: Format;
  envelope: Format | undefined;
}

/**
 * Route one HTTP request: REST API, connectivity check, or the loopback control endpoint. Requests
 * from web pages whose origin is not allowed are refused before anything else.
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
    await control(ctx, method, segments.slice(1));
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
      if (segments.length === 3 && method === 'GET') return history(ctx, credentials, name, base);
      if (segments.length === 4 && fourth !== undefined && method === 'GET')
        return getMessage(ctx, credentials, name, base, fourth);
      if (segments.length === 4 && fourth !== undefined && method === 'PATCH')
        return mutate(ctx, credentials, name, base, fourth);
      if (segments.length === 5 && fourth !== undefined && fifth === 'versions' && method === 'GET') {
        return versions(ctx, credentials, name, base, fourth);
      }
    }
  }
  throw errors.notFound(`No route for ${method} ${pathname} on the emulator`);
}

// ---- auth ----

function optionalBasic(ctx: RestContext): Credentials | undefined {
  const header = String(ctx.req.headers.authorization ?? '');
  if (!header.startsWith('Basic ')) return undefined;
  return ctx.server.auth.authenticateKey(Buffer.from(header.slice(6), 'base64').toString('utf8'));
}

export interface RestCredentials extends Credentials {
  /** Identified clientId for this request (not `*`). */
  identity?: string;
}

export async function authenticate(ctx: RestContext): Promise<RestCredentials> {
  const header = String(ctx.req.headers.authorization ?? '');
  let credentials: RestCredentials;
  if (header.startsWith('Basic ')) {
    credentials = ctx.server.auth.authenticateKey(Buffer.from(header.slice(6), 'base64').toString('utf8'));
  } else if (header.startsWith('Bearer ')) {
    const raw = header.slice(7).trim();
    const decoded = Buffer.from(raw, 'base64').toString('utf8');
    const token =
      Buffer.from(decoded, 'utf8').toString('base64').replace(/=+$/, '') === raw.replace(/=+$/, '') ? decoded : raw;
    credentials = await ctx.server.auth.authenticateToken(token);
  } else if (ctx.query.get('key')) {
    credentials = ctx.server.auth.authenticateKey(ctx.query.get('key') as string);
  } else if (ctx.query.get('access_token')) {
    credentials = await ctx.server.auth.authenticateToken(ctx.query.get('access_token') as string);
  } else {
    throw errors.badCredentials('No credentials: send Basic (key) or Bearer (token) authorization');
  }
  ctx.server.admitCredentials(credentials, ctx.req);
  const headerClientId = ctx.req.headers['x-ably-clientid'];
  const requested =
    typeof headerClientId === 'string' ? Buffer.from(headerClientId, 'base64').toString('utf8') : undefined;
  if (credentials.kind === 'basic') {
    if (requested !== undefined && requested !== '*') credentials.identity = requested;
  } else if (credentials.clientId !== undefined && credentials.clientId !== '*') {
    if (requested !== undefined && requested !== credentials.clientId) {
      throw errors.incompatibleCredentials(
        `clientId "${requested}" does not match the token's clientId "${credentials.clientId}"`,
      );
    }
    credentials.identity = credentials.clientId;
  } else if (credentials.clientId === '*' && requested !== undefined) {
    credentials.identity = requested;
  }
  return credentials;
}

export function requireCapability(
  credentials: Credentials,
  channel: string,
  operation: Operation,
  alternatives: Operation[] = [],
): void {
  if ([operation, ...alternatives].some((op) => capabilityAllows(credentials.capability, channel, op))) return;
  throw errors.capability(`No "${operation}" capability on channel "${channel}"`);
}

// ---- channel endpoints ----

async function mutate(
  ctx: RestContext,
  credentials: RestCredentials,
  name: string,
  base: string,
  serial: string,
): Promise<void> {
  const body = await readBody(ctx);
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    throw errors.badRequest('PATCH body must be one message object with action 1 (update), 2 (delete) or 5 (append)');
  }
  const message = body as WireMessage;
  const action = message.action;
  if (action !== MessageAction.UPDATE && action !== MessageAction.DELETE && action !== MessageAction.APPEND) {
    throw errors.badRequest(`Unsupported message action ${String(action)}: use 1 (update), 2 (delete) or 5 (append)`);
  }
  const op = toIncomingMutation(message, serial);
  const mutateCtx = {
    pmId: randomBytes(9).toString('base64url'),
    rollupWindow: 0,
    maxMessageSize: ctx.server.settings.maxMessageSize,
  } as {
    pmId: string;
    rollupWindow: number;
    maxMessageSize: number;
    clientId?: string;
  };
  if (credentials.identity !== undefined) mutateCtx.clientId = credentials.identity;
  const versionSerial = ctx.server
    .channel(base)
    .mutate(op, mutateCtx, (stored) =>
      authorizeMutation(credentials.capability, credentials.identity, name, op, stored),
    );
  send(ctx, 200, { versionSerial });
}

function getMessage(ctx: RestContext, credentials: Credentials, name: string, base: string, serial: string): void {
  requireCapability(credentials, name, 'history');
  ctx.server.channels.get(base)?.settle(serial);
  const stored = ctx.server.channels.get(base)?.messages.get(serial);
  if (!stored) throw errors.notFound(`No message with serial "${serial}" on channel "${name}"`);
  const { position: _p, versions: _v, ...snapshot } = stored;
  send(ctx, 200, snapshotToWire(snapshot, ctx.format));
}

function versions(ctx: RestContext, credentials: Credentials, name: string, base: string, serial: string): void {
  requireCapability(credentials, name, 'history');
  ctx.server.channels.get(base)?.settle(serial);
  const stored = ctx.server.channels.get(base)?.messages.get(serial);
  if (!stored) throw errors.notFound(`No message with serial "${serial}" on channel "${name}"`);
  const items = stored.versions.map((message, index) => messageItem(index, message));
  sendPage(ctx, 'versions', items, { defaultDirection: 'forwards' });
}

function history(ctx: RestContext, credentials: Credentials, name: string, base: string): void {
  requireCapability(credentials, name, 'history');
  const channel = ctx.server.channels.get(base);
  channel?.settle();
  let upTo: number | undefined;
  const fromSerial = ctx.query.get('from_serial');
  if (fromSerial !== null) {
    if (!channel) throw errors.invalidParam(`Invalid from_serial "${fromSerial}" for channel "${name}"`);
    upTo = channel.positionOf(fromSerial);
    if (upTo === undefined)
      throw errors.invalidParam(`Invalid from_serial "${fromSerial}": not an attach position of channel "${name}"`);
    if ((ctx.query.get('direction') ?? 'backwards') !== 'backwards') {
      throw errors.invalidParam('untilAttach (from_serial) needs direction=backwards');
    }
  }
  const start = numberParam(ctx.query, 'start');
  const end = numberParam(ctx.query, 'end');
  if (start !== undefined && end !== undefined && start > end) throw errors.invalidParam('start must not be after end');
  // The page cursor is the index in the channel's append-only message list (unique, unlike positions).
  const items: PageItem[] = [];
  (channel?.ordered ?? []).forEach((m, index) => {
    if (upTo !== undefined && m.position > upTo) return;
    if (start !== undefined && m.timestamp < start) return;
    if (end !== undefined && m.timestamp > end) return;
    const { position: _p, versions: _v, ...message } = m;
    items.push(messageItem(index, message));
  });
  sendPage(ctx, 'messages', items, { defaultDirection: 'backwards' });
}

function channelDetails(server: EmulatorServer, base: string): unknown {
  const channel = server.channels.get(base);
  let publishers = 0;
  let subscribers = 0;
  let presenceSubscribers = 0;
  const connections = channel?.subscribers.size ?? 0;
  for (const subscriber of channel?.subscribers ?? []) {
    const flags = (subscriber as { flags?: number }).flags ?? 0;
    if (flags & (1 << 17)) publishers += 1;
    if (flags & (1 << 18)) subscribers += 1;
    if (flags & (1 << 19)) presenceSubscribers += 1;
  }
  return {
    channelId: base,
    name: base,
    status: {
      isActive: connections > 0,
      occupancy: {
        metrics: {
          connections,
          publishers,
          subscribers,
          presenceConnections: channel?.presence.connectionCount() ?? 0,
          presenceMembers: channel?.presence.size ?? 0,
          presenceSubscribers,
          objectPublishers: 0,
          objectSubscribers: 0,
        },
      },
    },
  };
}

export function numberParam(query: URLSearchParams, name: string): number | undefined {
  const raw = query.get(name);
  if (raw === null || raw === '') return undefined;
  const value = Number(raw);
  if (!Number.isFinite(value)) throw errors.invalidParam(`Invalid ${name} "${raw}": expected a number`);
  return value;
}

/** One item of a paginated answer: its cursor key (unique, ascending in list order) and how to render it. */
export interface PageItem {
  key: number;
  render(format: Format): unknown;
}

function messageItem(key: number, message: MessageSnapshot): PageItem {
  return { key, render: (format) => snapshotToWire(message, format) };
}

/** Answer one page of `items` with Link headers (`first`, `current`, `next`) whose cursor is a query param. */
export function sendPage(
  ctx: RestContext,
  resource: string,
  items: PageItem[],
  options: { defaultDirection: 'forwards' | 'backwards'; keep?: string[] },
): void {
  const direction = ctx.query.get('direction') ?? options.defaultDirection;
  if (direction !== 'forwards' && direction !== 'backwards') {
    throw errors.invalidParam(`Invalid direction "${direction}": use forwards or backwards`);
  }
  const limit = numberParam(ctx.query, 'limit') ?? 100;
  if (!Number.isInteger(limit) || limit < 1 || limit > 1000)
    throw errors.invalidParam(`Invalid limit ${limit}: use 1 to 1000`);
  const cursor = numberParam(ctx.query, 'cursor');
  let ordered = direction === 'backwards' ? [...items].reverse() : items;
  if (cursor !== undefined)
    ordered = ordered.filter((i) => (direction === 'backwards' ? i.key <= cursor : i.key >= cursor));
  const page = ordered.slice(0, limit);
  const next = ordered[limit];
  const base: Record<string, string> = {};
  for (const param of ['start', 'end', 'from_serial', ...(options.keep ?? [])]) {
    const value = ctx.query.get(param);
    if (value !== null) base[param] = value;
  }
  base.limit = String(limit);
  base.direction = direction;
  const link = (extra: Record<string, string>, rel: string) =>
    `<./${resource}?${Object.entries({ ...base, ...extra })
      .map(([k, v]) => `${k}=${encodeURIComponent(v)}`)
      .join('&')}>; rel="${rel}"`;
  const links = [link({}, 'first'), link(cursor !== undefined ? { cursor: String(cursor) } : {}, 'current')];
  if (next) links.push(link({ cursor: String(next.key) }, 'next'));
  send(
    ctx,
    200,
    page.map((i) => i.render(ctx.envelope ?? ctx.format)),
    { Link: links.join(', ') },
  );
}

// ---- control endpoint ----

async function control(ctx: RestContext, method: string, segments: string[]): Promise<void> {
  const { server, req } = ctx;
  admitControlRequest(req, server.controlToken, server.isLoopback(req));
  if (method === 'GET' && segments[0] === 'connections') {
    send(
      ctx,
      200,
      [...server.connections.values()].map((c) => ({
        id: c.id,
        clientId: c.clientId,
        format: c.format,
        connected: c.socket !== undefined,
        channels: [...c.attachments.keys()],
      })),
    );
    return;
  }
  if (method === 'POST' && segments[0] === 'origins' && segments.length === 1) {
    const raw = await readBody(ctx);
    const origin = (raw as { origin?: unknown } | undefined)?.origin;
    if (typeof origin !== 'string') {
      throw errors.invalidParam('Body must be {"origin": "http://localhost:5173"}: the page origin to allow');
    }
    server.allowOrigin(origin);
    send(ctx, 200, { allowedOrigins: server.allowedOrigins() });
    return;
  }
  if (method !== 'POST' || segments[0] !== 'faults' || segments.length !== 2) {
    throw errors.notFound(
      'Control endpoint: GET /_emulator/connections, POST /_emulator/origins, POST /_emulator/faults/{drop|expire|cut-off|pause|delay|expire-tokens|restart}',
    );
  }
  const raw = await readBody(ctx, true);
  const body = (typeof raw === 'object' && raw !== null ? raw : {}) as {
    connectionId?: unknown;
    ms?: unknown;
    keepConnections?: unknown;
    expire?: unknown;
  };
  const connectionId = typeof body.connectionId === 'string' ? body.connectionId : undefined;
  // The faults check "ms" themselves: a number of milliseconds from 0 to 600000.
  const ms = () => body.ms as number;
  switch (segments[1]) {
    case 'drop':
      send(ctx, 200, { affected: server.faults.dropConnections(connectionId) });
      return;
    case 'expire':
      send(ctx, 200, { affected: server.faults.expireConnections(connectionId) });
      return;
    case 'cut-off':
      if (body.connectionId !== undefined && typeof body.connectionId !== 'string') {
        // Not "every connection": a malformed id must not widen the fault.
        throw errors.invalidParam('"connectionId" must be a string; leave it out to cut off every connection');
      }
      send(ctx, 200, {
        // cutOff validates ms (a number from 0 to 600000) and the connection id.
        affected: server.faults.cutOff(connectionId, body.ms as number, { expire: body.expire === true }),
      });
      return;
    case 'pause':
      server.faults.pauseDelivery(ms());
      send(ctx, 200, { ok: true });
      return;
    case 'delay':
      server.faults.delayDelivery(ms());
      send(ctx, 200, { ok: true });
      return;
    case 'expire-tokens':
      send(ctx, 200, { affected: server.faults.expireTokens() });
      return;
    case 'restart':
      send(ctx, 200, { ok: true });
      {
        // Restart once the answer is out (the restart closes this connection too).
        const restart = () =>
          setImmediate(() => {
            server
              .restart({ keepConnections: body.keepConnections === true })
              .catch((error) => server.log(`restart failed: ${(error as Error).message}`));
          });
        if (ctx.res.writableFinished) restart();
        else ctx.res.once('finish', restart);
      }
      return;
    default:
      throw errors.notFound(
        `Unknown fault "${segments[1]}": use drop, expire, cut-off, pause, delay, expire-tokens or restart`,
      );
  }
}

// ---- bodies and responses ----

export async function readBody(ctx: RestContext, optional = false): Promise<unknown> {
  const limit = ctx.server.settings.maxMessageSize * 16 + 65_536;
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of ctx.req) {
    size += (chunk as Buffer).length;
    if (size > limit) throw errors.tooLarge(`Request body exceeds ${limit} bytes`);
    chunks.push(chunk as Buffer);
  }
  const raw = Buffer.concat(chunks);
  if (raw.length === 0) {
    if (optional) return undefined;
    throw errors.badRequest('Request body is empty');
  }
  const type = String(ctx.req.headers['content-type'] ?? '');
  return decodeFrame(
    type.includes('msgpack') ? raw : raw.toString('utf8'),
    type.includes('msgpack') ? 'msgpack' : 'json',
  );
}

export function send(ctx: RestContext, status: number, body: unknown, headers: Record<string, string> = {}): void {
  const { res } = ctx;
  if (ctx.envelope) {
    const wrapped = { statusCode: status, response: body, headers: lowerKeys(headers), rel: relLinks(headers.Link) };
    const payload = encodeFrame(wrapped, ctx.envelope);
    res.writeHead(200, { 'content-type': CONTENT_TYPES[ctx.envelope] }).end(payload);
    return;
  }
  const payload = encodeFrame(body, ctx.format);
  res.writeHead(status, { ...headers, 'content-type': CONTENT_TYPES[ctx.format] }).end(payload);
}

function lowerKeys(headers: Record<string, string>): Record<string, string> {
  return Object.fromEntries(Object.entries(headers).map(([k, v]) => [k.toLowerCase(), v]));
}

function relLinks(link: string | undefined): Record<string, string> | undefined {
  if (!link) return undefined;
  const rel: Record<string, string> = {};
  for (const part of link.split(', ')) {
    const match = /^<\.\/\w+\?(.*)>; rel="(\w+)"$/.exec(part);
    if (match) rel[match[2] as string] = match[1] as string;
  }
  return rel;
}

function sendError(ctx: RestContext, error: EmulatorError): void {
  const { res } = ctx;
  if (res.headersSent) {
    res.end();
    return;
  }
  const format = ctx.envelope ?? ctx.format;
  const headerMessage = error.message.replace(/[^\x20-\x7e]/g, '?').slice(0, 500);
  res
    .writeHead(error.statusCode, {
      'content-type': CONTENT_TYPES[format],
      'X-Ably-ErrorCode': String(error.code),
      'X-Ably-ErrorMessage': headerMessage,
    })
    .end(encodeFrame({ error: error.toWire() }, format));
}
