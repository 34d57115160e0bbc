/**
 * A channel's state: its event log (the positions fan-out, resume and rewind read), its stored messages
 * and their versions, and its presence set. Messages are published and mutated here; append rollup is
 * `append-rollups.ts`, the stored message shapes are `message-snapshot.ts`.
 *
 * @module
 */
import { AppendRollups } from './append-rollups.js';
import { concatPayload, MessageAction, type Payload } from './codec.js';
import { errors } from './errors.js';
import type { IncomingMessage, IncomingMutation } from './incoming-message.js';
import {
  type MessageSnapshot,
  type MessageVersion,
  messageSize,
  type StoredMessage,
  stripPosition,
} from './message-snapshot.js';
import { type PresenceMember, PresenceSet } from './presence.js';
import { parseChannelName } from './qualifier.js';
import type { SerialClock } from './serials.js';

/**
 * Channel rules for a namespace (the part of a channel name before the first `:`).
 *
 * @example
 * ```ts
 * const rule: NamespaceRule = { mutableMessages: true };
 * ```
 */
export interface NamespaceRule {
  /** Allow updates, deletes and appends (Ably's "Message annotations, updates, deletes, and appends" rule). */
  mutableMessages?: boolean;
}

/** One item of a channel event: the default delivery and, for appends, the full-data alternative. */
export interface EventItem {
  serial: string;
  message: MessageSnapshot;
  /** For appends: the whole message so far as a `message.update`, for attachments that have not seen it yet. */
  full?: MessageSnapshot;
}

/** One ProtocolMessage worth of deliveries at one channel position. */
export interface ChannelEvent {
  seq: number;
  pmId: string;
  /** Publishing connection, for echo suppression. */
  connectionId?: string;
  timestamp: number;
  items: EventItem[];
  /** For presence events: the enter/update/leave events to deliver (then `items` is empty). */
  presence?: PresenceMember[];
  /** Encoded frames by `format|variant|channel name` while the event is being fanned out. */
  cache?: Map<string, Buffer>;
}

/** A connection's attachment to a channel, receiving fan-out. */
export interface Subscriber {
  deliver(event: ChannelEvent): void;
}

/** Who is publishing or mutating, and how. */
export interface PublishContext {
  pmId: string;
  connectionId?: string;
  /** Identified clientId of the publisher (not `*`). */
  clientId?: string;
  /** Append rollup window of the publishing connection in ms (0 = off). */
  rollupWindow: number;
  maxMessageSize: number;
}

/**
 * Split an exact channel name into its base name (qualifier `[...]` removed); throws 40010 when invalid.
 *
 * @example
 * ```ts
 * baseChannelName('[?rewind=1]ai:chat'); // 'ai:chat'
 * ```
 */
export function baseChannelName(name: unknown): string {
  return parseChannelName(name).base;
}

/** Channel state: stored messages, the event log used for fan-out and resume, and rollup windows. */
export class Channel {
  /** Current position: the sequence of the last event. */
  seq = 0;
  /** Sequence of the oldest retained event minus one: resumes from before this lose continuity. */
  trimmedThrough = 0;
  readonly events: ChannelEvent[] = [];
  readonly messages = new Map<string, StoredMessage>();
  /** Stored messages in position order. */
  readonly ordered: StoredMessage[] = [];
  readonly subscribers = new Set<Subscriber>();
  private readonly idIndex = new Map<string, string>();
  private readonly rollups = new AppendRollups((serial, fragment, pmId, connectionId) =>
    this.emitAppend(serial, fragment, pmId, connectionId),
  );
  /** Presence members and presence history. */
  readonly presence: PresenceSet;

  constructor(
    readonly name: string,
    readonly mutable: boolean,
    readonly epoch: string,
    private readonly clock: SerialClock,
    private readonly maxEvents: number,
    private readonly onEvent?: (channel: Channel, event: ChannelEvent) => void,
  ) {
    this.presence = new PresenceSet(maxEvents);
  }

  /** The channelSerial of a position. */
  channelSerial(seq = this.seq): string {
    return `${this.epoch}:${seq}`;
  }

  /** The position in a channelSerial of this channel, or undefined when it is not one of ours. */
  positionOf(channelSerial: unknown): number | undefined {
    if (typeof channelSerial !== 'string') return undefined;
    const at = channelSerial.lastIndexOf(':');
    if (at < 0 || channelSerial.slice(0, at) !== this.epoch) return undefined;
    const seq = Number(channelSerial.slice(at + 1));
    return Number.isInteger(seq) && seq >= 0 && seq <= this.seq ? seq : undefined;
  }

