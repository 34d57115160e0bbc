import { randomBytes } from 'node:crypto';
import { canonicalData, type Format, type Payload, payloadSize, wireData } from './codec.js';
import { errors } from './errors.js';

/** PresenceMessage actions on the wire (TP2). */
export const PresenceAction = { ABSENT: 0, PRESENT: 1, ENTER: 2, LEAVE: 3, UPDATE: 4 } as const;

/** Members per SYNC protocol message. */
export const SYNC_PAGE_SIZE = 100;

/** One presence event or member, with canonical data. */
export interface PresenceMember {
  /** `connectionId:msgSerial:index` for events a connection sent; another prefix for synthesized leaves. */
  id: string;
  action: number;
  clientId: string;
  connectionId: string;
  timestamp: number;
  data: Payload;
  encoding?: string;
  extras?: unknown;
}

/** A presence message as received from a client, canonicalised (before identity and id are resolved). */
export interface IncomingPresence {
  action: number;
  id?: string;
  clientId?: string;
  data: Payload;
  hasData: boolean;
  encoding?: string;
  extras?: unknown;
}

/** The key of a member: one per (connection, clientId) (TP3h). */
function memberKey(m: { clientId: string; connectionId: string }): string {
  return `${m.connectionId}\n${m.clientId}`;
}

/** Render a member or presence event for the wire in a format. */
export function presenceToWire(m: PresenceMember, format: Format): Record<string, unknown> {
  const wire: Record<string, unknown> = {
    id: m.id,
    action: m.action,
    clientId: m.clientId,
    connectionId: m.connectionId,
    timestamp: m.timestamp,
  };
  Object.assign(wire, wireData(m.data, m.encoding, format));
  if (m.extras !== undefined) wire.extras = m.extras;
  return wire;
}

/**
 * Canonicalise one presence message from a client; 40000 for an action a client cannot send, 40013 for
 * unusable data, 40012 for a clientId that is not a string.
 */
export function toIncomingPresence(m: unknown): IncomingPresence {
  if (typeof m !== 'object' || m === null) throw errors.badRequest('Each presence message must be an object');
  const wire = m as Record<string, unknown>;
  const action = wire.action;
  if (action !== PresenceAction.ENTER && action !== PresenceAction.UPDATE && action !== PresenceAction.LEAVE) {
    throw errors.badRequest(
      `Presence action ${JSON.stringify(action)} cannot be sent by a client: use 2 (enter), 3 (leave) or 4 (update)`,
    );
  }
  const { data, encoding } = canonicalData(wire.data, wire.encoding);
  const result: IncomingPresence = { action, data, hasData: wire.data !== undefined && wire.data !== null };
  if (encoding !== undefined) result.encoding = encoding;
  if (typeof wire.id === 'string' && wire.id !== '') result.id = wire.id;
  if (wire.clientId !== undefined && wire.clientId !== null) {
    if (typeof wire.clientId !== 'string') throw errors.invalidClientId('Presence clientId must be a string');
    if (wire.clientId !== '') result.clientId = wire.clientId;
  }
  if (wire.extras !== undefined && wire.extras !== null) result.extras = wire.extras;
  return result;
}

/** Size of a presence message as counted for the message size limit: data, clientId and extras. */
export function presenceSize(m: { data: Payload; clientId?: string; extras?: unknown }): number {
  let size = payloadSize(m.data);
  if (m.clientId) size += Buffer.byteLength(m.clientId);
  if (m.extras !== undefined) size += Buffer.byteLength(JSON.stringify(m.extras));
  return size;
}

/** Filters for listing members (REST `GET …/presence`, `presence.get({ clientId, connectionId })`). */
export interface MemberFilter {
  clientId?: string;
  connectionId?: string;
}

