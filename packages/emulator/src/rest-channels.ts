/**
 * The REST endpoints of one channel's messages (history, one message, its versions, PATCH to update,
 * delete or append) and of the channel itself (metadata and occupancy).
 *
 * @module
 */
import { randomBytes } from 'node:crypto';
import type { Credentials } from './auth.js';
import { MessageAction, type WireMessage } from './codec.js';
import type { EmulatorServer } from './emulator.js';
import { errors } from './errors.js';
import { toIncomingMutation } from './incoming-message.js';
import { type MessageSnapshot, snapshotToWire } from './message-snapshot.js';
import { authorizeMutation } from './mutation-capability.js';
import type { RestContext } from './rest.js';
import { type RestCredentials, requireCapability } from './rest-auth.js';
import { readBody, send } from './rest-io.js';
import { numberParam, type PageItem, sendPage } from './rest-pages.js';

/**
 * `PATCH /channels/:name/messages/:serial`: update (1), delete (2) or append (5) a message; answers
 * `{versionSerial}`. Needs message-update/delete-own/any.
 *
 * @example
 * ```ts
 * await patchMessage(ctx, credentials, 'ai:chat', 'ai:chat', serial); // body { action: 5, data: ' world' }
 * ```
 */
export async function patchMessage(
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

/** One stored message, its pending appends settled, for a key with `history`; 404 when there is none. */
function storedMessage(ctx: RestContext, credentials: Credentials, name: string, base: string, serial: string) {
  requireCapability(credentials, name, 'history');
  const channel = ctx.server.channels.get(base);
  channel?.settle(serial);
  const stored = channel?.messages.get(serial);
  if (!stored) throw errors.notFound(`No message with serial "${serial}" on channel "${name}"`);
  return stored;
}

/**
 * `GET /channels/:name/messages/:serial`: the latest version of one message; needs `history`.
 *
 * @example
 * ```ts
 * getMessage(ctx, credentials, 'ai:chat', 'ai:chat', serial);
 * ```
 */
export function getMessage(
  ctx: RestContext,
  credentials: Credentials,
  name: string,
  base: string,
  serial: string,
): void {
  const { position: _p, versions: _v, ...snapshot } = storedMessage(ctx, credentials, name, base, serial);
  send(ctx, 200, snapshotToWire(snapshot, ctx.format));
}

/**
 * `GET /channels/:name/messages/:serial/versions`: every version of one message, oldest first; needs `history`.
 *
 * @example
 * ```ts
 * messageVersions(ctx, credentials, 'ai:chat', 'ai:chat', serial);
 * ```
 */
export function messageVersions(
  ctx: RestContext,
  credentials: Credentials,
  name: string,
  base: string,
  serial: string,
): void {
  const stored = storedMessage(ctx, credentials, name, base, serial);
  const items = stored.versions.map((message, index) => messageItem(index, message));
  sendPage(ctx, 'versions', items, { defaultDirection: 'forwards' });
}

/**
 * `GET /channels/:name/messages` (RSL2): message history, newest first by default, with `start`, `end`
 * and untilAttach (`from_serial`); needs `history`.
 *
 * @example
 * ```ts
 * messageHistory(ctx, credentials, 'ai:chat', 'ai:chat'); // ?limit=100&direction=backwards
 * ```
 */
export function messageHistory(ctx: RestContext, credentials: Credentials, name: string, base: string): void {
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

/**
 * `GET /channels/:name` (channel metadata): the channel's status and occupancy.
 *
 * @example
 * ```ts
 * channelDetails(server, 'ai:chat'); // { channelId, name, status: { isActive, occupancy: { metrics } } }
 * ```
 */
export function channelDetails(server: EmulatorServer, base: string): unknown {
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

function messageItem(key: number, message: MessageSnapshot): PageItem {
  return { key, render: (format) => snapshotToWire(message, format) };
}