  /** Events after a position, or undefined when some of them are no longer retained. */
  eventsAfter(seq: number): ChannelEvent[] | undefined {
    if (seq < this.trimmedThrough) return undefined;
    const first = this.events[0]?.seq ?? this.seq + 1;
    return this.events.slice(Math.max(0, seq + 1 - first));
  }

  /** Publish new messages (creates); returns one serial per message (the original one for duplicate ids). */
  publish(messages: IncomingMessage[], ctx: PublishContext): string[] {
    for (const m of messages) {
      const size = messageSize(m);
      if (size > ctx.maxMessageSize) {
        throw errors.tooLarge(`Message size ${size} bytes exceeds the maximum of ${ctx.maxMessageSize} bytes`);
      }
    }
    const serials: string[] = [];
    const items: EventItem[] = [];
    const position = this.seq + 1;
    messages.forEach((m, index) => {
      const duplicate = m.id !== undefined ? this.idIndex.get(m.id) : undefined;
      if (duplicate !== undefined) {
        serials.push(duplicate);
        return;
      }
      const { serial, timestamp } = this.clock.next();
      const stored: StoredMessage = {
        id: m.id ?? `${ctx.pmId}:${index}`,
        data: m.data,
        timestamp,
        action: MessageAction.CREATE,
        serial,
        version: { serial, timestamp },
        position,
        versions: [],
      };
      if (m.name !== undefined) stored.name = m.name;
      if (m.encoding !== undefined) stored.encoding = m.encoding;
      const clientId = m.clientId ?? ctx.clientId;
      if (clientId !== undefined) stored.clientId = clientId;
      if (ctx.connectionId !== undefined) stored.connectionId = ctx.connectionId;
      if (m.extras !== undefined) stored.extras = m.extras;
      stored.versions.push(stripPosition(stored));
      this.messages.set(serial, stored);
      this.ordered.push(stored);
      if (m.id !== undefined) this.idIndex.set(m.id, serial);
      serials.push(serial);
      items.push({ serial, message: stripPosition(stored) });
    });
    if (items.length > 0) this.emit(ctx.pmId, ctx.connectionId, items);
    return serials;
  }

  /**
   * Apply an update, delete or append; returns the new version serial. `authorize` is called with
   * the stored message so callers can check own/any capabilities.
   */
  mutate(op: IncomingMutation, ctx: PublishContext, authorize: (stored: StoredMessage) => void): string {
    if (!this.mutable) throw errors.mutableDisabled(this.name);
    // `version.clientId` is who did it: the authenticated identity, never a name the message claims.
    const claimed = op.operation.clientId;
    if (claimed !== undefined && claimed !== ctx.clientId) {
      throw errors.invalidClientId(
        ctx.clientId === undefined
          ? `An unidentified client cannot ${mutationVerb(op.action)} as clientId "${claimed}": leave version.clientId out, or connect with a token that names that clientId`
          : `version.clientId "${claimed}" does not match the identified clientId "${ctx.clientId}": leave it out (the emulator fills it in)`,
      );
    }
    const stored = this.messages.get(op.serial);
    if (!stored) throw errors.notFound(`No message with serial "${op.serial}" on channel "${this.name}"`);
    authorize(stored);
    const isAppend = op.action === MessageAction.APPEND;
    if (isAppend && op.data !== undefined && stored.data !== undefined) {
      const kindOf = (p: Payload) => (typeof p === 'string' ? 'string' : 'binary');
      if (kindOf(op.data) !== kindOf(stored.data) || (op.encoding ?? '') !== (stored.encoding ?? '')) {
        throw errors.invalidData(
          `Append data (${kindOf(op.data)}${op.encoding ? `, encoding ${op.encoding}` : ''}) must have the same type and encoding as the message (${kindOf(stored.data)}${stored.encoding ? `, encoding ${stored.encoding}` : ''})`,
        );
      }
    }
    const next = {
      data: isAppend ? concatPayload(stored.data, op.data) : op.hasData ? op.data : stored.data,
      name: op.name ?? stored.name,
      clientId: stored.clientId,
      // Strict reading: an append without extras drops the previous extras (resend every header).
      extras: op.hasExtras ? op.extras : isAppend ? undefined : stored.extras,
    };
    const size = messageSize(next);
    if (size > ctx.maxMessageSize) {
      throw errors.tooLarge(
        `${isAppend ? 'Appended message' : 'Message'} size ${size} bytes would exceed the maximum of ${ctx.maxMessageSize} bytes`,
      );
    }
    // An update or delete flushes every pending rollup for the message first; an append flushes other connections' windows.
    this.flushRollups(op.serial, isAppend ? ctx.connectionId : undefined);
    const { serial: versionSerial, timestamp: now } = this.clock.next();
    const timestamp = Math.max(now, stored.version.timestamp + 1, stored.timestamp + 1);
    const version: MessageVersion = { serial: versionSerial, timestamp };
    if (ctx.clientId !== undefined) version.clientId = ctx.clientId;
    if (op.operation.description !== undefined) version.description = op.operation.description;
    if (op.operation.metadata !== undefined) version.metadata = op.operation.metadata;

    stored.data = next.data;
    if (isAppend) {
      if (stored.encoding === undefined && op.encoding !== undefined) stored.encoding = op.encoding;
    } else if (op.hasData) {
      if (op.encoding === undefined) delete stored.encoding;
      else stored.encoding = op.encoding;
    }
    if (next.name !== undefined) stored.name = next.name;
    if (next.extras === undefined) delete stored.extras;
    else stored.extras = next.extras;
    stored.version = version;
    if (op.action === MessageAction.DELETE) stored.action = MessageAction.DELETE;
    else if (stored.action !== MessageAction.DELETE || op.action === MessageAction.UPDATE)
      stored.action = MessageAction.UPDATE;

    if (isAppend) {
      this.rollups.deliver(stored.serial, op.data, ctx);
    } else {
      const snapshot = stripPosition(stored);
      snapshot.action = op.action;
      stored.versions.push(snapshot);
      this.emit(ctx.pmId, ctx.connectionId, [{ serial: stored.serial, message: snapshot }]);
    }
    return versionSerial;
  }

