import type { Attachment } from './attachment.js';
import { capabilityAllows } from './capability.js';
import type { Channel } from './channel.js';
import { Action, type ProtocolMessage } from './codec.js';
import type { Connection } from './connection.js';
import { EmulatorError, errors } from './errors.js';
import { Flag } from './flags.js';
import {
  newSyncId,
  PresenceAction,
  type PresenceMember,
  presenceSize,
  presenceToWire,
  SYNC_PAGE_SIZE,
  toIncomingPresence,
} from './presence.js';
import { parseChannelName } from './qualifier.js';

/**
 * Apply a PRESENCE protocol message from a client (enter, update, leave; own or on behalf of a
 * clientId). Throws the error to NACK with: 40160 without the presence capability, 40165 without the
 * presence mode, 90001 when the channel is not attached, 40012 for a clientId the connection may not use.
 */
export function applyClientPresence(connection: Connection, pm: ProtocolMessage): Array<string | null> {
  const name = pm.channel as string;
  const parsed = parseChannelName(name);
  if (parsed.filter !== undefined) {
    throw errors.badRequest(
      `Presence is not supported on a channel with a subscription filter (as on Ably): use channels.get("${parsed.base}") for presence`,
    );
  }
  if (!capabilityAllows(connection.credentials.capability, name, 'presence')) {
    throw errors.capability(`Presence denied: no "presence" capability on "${name}"`);
  }
  const attachment = connection.attachments.get(name);
  if (!attachment?.attached) {
    throw new EmulatorError(90001, 400, `Channel "${name}" is not attached: attach it before entering presence`);
  }
  if (!(attachment.flags & Flag.PRESENCE)) {
    throw new EmulatorError(40165, 401, `Presence denied: channel "${name}" was attached without the "presence" mode`);
  }
  const list = Array.isArray(pm.presence) ? pm.presence : [];
  if (list.length === 0) throw errors.badRequest('A PRESENCE protocol message needs at least one presence message');
  const msgSerial = typeof pm.msgSerial === 'number' ? pm.msgSerial : 0;
  const now = Date.now();
  const channel = attachment.channel;
  const events = list.map((raw, index): PresenceMember => {
    const m = toIncomingPresence(raw);
    const clientId = presenceClientId(connection, m.clientId);
    const size = presenceSize({ data: m.data, clientId, extras: m.extras });
    const max = connection.hub.settings.maxMessageSize;
    if (size > max) throw errors.tooLarge(`Presence message size ${size} bytes exceeds the maximum of ${max} bytes`);
    // A client may repeat a member's id (automatic re-enter, RTP17g); ids of other connections are not its own.
    const id = m.id?.startsWith(`${connection.id}:`) ? m.id : `${connection.id}:${msgSerial}:${index}`;
    const event: PresenceMember = {
      id,
      action: m.action,
      clientId,
      connectionId: connection.id,
      timestamp: now,
      data: m.data,
    };
    if (m.encoding !== undefined) event.encoding = m.encoding;
    if (m.extras !== undefined) event.extras = m.extras;
    if (m.action === PresenceAction.LEAVE && !m.hasData) {
      const member = channel.presence.member(connection.id, clientId);
      if (member) {
        event.data = member.data;
        if (member.encoding !== undefined) event.encoding = member.encoding;
        else delete event.encoding;
      }
    }
    return event;
  });
  channel.applyPresence(`${connection.id}:${msgSerial}`, connection.id, events);
  connection.presenceChannels.add(channel);
  return events.map(() => null);
}

/** Whose member a presence message is: its clientId (on behalf) or the connection's. */
function presenceClientId(connection: Connection, claimed: string | undefined): string {
  const own = connection.clientId;
  if (claimed === '*') throw errors.invalidClientId('A presence clientId cannot be "*"');
  if (claimed === undefined) {
    if (own === undefined || own === '*') {
      throw errors.invalidClientId(
        'Presence needs a clientId: connect with one (clientId option or a token with a clientId), or use enterClient(clientId) with a key or a wildcard token',
      );
    }
    return own;
  }
  if (own !== undefined && own !== '*' && claimed !== own) {
    throw errors.invalidClientId(
      `Presence clientId "${claimed}" does not match the connection's clientId "${own}": only a key without a clientId or a wildcard token may enter on behalf of others`,
    );
  }
  if (own === undefined && connection.credentials.kind !== 'basic') {
    throw errors.invalidClientId(
      `An unidentified token cannot enter presence as clientId "${claimed}": put the clientId (or "*") in the token`,
    );
  }
  return claimed;
}

/** The members a SYNC for this attachment carries: all with presence_subscribe, else the connection's own. */
export function syncMembers(attachment: Attachment): PresenceMember[] {
  if (attachment.filter) return [];
  const presence = attachment.channel.presence;
  if (attachment.flags & Flag.PRESENCE_SUBSCRIBE) return presence.list();
  return presence.list({ connectionId: attachment.connection.id });
}

/** Send the members as SYNC pages `<syncId>:<cursor>`, the last with an empty cursor (RTP18). */
export function sendSync(attachment: Attachment, members: PresenceMember[]): void {
  const connection = attachment.connection;
  const syncId = newSyncId();
  const pages = Math.max(1, Math.ceil(members.length / SYNC_PAGE_SIZE));
  for (let page = 0; page < pages; page++) {
    const slice = members.slice(page * SYNC_PAGE_SIZE, (page + 1) * SYNC_PAGE_SIZE);
    connection.send({
      action: Action.SYNC,
      channel: attachment.name,
      channelSerial: `${syncId}:${page === pages - 1 ? '' : String(page + 1)}`,
      presence: slice.map((m) => presenceToWire(m, connection.format)),
    });
  }
}

/** A SYNC from the client asks for the member set again. */
export function answerSyncRequest(connection: Connection, pm: ProtocolMessage): void {
  const attachment = typeof pm.channel === 'string' ? connection.attachments.get(pm.channel) : undefined;
  if (!attachment?.attached) return;
  sendSync(attachment, syncMembers(attachment));
}

/** After a DETACH: the connection's members leave, unless another attachment of it keeps the channel. */
export function leaveDetachedPresence(connection: Connection, channel: Channel): void {
  for (const other of connection.attachments.values()) if (other.channel === channel && other.attached) return;
  leaveAll(connection, channel);
}

/** The connection is gone (CLOSE, state expired, fault): its members leave every channel. */
export function leaveAllPresence(connection: Connection): void {
  for (const channel of connection.presenceChannels) leaveAll(connection, channel);
  connection.presenceChannels.clear();
}

function leaveAll(connection: Connection, channel: Channel): void {
  const leaves = channel.presence.leavesFor(connection.id);
  if (leaves.length === 0) return;
  channel.applyPresence(`${leaves[0]?.id ?? 'leave'}`, undefined, leaves);
  if (connection.hub.logging)
    connection.hub.log(`${connection.id} left presence on ${channel.name} (${leaves.length} members)`);
}
