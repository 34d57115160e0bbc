import msgpack from '@ably/msgpack-js';
import { errors } from './errors.js';

/** Wire format of one connection or REST request. */
export type Format = 'json' | 'msgpack';

/** Message payload held canonically: text, raw bytes (base64 already removed), or absent. */
export type Payload = string | Buffer | undefined;

/** A message as it travels on the wire (data still encoded for its format). */
export interface WireMessage {
  id?: string;
  name?: string;
  data?: unknown;
  encoding?: string;
  clientId?: string;
  connectionId?: string;
  connectionKey?: string;
  timestamp?: number;
  extras?: unknown;
  action?: number;
  serial?: string;
  version?: WireVersion;
  [key: string]: unknown;
}

/** `Message.version` on the wire. */
export interface WireVersion {
  serial?: string;
  timestamp?: number;
  clientId?: string;
  description?: string;
  metadata?: Record<string, string>;
}

/** An Ably ProtocolMessage (one WebSocket frame). */
export interface ProtocolMessage {
  action: number;
  id?: string;
  channel?: string;
  channelSerial?: string;
  connectionId?: string;
  connectionDetails?: Record<string, unknown>;
  msgSerial?: number;
  count?: number;
  error?: { message: string; code: number; statusCode: number; href?: string };
  flags?: number;
  timestamp?: number;
  messages?: WireMessage[];
  presence?: unknown[];
  params?: Record<string, string>;
  auth?: { accessToken?: string };
  res?: Array<{ serials: Array<string | null> }>;
  [key: string]: unknown;
}

/** ProtocolMessage action numbers (Ably protocol version 6). */
export const Action = {
  HEARTBEAT: 0,
  ACK: 1,
  NACK: 2,
  CONNECT: 3,
  CONNECTED: 4,
  DISCONNECT: 5,
  DISCONNECTED: 6,
  CLOSE: 7,
  CLOSED: 8,
  ERROR: 9,
  ATTACH: 10,
  ATTACHED: 11,
  DETACH: 12,
  DETACHED: 13,
  PRESENCE: 14,
  MESSAGE: 15,
  SYNC: 16,
  AUTH: 17,
  ANNOTATION: 21,
} as const;

/** Names of actions for readable logs. */
export const actionNames: Record<number, string> = Object.fromEntries(
  Object.entries(Action).map(([name, value]) => [value, name]),
);

/** Message actions (`Message.action`). */
export const MessageAction = { CREATE: 0, UPDATE: 1, DELETE: 2, META: 3, SUMMARY: 4, APPEND: 5 } as const;

/** Encode a value in the given format: JSON text or sparse msgpack bytes. */
export function encodeFrame(value: unknown, format: Format): string | Buffer {
  return format === 'msgpack' ? msgpack.encode(value, true) : JSON.stringify(value);
}

/** Decode a frame or request body; throws 40000 when it is not a readable object. */
export function decodeFrame(raw: Buffer | string, format: Format): unknown {
  try {
    if (format === 'msgpack' && typeof raw !== 'string') return msgpack.decode(raw);
    return JSON.parse(typeof raw === 'string' ? raw : raw.toString('utf8'));
  } catch (error) {
    throw errors.badRequest(`Unreadable ${format} frame: ${(error as Error).message}`);
  }
}

/**
 * Take a wire message's data into canonical form: a trailing `base64` encoding step is decoded into
 * bytes; any other encoding steps are kept verbatim in the returned `encoding`.
 */
export function canonicalData(data: unknown, encoding: unknown): { data: Payload; encoding: string | undefined } {
  if (encoding !== undefined && encoding !== null && typeof encoding !== 'string') {
    throw errors.invalidData('Message encoding must be a string');
  }
  let enc = encoding || undefined;
  if (data === undefined || data === null) return { data: undefined, encoding: enc };
  if (typeof data === 'string') {
    if (enc && /(^|\/)base64$/.test(enc)) {
      enc = enc.replace(/\/?base64$/, '') || undefined;
      return { data: Buffer.from(data, 'base64'), encoding: enc };
    }
    return { data, encoding: enc };
  }
  if (Buffer.isBuffer(data)) return { data, encoding: enc };
  if (data instanceof Uint8Array) return { data: Buffer.from(data), encoding: enc };
  throw errors.invalidData(
    `Message data must be a string or binary (got ${typeof data}); objects are sent JSON-encoded with encoding "json"`,
  );
}

/** Put canonical data back on the wire for a format: JSON carries bytes as base64. */
export function wireData(
  data: Payload,
  encoding: string | undefined,
  format: Format,
): { data?: unknown; encoding?: string } {
  if (data === undefined) return encoding ? { encoding } : {};
  if (typeof data === 'string') return encoding ? { data, encoding } : { data };
  if (format === 'msgpack') return encoding ? { data, encoding } : { data };
  return { data: data.toString('base64'), encoding: encoding ? `${encoding}/base64` : 'base64' };
}

/** Byte size of a payload, as counted for the message size limit. */
export function payloadSize(data: Payload): number {
  if (data === undefined) return 0;
  return typeof data === 'string' ? Buffer.byteLength(data) : data.length;
}

/**
 * Join two payloads, as an append joins its data to the message's: text to text, bytes to bytes; an
 * absent payload adds nothing.
 *
 * @example
 * ```ts
 * concatPayload('Hello', ' world'); // 'Hello world'
 * ```
 */
export function concatPayload(a: Payload, b: Payload): Payload {
  if (a === undefined) return b;
  if (b === undefined) return a;
  if (typeof a === 'string' && typeof b === 'string') return a + b;
  return Buffer.concat([Buffer.from(a as Buffer), Buffer.from(b as Buffer)]);
}

/**
 * Encode a protocol message as a complete, unmasked WebSocket data frame (text for JSON, binary for
 * msgpack), so one encoding can be written to many sockets as is.
 */
export function encodeWsFrame(value: unknown, format: Format): Buffer {
  const encoded = encodeFrame(value, format);
  return wsFrame(typeof encoded === 'string' ? Buffer.from(encoded) : encoded, format === 'msgpack');
}

/** Prefix a payload with a final-fragment WebSocket frame header (RFC 6455, server to client, no mask). */
export function wsFrame(payload: Buffer, binary: boolean): Buffer {
  const length = payload.length;
  let header: Buffer;
  if (length < 126) {
    header = Buffer.allocUnsafe(2);
    header[1] = length;
  } else if (length < 65_536) {
    header = Buffer.allocUnsafe(4);
    header[1] = 126;
    header.writeUInt16BE(length, 2);
  } else {
    header = Buffer.allocUnsafe(10);
    header[1] = 127;
    header.writeUInt32BE(Math.floor(length / 2 ** 32), 2);
    header.writeUInt32BE(length >>> 0, 6);
  }
  header[0] = 0x80 | (binary ? 0x2 : 0x1);
  return Buffer.concat([header, payload]);
}