  /** Deliver any rolled-up appends waiting in windows (of every message, or one; except one connection's). */
  flushRollups(serial?: string, exceptConnectionId?: string): void {
    this.rollups.flush(serial, exceptConnectionId);
  }

  /**
   * End the pending rollup windows (of one message, or all) before a snapshot is read (rewind, history,
   * getMessage), so the snapshot holds exactly what subscribers have been sent: its version is that of the
   * last fragment it contains and no later delivery repeats a fragment it already holds.
   */
  settle(serial?: string): void {
    this.flushRollups(serial);
  }

  /** Flush every rollup window opened by one connection (on CLOSE). */
  flushConnectionRollups(connectionId: string): void {
    this.rollups.flushConnection(connectionId);
  }

  private emitAppend(serial: string, fragment: Payload, pmId: string, connectionId: string | undefined): void {
    const stored = this.messages.get(serial);
    if (!stored) return;
    const full = stripPosition(stored);
    const message: MessageSnapshot = { ...full, data: fragment, action: MessageAction.APPEND };
    if (fragment === undefined) delete (message as Partial<MessageSnapshot>).data;
    this.emit(pmId, connectionId, [{ serial, message, full: { ...full, action: MessageAction.UPDATE } }]);
  }

  /**
   * Apply presence events (enter/update/leave) to the member set and deliver the ones that changed it,
   * as one PRESENCE protocol message at the next channel position.
   */
  applyPresence(pmId: string, connectionId: string | undefined, events: PresenceMember[]): void {
    // The events that change the set are delivered at the next position (emit takes it).
    const changed = this.presence.applyAll(events, this.seq + 1);
    if (changed.length > 0) this.emit(pmId, connectionId, [], changed);
  }

  private emit(pmId: string, connectionId: string | undefined, items: EventItem[], presence?: PresenceMember[]): void {
    this.seq += 1;
    const event: ChannelEvent = { seq: this.seq, pmId, timestamp: Date.now(), items, cache: new Map() };
    if (connectionId !== undefined) event.connectionId = connectionId;
    if (presence) event.presence = presence;
    this.events.push(event);
    if (this.events.length > this.maxEvents) {
      const dropped = this.events.splice(0, this.events.length - this.maxEvents);
      this.trimmedThrough = dropped[dropped.length - 1]?.seq ?? this.trimmedThrough;
    }
    for (const subscriber of this.subscribers) subscriber.deliver(event);
    event.cache = undefined;
    this.onEvent?.(this, event);
  }

  /** The latest `count` messages (or those since `since`), oldest first, at most 100, for rewind. */
  rewind(spec: { count?: number; since?: number }): { messages: MessageSnapshot[]; truncated: boolean } {
    const limit = 100;
    let candidates = this.ordered;
    if (spec.since !== undefined) {
      const since = spec.since;
      candidates = candidates.filter((m) => m.timestamp >= since);
    }
    const wanted = spec.count !== undefined ? Math.min(spec.count, candidates.length) : candidates.length;
    const take = Math.min(wanted, limit);
    const truncated = wanted > limit;
    return { messages: candidates.slice(candidates.length - take).map(stripPosition), truncated };
  }
}

function mutationVerb(action: number): string {
  return action === MessageAction.DELETE ? 'delete' : action === MessageAction.APPEND ? 'append' : 'update';
}
