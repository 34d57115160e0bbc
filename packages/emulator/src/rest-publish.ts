import { randomBytes } from 'node:crypto';
import type { PublishContext } from './channel.js';
import type { WireMessage } from './codec.js';
import { EmulatorError, errors, toEmulatorError } from './errors.js';
import { toIncomingMessage } from './incoming-message.js';
import { parseChannelName } from './qualifier.js';
import type { RestContext } from './rest.js';
import { type RestCredentials, requireCapability } from './rest-auth.js';
import { readBody, send } from './rest-io.js';

/** What one REST publish to one channel returns. */
interface PublishResult {
  channel: string;
  messageId: string;
  serials: Array<string | null>;
}

/**
 * Publish a list of wire messages to one channel for a REST request: capability, clientId rules, and
 * `connectionKey` (publishing on behalf of a realtime connection: the messages get its connectionId,
 * and its echo setting applies).
 *
 * @throws EmulatorError 40160 without publish, 40012 for a clientId the request may not use, 40006 for
 *   an unknown connectionKey, 40010 for an invalid channel name
 */
export function publishMessages(
  ctx: RestContext,
  credentials: RestCredentials,
  name: string,
  list: unknown[],
  options: { objectData?: boolean } = {},
): PublishResult {
  const parsed = parseChannelName(name);
  if (parsed.filter !== undefined) {
    throw errors.badRequest(
      `Cannot publish on a channel with a subscription filter (as on Ably): publish on "${parsed.base}"`,
    );
  }
  requireCapability(credentials, name, 'publish');
  if (list.length === 0) throw errors.badRequest('Publish needs at least one message');
  const keys = new Set<string>();
  const incoming = list.map((m) => {
    if (typeof m !== 'object' || m === null || Array.isArray(m)) {
      throw errors.badRequest('Each message must be an object');
    }
    const wire = { ...(m as WireMessage) };
    if (options.objectData && isJsonValue(wire.data) && wire.encoding === undefined) {
      // The batch API takes data as given; objects and arrays travel as JSON, as Ably stores them.
      wire.data = JSON.stringify(wire.data);
      wire.encoding = 'json';
    }
    if (typeof wire.connectionKey === 'string' && wire.connectionKey !== '') keys.add(wire.connectionKey);
    const message = toIncomingMessage(wire);
    if (message.clientId === '*') throw errors.invalidClientId('A message clientId cannot be "*"');
    if (
      credentials.identity !== undefined &&
      message.clientId !== undefined &&
      message.clientId !== credentials.identity
    ) {
      throw errors.invalidClientId(
        `Message clientId "${message.clientId}" does not match the request's clientId "${credentials.identity}"`,
      );
    }
    if (message.clientId !== undefined && credentials.kind !== 'basic' && credentials.clientId === undefined) {
      throw errors.invalidClientId(`An unidentified token cannot publish as clientId "${message.clientId}"`);
    }
    return message;
  });
  const pmId = randomBytes(9).toString('base64url');
  const publishCtx: PublishContext = { pmId, rollupWindow: 0, maxMessageSize: ctx.server.settings.maxMessageSize };
  if (credentials.identity !== undefined) publishCtx.clientId = credentials.identity;
  if (keys.size > 1) {
    throw new EmulatorError(40006, 400, 'Malformed message; the messages of one publish name different connectionKeys');
  }
  const [key] = keys;
  if (key !== undefined) {
    const connection = ctx.server.connectionForKey(key);
    if (!connection || connection.credentials.keyName.split('.')[0] !== credentials.keyName.split('.')[0]) {
      throw new EmulatorError(
        40006,
        400,
        'Malformed message; invalid connectionKey: use the current connection.key of a live realtime connection of this app',
      );
    }
    const owner = connection.clientId;
    if (owner !== undefined && owner !== '*') {
      for (const message of incoming) {
        const clientId = message.clientId ?? publishCtx.clientId;
        if (clientId !== owner) {
          throw errors.invalidClientId(
            `The connection of this connectionKey is identified as "${owner}": publish on its behalf with clientId "${owner}" (got ${clientId === undefined ? 'none' : `"${clientId}"`})`,
          );
        }
      }
    }
    publishCtx.connectionId = connection.id;
  }
  const serials = ctx.server.channel(parsed.base).publish(incoming, publishCtx);
  return { channel: name, messageId: pmId, serials };
}

function isJsonValue(data: unknown): boolean {
  return typeof data === 'object' && data !== null && !Buffer.isBuffer(data) && !(data instanceof Uint8Array);
}

/** `POST /channels/:name/messages` → 201 `{channel, messageId, serials}`. */
export async function publishRoute(ctx: RestContext, credentials: RestCredentials, name: string): Promise<void> {
  const body = await readBody(ctx);
  send(ctx, 201, publishMessages(ctx, credentials, name, Array.isArray(body) ? body : [body]));
}

/**
 * `POST /messages` (batch publish, RSC22): a spec `{channels, messages}` or an array of them; each
 * channel is published to separately. Answers 201 with one `{successCount, failureCount, results}` per
 * spec, each result `{channel, messageId, serials}` or `{channel, error}`.
 */
export async function batchPublish(ctx: RestContext, credentials: RestCredentials): Promise<void> {
  const body = await readBody(ctx);
  const specs = Array.isArray(body) ? body : [body];
  if (specs.length === 0) throw errors.badRequest('Batch publish needs at least one {channels, messages} spec');
  const checked = specs.map((spec, index) => {
    const s = spec as { channels?: unknown; messages?: unknown } | null;
    const channels = typeof s?.channels === 'string' ? [s.channels] : s?.channels;
    const messages =
      s?.messages !== null && typeof s?.messages === 'object' && !Array.isArray(s.messages)
        ? [s.messages]
        : s?.messages;
    if (!Array.isArray(channels) || channels.length === 0 || channels.some((c) => typeof c !== 'string')) {
      throw errors.badRequest(`Batch spec ${index}: "channels" must be a channel name or a non-empty array of names`);
    }
    if (!Array.isArray(messages) || messages.length === 0) {
      throw errors.badRequest(`Batch spec ${index}: "messages" must be a message or a non-empty array of messages`);
    }
    return { channels: channels as string[], messages: messages as unknown[] };
  });
  const results = checked.map(({ channels, messages }) => {
    const items = channels.map((channel) => {
      try {
        return publishMessages(ctx, credentials, channel, messages, { objectData: true });
      } catch (error) {
        return { channel, error: toEmulatorError(error).toWire() };
      }
    });
    const failureCount = items.filter((item) => 'error' in item).length;
    return { successCount: items.length - failureCount, failureCount, results: items };
  });
  send(ctx, 201, results);
}
