import { capabilityAllows, capabilityTouches, type Operation } from './capability.js';
import type { Channel, ChannelEvent, EventItem, Subscriber } from './channel.js';
import { Action, encodeWsFrame, type ProtocolMessage } from './codec.js';
import type { Connection } from './connection.js';
import { EmulatorError, errors, toEmulatorError } from './errors.js';
import { DEFAULT_MODES, Flag, MODE_MASK, modeFlags } from './flags.js';
import { type MessageSnapshot, snapshotToWire } from './message-snapshot.js';
import { presenceToWire } from './presence.js';
import { compileFilter, parseChannelName } from './qualifier.js';
import { leaveDetachedPresence, sendSync, syncMembers } from './realtime-presence.js';

// Params the emulator acts on, and so echoes in ATTACHED.
const RECOGNISED_PARAMS = new Set(['rewind', 'modes', 'echo', 'appendMode']);

/** One client's attachment to one channel (by the exact name it attached with). */
export class Attachment implements Subscriber {
  attached = false;
  flags = 0;
  params: Record<string, string> = {};
  echo = true;
  appendModeFull = false;
  /** For a derived channel (`[filter=…]name`): which messages to deliver. */
  filter: ((message: MessageSnapshot) => boolean) | undefined;
  /** Serials this attachment has already been sent something for (the first append is sent in full). */
  seen = new Set<string>();

  constructor(
    readonly connection: Connection,
    readonly name: string,
    readonly channel: Channel,
  ) {}

  deliver(event: ChannelEvent): void {
    if (event.presence) {
      this.deliverPresence(event);
      return;
    }
    const socket = this.connection.socket;
    if (!this.attached || !socket || !(this.flags & Flag.SUBSCRIBE)) return;
    if (!this.echo && event.connectionId === this.connection.id) return;
    let items = event.items;
    if (this.filter) {
      const filter = this.filter;
      items = items.filter((item) => filter(item.message));
      if (items.length === 0) return;
    }
    const format = this.connection.format;
    let variant = '';
    for (const item of items) {
      variant += item.full && (this.appendModeFull || !this.seen.has(item.serial)) ? 'F' : 'f';
    }
    // The exact name is part of the key, and a filter is part of the name: one subset per key.
    const key = `${format}|${variant}|${this.name}`;
    let frame = event.cache?.get(key);
    if (frame === undefined) {
      frame = encodeWsFrame(this.messageFrame(event, items, variant), format);
      event.cache?.set(key, frame);
    }
    for (const item of items) this.seen.add(item.serial);
    this.connection.sendFrame(frame, this.name, event);
  }

  private messageFrame(event: ChannelEvent, items: EventItem[], variant: string): ProtocolMessage {
    const format = this.connection.format;
    const pm: ProtocolMessage = {
      action: Action.MESSAGE,
      id: event.pmId,
      channel: this.name,
      channelSerial: this.channel.channelSerial(event.seq),
      timestamp: event.timestamp,
      messages: items.map((item, i) =>
        snapshotToWire(variant[i] === 'F' && item.full ? item.full : item.message, format),
      ),
    };
    if (event.connectionId !== undefined) pm.connectionId = event.connectionId;
    return pm;
  }

  /**
   * Presence events go to attachments with the presence_subscribe mode; a connection's own members'
   * events reach it whatever its modes (RTP17a).
   */
  private deliverPresence(event: ChannelEvent): void {
    const socket = this.connection.socket;
    if (!this.attached || !socket || !event.presence) return;
    const subscribed = (this.flags & Flag.PRESENCE_SUBSCRIBE) !== 0;
    const events = subscribed ? event.presence : event.presence.filter((p) => p.connectionId === this.connection.id);
    if (events.length === 0) return;
    const format = this.connection.format;
    const key = `${format}|presence|${this.name}`;
    let frame = subscribed ? event.cache?.get(key) : undefined;
    if (frame === undefined) {
      const pm: ProtocolMessage = {
        action: Action.PRESENCE,
        id: event.pmId,
        channel: this.name,
        channelSerial: this.channel.channelSerial(event.seq),
        timestamp: event.timestamp,
        presence: events.map((p) => presenceToWire(p, format)),
      };
      if (event.connectionId !== undefined) pm.connectionId = event.connectionId;
      frame = encodeWsFrame(pm, format);
      if (subscribed) event.cache?.set(key, frame);
    }
    this.connection.sendFrame(frame, this.name, event);
  }
}

