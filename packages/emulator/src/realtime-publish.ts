/**
 * MESSAGE from a realtime client: new messages, or one update, delete or append, checked against the
 * connection's capability, the attach modes of the channel and the connection's clientId. The REST
 * counterpart is `rest-publish.ts`.
 *
 * @module
 */
import { capabilityAllows } from './capability.js';
import type { PublishContext } from './channel.js';
import { MessageAction, type ProtocolMessage, type WireMessage } from './codec.js';
import type { Connection } from './connection.js';
import { EmulatorError, errors } from './errors.js';
import { Flag } from './flags.js';
import { toIncomingMessage, toIncomingMutation } from './incoming-message.js';
import { authorizeMutation } from './mutation-capability.js';
import { parseChannelName } from './qualifier.js';

/**
 * Apply the messages of a MESSAGE protocol message and return one serial per message (version serials
 * for mutations). The caller ACKs with the serials or NACKs with what it throws.
 *
 * @throws EmulatorError 40160 without the capability, 40165 without the publish mode, 40012 for a
 *   clientId the connection may not use, 40000 for a filtered channel or creates mixed with mutations
 * @example
 * ```ts
 * connection.acks.answer(pm, () => publishFromConnection(connection, pm), onNack);
 * ```
 */
export function publishFromConnection(connection: Connection, pm: ProtocolMessage): string[] {
  const name = pm.channel as string;
  const parsed = parseChannelName(name);
  if (parsed.filter !== undefined) {
    throw errors.badRequest(
      `Cannot publish on a channel with a subscription filter (as on Ably): publish on channels.get("${parsed.base}")`,
    );
  }
  const base = parsed.base;
  const messages = Array.isArray(pm.messages) ? pm.messages : [];
  const channel = connection.hub.channel(base);
  const pmId = `${connection.id}:${pm.msgSerial ?? 0}`;
  const ctx: PublishContext = {
    pmId,
    connectionId: connection.id,
    rollupWindow: connection.rollupWindow,
    maxMessageSize: connection.hub.settings.maxMessageSize,
  };
  const identified = connection.clientId !== undefined && connection.clientId !== '*' ? connection.clientId : undefined;
  if (identified !== undefined) ctx.clientId = identified;
  const attachment = connection.attachments.get(name);
  const mutations = messages.filter((m) => m && typeof m === 'object' && (m.action ?? 0) !== MessageAction.CREATE);
  if (mutations.length === 0) {
    if (!capabilityAllows(connection.credentials.capability, name, 'publish')) {
      throw errors.capability(`Publish denied: no "publish" capability on "${name}"`);
    }
    if (attachment?.attached && !(attachment.flags & Flag.PUBLISH)) {
      throw new EmulatorError(40165, 401, `Publish denied: channel "${name}" was attached without the "publish" mode`);
    }
    const incoming = messages.map((m) => {
      if (typeof m !== 'object' || m === null) throw errors.badRequest('Each message must be an object');
      const msg = toIncomingMessage(m);
      checkMessageClientId(connection, msg.clientId);
      return msg;
    });
    return channel.publish(incoming, ctx);
  }
  if (mutations.length !== messages.length) {
    throw errors.badRequest('A protocol message carries either new messages or one update/delete/append, not both');
  }
  return messages.map((m: WireMessage) => {
    const action = m.action as number;
    if (action !== MessageAction.UPDATE && action !== MessageAction.DELETE && action !== MessageAction.APPEND) {
      throw errors.badRequest(`Unsupported message action ${String(action)}`);
    }
    const op = toIncomingMutation(m);
    return channel.mutate(op, ctx, (stored) =>
      authorizeMutation(connection.credentials.capability, connection.clientId, name, op, stored),
    );
  });
}

/** A message's own clientId must be the connection's, unless the connection may publish for anyone. */
function checkMessageClientId(connection: Connection, clientId: string | undefined): void {
  if (clientId === undefined) return;
  if (clientId === '*') throw errors.invalidClientId('A message clientId cannot be "*"');
  if (connection.clientId === '*') return;
  if (connection.clientId !== undefined && clientId !== connection.clientId) {
    throw errors.invalidClientId(
      `Message clientId "${clientId}" does not match the connection's clientId "${connection.clientId}"`,
    );
  }
  if (connection.clientId === undefined && connection.credentials.kind !== 'basic') {
    throw errors.invalidClientId(
      `An unidentified token cannot publish as clientId "${clientId}"; put the clientId in the token`,
    );
  }
}
