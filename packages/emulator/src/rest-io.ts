/**
 * REST request bodies and responses: decoding a body (JSON or msgpack), answering in the format asked
 * for or in an envelope, and error responses with Ably's error headers.
 *
 * @module
 */
import { decodeFrame, encodeFrame, type Format } from './codec.js';
import { type EmulatorError, errors } from './errors.js';
import type { RestContext } from './rest.js';

const CONTENT_TYPES: Record<Format, string> = { json: 'application/json', msgpack: 'application/x-msgpack' };

/**
 * Read and decode a request body (JSON, or msgpack by Content-Type), at most 16 messages' worth.
 *
 * @throws EmulatorError 40009 for a body over the limit, 40000 for an empty (unless `optional`) or unreadable one
 * @example
 * ```ts
 * const body = await readBody(ctx); // the decoded JSON or msgpack value
 * ```
 */
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

/**
 * Answer with `body` in the request's format, or wrapped in the envelope it asked for (status and
 * headers inside the body, answered as 200).
 *
 * @example
 * ```ts
 * send(ctx, 201, { channel, messageId, serials });
 * ```
 */
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

/**
 * Answer with an error body and the `X-Ably-ErrorCode` / `X-Ably-ErrorMessage` headers; a response
 * already under way is just ended.
 *
 * @example
 * ```ts
 * sendError(ctx, errors.notFound('No such message'));
 * ```
 */
export function sendError(ctx: RestContext, error: EmulatorError): void {
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