function channelError(connection: Connection, name: string, error: EmulatorError): void {
  connection.send({ action: Action.ERROR, channel: name, error: error.toWire() });
}

/** Handle ATTACH: modes and params, capability, rewind or resume, then ATTACHED, backlog and presence SYNC. */
export function attachChannel(connection: Connection, pm: ProtocolMessage): void {
  const name = pm.channel as string;
  let parsed: ReturnType<typeof parseChannelName>;
  try {
    parsed = parseChannelName(name);
  } catch (error) {
    channelError(connection, String(name), toEmulatorError(error));
    return;
  }
  const capability = connection.credentials.capability;
  if (!capabilityTouches(capability, name)) {
    channelError(
      connection,
      name,
      errors.capability(`Channel denied access based on given capability (channel "${name}")`),
    );
    return;
  }
  // Params in a qualifier ([?rewind=1]name) apply like channel params; explicit params win.
  const params: Record<string, string> = { ...parsed.params };
  for (const [k, v] of Object.entries(pm.params ?? {})) params[k] = String(v);
  if (params.delta !== undefined) {
    channelError(
      connection,
      name,
      errors.badRequest(
        `Delta compression (params.delta "${params.delta}") is not implemented by the emulator: attach without the delta param. Deltas only save bandwidth; subscribers receive the same messages in full.`,
      ),
    );
    return;
  }
  if (parsed.filter !== undefined && params.rewind !== undefined) {
    channelError(
      connection,
      name,
      errors.badRequest(
        'Rewind is not supported on a channel with a subscription filter (as on Ably): attach the unfiltered channel to rewind',
      ),
    );
    return;
  }
  let requested = (pm.flags ?? 0) & MODE_MASK;
  if (params.modes !== undefined) {
    requested = 0;
    for (const mode of params.modes.split(',').map((m) => m.trim().toLowerCase())) {
      const bit = modeFlags[mode];
      if (bit === undefined) {
        channelError(connection, name, errors.badRequest(`Unknown channel mode "${mode}"`));
        return;
      }
      requested |= bit;
    }
  }
  if (requested === 0) requested = DEFAULT_MODES;
  let granted = requested;
  const needs: Array<[number, Operation]> = [
    [Flag.PUBLISH, 'publish'],
    [Flag.SUBSCRIBE, 'subscribe'],
    [Flag.PRESENCE_SUBSCRIBE, 'subscribe'],
    [Flag.PRESENCE, 'presence'],
    [Flag.ANNOTATION_PUBLISH, 'annotation-publish'],
    [Flag.ANNOTATION_SUBSCRIBE, 'annotation-subscribe'],
    [Flag.OBJECT_PUBLISH, 'object-publish'],
    [Flag.OBJECT_SUBSCRIBE, 'object-subscribe'],
  ];
  for (const [bit, op] of needs) if (granted & bit && !capabilityAllows(capability, name, op)) granted &= ~bit;
  // A derived (filtered) channel only receives messages: no publishing, no presence (as on Ably).
  if (parsed.filter !== undefined) granted &= ~(Flag.PUBLISH | Flag.PRESENCE | Flag.PRESENCE_SUBSCRIBE);

  let rewind: { count?: number; since?: number } | undefined;
  if (params.rewind !== undefined) {
    const match = /^(\d+)(s|m)?$/.exec(params.rewind);
    if (!match) {
      channelError(
        connection,
        name,
        errors.badRequest(`Invalid rewind "${params.rewind}": use a count like "10" or a time like "30s" or "2m"`),
      );
      return;
    }
    const value = Number(match[1]);
    rewind = match[2] ? { since: Date.now() - value * (match[2] === 'm' ? 60_000 : 1000) } : { count: value };
  }

  const channel = connection.hub.channel(parsed.base);
  const existing = connection.attachments.get(name);
  const attachment = existing ?? new Attachment(connection, name, channel);
  connection.attachments.set(name, attachment);
  attachment.flags = granted;
  attachment.params = Object.fromEntries(Object.entries(params).filter(([k]) => RECOGNISED_PARAMS.has(k)));
  attachment.echo = connection.echo && params.echo !== 'false';
  attachment.appendModeFull = params.appendMode === 'full';
  attachment.filter = parsed.filter !== undefined ? compileFilter(parsed.filter) : undefined;

  const isFreshRewind = !existing?.attached && rewind !== undefined && ((pm.flags ?? 0) & Flag.ATTACH_RESUME) === 0;
  // A rewind backlog is a snapshot: end open rollup windows so it matches what subscribers were sent.
  if (isFreshRewind) channel.settle();
  let flags = granted;
  let channelSerial = channel.channelSerial();
  let replay: ChannelEvent[] = [];
  let backlog: MessageSnapshot[] = [];
  let error: EmulatorError | undefined;
  const liveReattach = existing?.attached === true;
  if (liveReattach) {
    // Re-attach on a live attachment (e.g. setOptions): nothing was missed.
    flags |= Flag.RESUMED;
  } else if (existing && pm.channelSerial !== undefined && pm.channelSerial !== '') {
    const position = channel.positionOf(pm.channelSerial);
    const missed = position === undefined ? undefined : channel.eventsAfter(position);
    if (missed && position !== undefined) {
      flags |= Flag.RESUMED;
      channelSerial = channel.channelSerial(position);
      // Presence is brought up to date by the SYNC that follows, not by replaying its events.
      replay = missed.filter((event) => !event.presence);
      // What was written to the lost transport may never have arrived: after a resume Ably sends the
      // first append of each message in full again (a resync), so the client never has to trust that
      // an earlier fragment reached it.
      attachment.seen.clear();
      if (replay.length > 0) flags |= Flag.HAS_BACKLOG;
    } else {
      attachment.seen.clear();
      error = new EmulatorError(90003, 404, 'Unable to recover channel (messages expired)');
    }
  } else {
    attachment.seen.clear();
    const isResumeAttach = ((pm.flags ?? 0) & Flag.ATTACH_RESUME) !== 0;
    if (rewind && !isResumeAttach && attachment.flags & Flag.SUBSCRIBE) {
      const result = channel.rewind(rewind);
      backlog = result.messages;
      if (backlog.length > 0) flags |= Flag.HAS_BACKLOG;
      if (result.truncated)
        error = new EmulatorError(90004, 404, 'Rewind backlog truncated to the latest 100 messages');
    }
  }
  // HAS_PRESENCE: a SYNC with the members follows; without it the client clears its member set.
  const members = liveReattach ? [] : syncMembers(attachment);
  if (members.length > 0) flags |= Flag.HAS_PRESENCE;
  const attached: ProtocolMessage = { action: Action.ATTACHED, channel: name, channelSerial, flags };
  if (Object.keys(attachment.params).length > 0) attached.params = attachment.params;
  if (error) attached.error = error.toWire();
  connection.send(attached);
  attachment.attached = true;
  for (const message of backlog) {
    attachment.seen.add(message.serial);
    connection.send({
      action: Action.MESSAGE,
      channel: name,
      timestamp: message.timestamp,
      messages: [snapshotToWire(message, connection.format)],
    });
  }
  for (const event of replay) attachment.deliver(event);
  if (members.length > 0) sendSync(attachment, members);
  channel.subscribers.add(attachment);
}

/** Handle DETACH: stop delivering; the connection's members leave unless another attachment keeps the channel. */
export function detachChannel(connection: Connection, pm: ProtocolMessage): void {
  if (typeof pm.channel !== 'string') throw errors.invalidChannelName(String(pm.channel));
  const name = pm.channel;
  const attachment = connection.attachments.get(name);
  if (attachment) {
    attachment.attached = false;
    attachment.channel.subscribers.delete(attachment);
    connection.attachments.delete(name);
    leaveDetachedPresence(connection, attachment.channel);
  }
  connection.send({ action: Action.DETACHED, channel: name });
}