/**
 * The presence set of one channel: current members (as `present`) and the presence history (every
 * enter, update and leave that changed the set, oldest first, the latest `maxHistory`).
 *
 * @example
 * ```ts
 * const set = new PresenceSet(1000);
 * set.applyAll([{ id: 'c1:0:0', action: 2, clientId: 'alice', connectionId: 'c1', timestamp: Date.now(), data: 'hi' }], 1);
 * set.list(); // alice, action 1 (present)
 * ```
 */
export class PresenceSet {
  private readonly members = new Map<string, PresenceMember>();
  /** Presence events with the channel position they were delivered at, oldest first. */
  readonly history: Array<{ event: PresenceMember; position: number; n: number }> = [];
  private recorded = 0;
  private leaveCounter = 0;
  private readonly leavePrefix = `synthesized-${randomBytes(3).toString('hex')}`;

  constructor(private readonly maxHistory: number) {}

  get size(): number {
    return this.members.size;
  }

  /**
   * Apply events in order; returns those to broadcast. An enter or update stores the member (an enter
   * that repeats the member's id and data, as an automatic re-enter does, changes nothing); a leave
   * removes a member (one that is not present changes nothing, RTP10d) and, without data of its own,
   * carries the member's data (RTP10a).
   */
  applyAll(events: PresenceMember[], position: number): PresenceMember[] {
    const changed: PresenceMember[] = [];
    for (const event of events) {
      const key = memberKey(event);
      const existing = this.members.get(key);
      if (event.action === PresenceAction.LEAVE) {
        if (!existing) continue;
        this.members.delete(key);
        changed.push(event);
      } else {
        if (existing && existing.id === event.id && samePayload(existing, event)) continue;
        this.members.set(key, { ...event, action: PresenceAction.PRESENT });
        changed.push(event);
      }
    }
    // `n` counts every recorded event, so page cursors stay valid when old history is dropped.
    for (const event of changed) this.history.push({ event, position, n: this.recorded++ });
    if (this.history.length > this.maxHistory) this.history.splice(0, this.history.length - this.maxHistory);
    return changed;
  }

  /** The current member with this key, for a leave without data. */
  member(connectionId: string, clientId: string): PresenceMember | undefined {
    return this.members.get(memberKey({ connectionId, clientId }));
  }

  /** Members in the order they entered, optionally filtered. */
  list(filter: MemberFilter = {}): PresenceMember[] {
    const result: PresenceMember[] = [];
    for (const m of this.members.values()) {
      if (filter.clientId !== undefined && m.clientId !== filter.clientId) continue;
      if (filter.connectionId !== undefined && m.connectionId !== filter.connectionId) continue;
      result.push(m);
    }
    return result;
  }

  /** How many distinct connections have members. */
  connectionCount(): number {
    return new Set([...this.members.values()].map((m) => m.connectionId)).size;
  }

  /**
   * Leave events for every member of a connection that is gone (closed, expired, detached): the server
   * synthesizes them, so their ids do not start with the connection id and clients order them by
   * timestamp (RTP2b1). They carry the member's data.
   */
  leavesFor(connectionId: string): PresenceMember[] {
    const now = Date.now();
    const leaves: PresenceMember[] = [];
    for (const m of this.members.values()) {
      if (m.connectionId !== connectionId) continue;
      this.leaveCounter += 1;
      leaves.push({
        ...m,
        id: `${this.leavePrefix}:${this.leaveCounter}:0`,
        action: PresenceAction.LEAVE,
        timestamp: now,
      });
    }
    return leaves;
  }
}

function samePayload(a: PresenceMember, b: PresenceMember): boolean {
  const sameData = a.data === b.data || (Buffer.isBuffer(a.data) && Buffer.isBuffer(b.data) && a.data.equals(b.data));
  return sameData && a.encoding === b.encoding && JSON.stringify(a.extras) === JSON.stringify(b.extras);
}

/** A new sync sequence id (`[\w-]+`, as the SDK parses `<syncId>:<cursor>`). */
export function newSyncId(): string {
  return randomBytes(6).toString('hex');
}
