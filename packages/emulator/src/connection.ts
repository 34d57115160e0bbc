import { randomBytes } from 'node:crypto';
import type { WebSocket } from 'ws';
import { type Attachment, attachChannel, detachChannel } from './attachment.js';
import type { AuthRegistry, Credentials } from './auth.js';
import { type Capability, capabilityAllows, type Operation } from './capability.js';
import {
  type Channel,
  type ChannelEvent,
  type IncomingMutation,
  type StoredMessage,
  toIncomingMessage,
  toIncomingMutation,
} from './channel.js';
import { checkReauthClientId } from './client-id-rules.js';
import {
  Action,
  actionNames,
  decodeFrame,
  encodeWsFrame,
  type Format,
  MessageAction,
  type ProtocolMessage,
  type WireMessage,
} from './codec.js';
import { EmulatorError, errors, toEmulatorError } from './errors.js';
import { Flag } from './flags.js';
import { parseChannelName } from './qualifier.js';
import { answerSyncRequest, applyClientPresence, leaveAllPresence } from './realtime-presence.js';

/** What a connection needs from the server that owns it. */
export interface Hub {
  readonly auth: AuthRegistry;
  readonly settings: HubSettings;
  channel(name: string): Channel;
  /** Pass a framed message on to `connection.write`, now or later (delivery faults). */
  transmit(connection: Connection, socket: WebSocket, frame: Buffer): void;
  /** Call `connection.flushOutbox()` once the current I/O has been handled. */
  scheduleFlush(connection: Connection): void;
  forget(connection: Connection): void;
  registerKey(connection: Connection, key: string): void;
  log(line: string): void;
  readonly logging: boolean;
}

/** Timers and limits that apply to every connection. */
export interface HubSettings {
  connectionStateTtl: number;
  maxIdleInterval: number;
  maxMessageSize: number;
  appendRollupWindow: number;
  namespaces: Record<string, { mutableMessages?: boolean }>;
}

const MAX_RESULTS_KEPT = 10_000;

function randomId(bytes: number): string {
  return randomBytes(bytes).toString('base64url').replace(/[-_]/g, 'x');
}

function describeDelivery(channel: string, event: ChannelEvent): string {
  if (event.presence) {
    const names = ['absent', 'present', 'enter', 'leave', 'update'];
    return `${channel} presence ${event.presence.map((p) => `${names[p.action] ?? p.action} ${p.clientId}`).join(', ')}`;
  }
  const item = event.items[0];
  if (!item) return channel;
  const names = ['create', 'update', 'delete', 'meta', 'summary', 'append'];
  const data = item.message.data;
  const preview =
    typeof data === 'string'
      ? JSON.stringify(data.length > 40 ? `${data.slice(0, 40)}…` : data)
      : data
        ? `<${data.length} bytes>`
        : '';
  return `${channel} ${names[item.message.action] ?? item.message.action} ${item.serial} ${preview}`;
}

/** Server-side state of one realtime connection; survives transport loss for connectionStateTtl. */
export class Connection {
  readonly id = randomId(9);
  key = '';
  socket: WebSocket | undefined;
  format: Format = 'json';
  heartbeats = false;
  echo = true;
  rollupWindow: number;
  idleInterval: number;
  /** Identified clientId (`*` for a wildcard token without a chosen identity). */
  clientId: string | undefined;
  lastSentAt = Date.now();
  /** Last frame or pong from the client, to notice a peer that vanished without closing. */
  lastHeardAt = Date.now();
  private lastProbeAt = 0;
  private suspectSince = 0;
  closed = false;
  readonly attachments = new Map<string, Attachment>();
  private nextMsgSerial = 0;
  private readonly results = new Map<number, ProtocolMessage>();
  private keyCounter = 0;
  private stateTimer: NodeJS.Timeout | undefined;
  private tokenTimer: NodeJS.Timeout | undefined;
  private busy = false;
  private outbox: Buffer[] = [];
  private flushScheduled = false;
  private readonly backlog: Array<Buffer | string> = [];

  /** Channels this connection has (or had) presence members on, for the leaves when it goes. */
  readonly presenceChannels = new Set<Channel>();

  constructor(
    readonly hub: Hub,
    public credentials: Credentials,
  ) {
    this.rollupWindow = hub.settings.appendRollupWindow;
    this.idleInterval = hub.settings.maxIdleInterval;
  }

  /** Set the connection-level options a (re)connect request carries. */
  configure(query: URLSearchParams, format: Format): void {
    this.format = format;
    this.heartbeats = query.get('heartbeats') === 'true';
    this.echo = query.get('echo') !== 'false';
    const rollup = query.get('appendRollupWindow');
    if (rollup !== null) {
      const value = Number(rollup);
      // Documented values: 0 (off) to 500 ms; anything else keeps the default.
      if (Number.isFinite(value) && value >= 0 && value <= 500) this.rollupWindow = value;
    }
    const heartbeat = query.get('heartbeatInterval');
    if (heartbeat !== null) {
      const value = Number(heartbeat);
      if (Number.isFinite(value) && value >= 5000 && value <= 1_800_000) this.idleInterval = value;
    }
  }

  /** Take over a new WebSocket (new connection, resume or recover) and send CONNECTED. */
  adopt(socket: WebSocket, error?: EmulatorError): void {
    if (this.socket && this.socket !== socket) {
      const old = this.socket;
      this.socket = undefined;
      old.terminate();
    }
    this.detachAll();
    clearTimeout(this.stateTimer);
    this.stateTimer = undefined;
    this.outbox = [];
    this.socket = socket;
    this.keyCounter += 1;
    this.key = `${randomId(6)}!${this.id}-${this.keyCounter}`;
    this.hub.registerKey(this, this.key);
    this.sendConnected(error);
    this.scheduleTokenExpiry();
    socket.on('message', (raw: Buffer | string, isBinary: boolean) => {
      if (this.socket !== socket) return;
      this.receive(isBinary ? (raw as Buffer) : raw.toString());
    });
    this.lastHeardAt = Date.now();
    socket.on('pong', () => {
      this.lastHeardAt = Date.now();
    });
    socket.on('close', () => this.transportClosed(socket));
    socket.on('error', () => this.transportClosed(socket));
  }

  private sendConnected(error?: EmulatorError): void {
    const details: Record<string, unknown> = {
      connectionKey: this.key,
      maxIdleInterval: this.idleInterval,
      connectionStateTtl: this.hub.settings.connectionStateTtl,
      maxMessageSize: this.hub.settings.maxMessageSize,
      maxFrameSize: this.hub.settings.maxMessageSize * 4,
      maxInboundRate: 1000,
      serverId: 'resumable-emulator',
    };
    if (this.clientId !== undefined) details.clientId = this.clientId;
    const pm: ProtocolMessage = { action: Action.CONNECTED, connectionId: this.id, connectionDetails: details };
    if (error) pm.error = error.toWire();
    this.send(pm);
  }

  /** Encode and send a protocol message on the current transport. */
  send(pm: ProtocolMessage): void {
    if (!this.socket) return;
    if (this.hub.logging) this.hub.log(`${this.id} ⇠ ${describe(pm)}`);
    this.transmit(encodeWsFrame(pm, this.format));
  }

  /** Send an already framed fan-out message. */
  sendFrame(frame: Buffer, channel: string, event: ChannelEvent): void {
    if (!this.socket) return;
    if (this.hub.logging)
      this.hub.log(`${this.id} ⇠ ${event.presence ? 'PRESENCE' : 'MESSAGE'} ${describeDelivery(channel, event)}`);
    this.transmit(frame);
  }

  private transmit(frame: Buffer): void {
    if (!this.socket) return;
    this.lastSentAt = Date.now();
    this.hub.transmit(this, this.socket, frame);
  }

  /**
   * Queue a frame for the socket and write everything queued in one go once the current I/O has been
   * handled: under load many frames share one write (the expensive part of fan-out is the syscall).
   */
  write(socket: WebSocket, frame: Buffer): void {
    if (socket !== this.socket) return;
    this.outbox.push(frame);
    if (!this.flushScheduled) {
      this.flushScheduled = true;
      this.hub.scheduleFlush(this);
    }
  }

  /** Write everything queued for the socket in one go. */
  readonly flushOutbox = (): void => {
    this.flushScheduled = false;
    const frames = this.outbox;
    if (frames.length === 0) return;
    this.outbox = [];
    const raw = (this.socket as unknown as { _socket?: { writable: boolean; write(b: Buffer): boolean } } | undefined)
      ?._socket;
    if (!raw?.writable || this.socket?.readyState !== 1) return;
    raw.write(frames.length === 1 ? (frames[0] as Buffer) : Buffer.concat(frames));
  };

  /** Keep an idle transport alive: WebSocket pings for Node, HEARTBEAT frames when asked for. */
  keepAlive(now: number): void {
    if (!this.socket) return;
    if (now - this.lastHeardAt > this.idleInterval * 4 + 2000) {
      // No frame and no pong for several idle periods: the peer is gone without a FIN. Probe once more
      // first, so a stalled event loop (pongs not read yet) is not mistaken for a silent peer.
      if (this.suspectSince > this.lastHeardAt && now - this.suspectSince >= Math.min(1000, this.idleInterval)) {
        if (this.hub.logging) this.hub.log(`${this.id} client silent; dropping its transport`);
        const socket = this.socket;
        this.transportClosed(socket);
        socket.terminate();
        return;
      }
      if (this.suspectSince <= this.lastHeardAt) this.suspectSince = now;
    }
    const idleOut = now - this.lastSentAt >= this.idleInterval / 2;
    // A client that only listens sends nothing: probe it with pings so its pongs show it is alive.
    const probe = now - this.lastHeardAt >= this.idleInterval / 2 && now - this.lastProbeAt >= this.idleInterval / 2;
    if (!idleOut && !probe) return;
    if (idleOut) {
      this.lastSentAt = now;
      if (this.heartbeats) this.send({ action: Action.HEARTBEAT });
    }
    this.lastProbeAt = now;
    try {
      this.socket.ping();
    } catch {
      // The socket is closing; its close handler cleans up.
    }
  }

  /** Drop the transport without a goodbye (the client resumes); optionally forget all state too. */
  drop(forget: boolean): void {
    const socket = this.socket;
    // The drop happens between frames: what the server already answered (ACKs included) goes out first,
    // so a fault never turns an applied publish into an unacknowledged one.
    if (socket) this.flushOutbox();
    if (forget) this.destroy();
    if (socket) {
      this.transportClosed(socket);
      sever(socket);
    }
  }

  /** Ask the client to reconnect because its token expired. */
  expireToken(): void {
    if (!this.socket || this.credentials.kind === 'basic') return;
    this.send({ action: Action.DISCONNECTED, error: errors.tokenExpired().toWire() });
    this.flushOutbox();
    const socket = this.socket;
    this.transportClosed(socket);
    socket.close();
  }

  /** Forget this connection entirely. */
  destroy(): void {
    if (this.closed) return;
    this.closed = true;
    clearTimeout(this.stateTimer);
    clearTimeout(this.tokenTimer);
    for (const attachment of this.attachments.values()) {
      attachment.channel.flushConnectionRollups(this.id);
    }
    this.detachAll();
    this.attachments.clear();
    leaveAllPresence(this);
    this.hub.forget(this);
  }

  private detachAll(): void {
    for (const attachment of this.attachments.values()) {
      attachment.attached = false;
      attachment.channel.subscribers.delete(attachment);
    }
  }

  private transportClosed(socket: WebSocket): void {
    if (this.socket !== socket) return;
    this.socket = undefined;
    this.outbox = [];
    this.detachAll();
    if (this.closed) return;
    if (this.hub.logging)
      this.hub.log(`${this.id} transport lost; state kept ${this.hub.settings.connectionStateTtl} ms for resume`);
    clearTimeout(this.stateTimer);
    this.stateTimer = setTimeout(() => {
      if (!this.socket) this.destroy();
    }, this.hub.settings.connectionStateTtl);
  }

  private scheduleTokenExpiry(): void {
    clearTimeout(this.tokenTimer);
    const expires = this.credentials.expires;
    if (expires === undefined) return;
    const delay = Math.min(Math.max(0, expires - Date.now()), 2 ** 31 - 1);
    this.tokenTimer = setTimeout(() => this.expireToken(), delay);
  }

  // ---- inbound ----

  private receive(raw: Buffer | string): void {
    this.lastHeardAt = Date.now();
    if (this.busy) {
      this.backlog.push(raw);
      return;
    }
    let pm: ProtocolMessage;
    try {
      const decoded = decodeFrame(raw, typeof raw === 'string' ? 'json' : this.format);
      if (typeof decoded !== 'object' || decoded === null || typeof (decoded as ProtocolMessage).action !== 'number') {
        throw errors.badRequest('Protocol message must be an object with a numeric action');
      }
      pm = decoded as ProtocolMessage;
    } catch (error) {
      this.fatal(toEmulatorError(error));
      return;
    }
    if (this.hub.logging && pm.action !== Action.HEARTBEAT) this.hub.log(`${this.id} ⇢ ${describe(pm)}`);
    try {
      const pending = this.handle(pm);
      if (pending) {
        this.busy = true;
        pending
          .catch((error) => this.hub.log(`${this.id} error: ${(error as Error).message}`))
          .finally(() => {
            this.busy = false;
            while (!this.busy && this.backlog.length > 0) this.receive(this.backlog.shift() as Buffer | string);
          });
      }
    } catch (error) {
      const err = toEmulatorError(error);
      this.hub.log(`${this.id} error handling ${actionNames[pm.action] ?? pm.action}: ${err.message}`);
      if (pm.channel !== undefined) this.send({ action: Action.ERROR, channel: pm.channel, error: err.toWire() });
    }
  }

  private fatal(error: EmulatorError): void {
    this.hub.log(`${this.id} fatal: ${error.message}`);
    this.send({ action: Action.ERROR, error: error.toWire() });
    this.flushOutbox();
    const socket = this.socket;
    this.destroy();
    socket?.close();
  }

  private handle(pm: ProtocolMessage): Promise<void> | undefined {
    switch (pm.action) {
      case Action.HEARTBEAT: {
        const reply: ProtocolMessage = { action: Action.HEARTBEAT };
        if (pm.id !== undefined) reply.id = pm.id;
        this.send(reply);
        return;
      }
      case Action.CLOSE: {
        this.send({ action: Action.CLOSED });
        this.flushOutbox();
        const socket = this.socket;
        this.destroy();
        socket?.close();
        return;
      }
      case Action.DISCONNECT: {
        this.flushOutbox();
        const socket = this.socket;
        if (socket) {
          this.transportClosed(socket);
          socket.close();
        }
        return;
      }
      case Action.ATTACH:
        attachChannel(this, pm);
        return;
      case Action.DETACH:
        detachChannel(this, pm);
        return;
      case Action.MESSAGE:
        this.publish(pm);
        return;
      case Action.PRESENCE:
        this.acknowledge(pm, () => applyClientPresence(this, pm));
        return;
      case Action.SYNC:
        answerSyncRequest(this, pm);
        return;
      case Action.ANNOTATION:
        this.acknowledge(pm, () => {
          throw new EmulatorError(40000, 400, 'Annotations are not implemented by the emulator');
        });
        return;
      case Action.AUTH:
        return this.reauthorize(pm);
      default:
        // Unknown or server-only actions are ignored, as the SDK does with unknown actions.
        this.hub.log(`${this.id} ignored action ${pm.action}`);
        return;
    }
  }

  private async reauthorize(pm: ProtocolMessage): Promise<void> {
    const token = pm.auth?.accessToken;
    let credentials: Credentials;
    try {
      if (typeof token !== 'string' || token === '') throw errors.badRequest('AUTH needs auth.accessToken');
      credentials = await this.hub.auth.authenticateToken(token);
      if (credentials.keyName !== this.credentials.keyName && this.credentials.kind !== 'basic') {
        throw new EmulatorError(40102, 401, 'New token is for a different key than the connection');
      }
      checkReauthClientId(this.clientId, credentials.clientId);
    } catch (error) {
      const err = toEmulatorError(error);
      if (err.code >= 40140 && err.code < 40150) {
        this.send({ action: Action.ERROR, error: err.toWire() });
        this.flushOutbox();
        const socket = this.socket;
        if (socket) {
          this.transportClosed(socket);
          socket.close();
        }
      } else {
        this.fatal(err);
      }
      return;
    }
    this.credentials = credentials;
    this.scheduleTokenExpiry();
    this.sendConnected();
  }

  // ---- channels ----

  private can(channel: string, operation: Operation): boolean {
    return capabilityAllows(this.credentials.capability, channel, operation);
  }

  // ---- publishing ----

  /** Run `work` once per msgSerial and send its ACK/NACK in order; resent msgSerials get the original answer. */
  private acknowledge(pm: ProtocolMessage, work: () => Array<string | null>): void {
    const msgSerial = typeof pm.msgSerial === 'number' ? pm.msgSerial : undefined;
    if (msgSerial !== undefined && msgSerial < this.nextMsgSerial) {
      const earlier = this.results.get(msgSerial);
      if (earlier) this.send(earlier);
      return;
    }
    let reply: ProtocolMessage;
    try {
      const serials = work();
      reply = { action: Action.ACK, msgSerial: msgSerial ?? 0, count: 1, res: [{ serials }] };
    } catch (error) {
      const err = toEmulatorError(error);
      if (this.hub.logging) this.hub.log(`${this.id} NACK ${err.code}: ${err.message}`);
      reply = { action: Action.NACK, msgSerial: msgSerial ?? 0, count: 1, error: err.toWire() };
    }
    if (msgSerial === undefined) return;
    this.nextMsgSerial = msgSerial + 1;
    this.results.set(msgSerial, reply);
    if (this.results.size > MAX_RESULTS_KEPT) this.results.delete(msgSerial - MAX_RESULTS_KEPT);
    this.send(reply);
  }

  private publish(pm: ProtocolMessage): void {
    this.acknowledge(pm, () => {
      const name = pm.channel as string;
      const parsed = parseChannelName(name);
      if (parsed.filter !== undefined) {
        throw errors.badRequest(
          `Cannot publish on a channel with a subscription filter (as on Ably): publish on channels.get("${parsed.base}")`,
        );
      }
      const base = parsed.base;
      const messages = Array.isArray(pm.messages) ? pm.messages : [];
      const channel = this.hub.channel(base);
      const pmId = `${this.id}:${pm.msgSerial ?? 0}`;
      const ctx = {
        pmId,
        connectionId: this.id,
        rollupWindow: this.rollupWindow,
        maxMessageSize: this.hub.settings.maxMessageSize,
      } as Parameters<Channel['publish']>[1];
      const identified = this.clientId !== undefined && this.clientId !== '*' ? this.clientId : undefined;
      if (identified !== undefined) ctx.clientId = identified;
      const attachment = this.attachments.get(name);
      const mutations = messages.filter((m) => m && typeof m === 'object' && (m.action ?? 0) !== MessageAction.CREATE);
      if (mutations.length === 0) {
        if (!this.can(name, 'publish')) throw errors.capability(`Publish denied: no "publish" capability on "${name}"`);
        if (attachment?.attached && !(attachment.flags & Flag.PUBLISH)) {
          throw new EmulatorError(
            40165,
            401,
            `Publish denied: channel "${name}" was attached without the "publish" mode`,
          );
        }
        const incoming = messages.map((m) => {
          if (typeof m !== 'object' || m === null) throw errors.badRequest('Each message must be an object');
          const msg = toIncomingMessage(m);
          this.checkClientId(msg.clientId);
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
        return channel.mutate(op, ctx, (stored) => this.authorizeMutation(name, op, stored));
      });
    });
  }

  private checkClientId(clientId: string | undefined): void {
    if (clientId === undefined) return;
    if (clientId === '*') throw errors.invalidClientId('A message clientId cannot be "*"');
    if (this.clientId === '*') return;
    if (this.clientId !== undefined && clientId !== this.clientId) {
      throw errors.invalidClientId(
        `Message clientId "${clientId}" does not match the connection's clientId "${this.clientId}"`,
      );
    }
    if (this.clientId === undefined && this.credentials.kind !== 'basic') {
      throw errors.invalidClientId(
        `An unidentified token cannot publish as clientId "${clientId}"; put the clientId in the token`,
      );
    }
  }

  private authorizeMutation(name: string, op: IncomingMutation, stored: StoredMessage): void {
    authorizeMutation(this.credentials.capability, this.clientId, name, op, stored);
  }
}

/** Check message-update/delete-own/any for a mutation by `actorClientId`; 40160 when not allowed. */
export function authorizeMutation(
  capability: Capability,
  actorClientId: string | undefined,
  channel: string,
  op: IncomingMutation,
  stored: StoredMessage,
): void {
  const kind = op.action === MessageAction.DELETE ? 'delete' : 'update';
  if (capabilityAllows(capability, channel, `message-${kind}-any`)) return;
  const own =
    actorClientId !== undefined &&
    actorClientId !== '*' &&
    stored.clientId !== undefined &&
    stored.clientId === actorClientId;
  if (own && capabilityAllows(capability, channel, `message-${kind}-own`)) return;
  throw errors.capability(
    own
      ? `No "message-${kind}-own" or "message-${kind}-any" capability on "${channel}"`
      : `Needs "message-${kind}-any" on "${channel}" (or "message-${kind}-own" as the identified client that published the message)`,
  );
}

/**
 * End a WebSocket's TCP stream without a WebSocket close frame (the client sees an abrupt transport
 * loss), after written data; destroy it if the peer does not close its side soon.
 */
export function sever(socket: WebSocket): void {
  const raw = (socket as unknown as { _socket?: { destroyed: boolean; end(): void } })._socket;
  if (!raw || raw.destroyed) {
    socket.terminate();
    return;
  }
  raw.end();
  setTimeout(() => socket.terminate(), 500).unref();
}

/** One readable log line for a protocol message; never throws, whatever the client sent. */
function describe(pm: ProtocolMessage): string {
  try {
    const text = (value: unknown) => (typeof value === 'string' ? value : JSON.stringify(value));
    const parts = [actionNames[pm.action] ?? `action ${text(pm.action)}`];
    if (pm.channel !== undefined) parts.push(text(pm.channel));
    if (pm.msgSerial !== undefined) parts.push(`msgSerial=${text(pm.msgSerial)}`);
    if (pm.channelSerial !== undefined) parts.push(`channelSerial=${text(pm.channelSerial)}`);
    if (pm.flags) parts.push(`flags=${text(pm.flags)}`);
    if (Array.isArray(pm.messages)) {
      for (const m of pm.messages.slice(0, 3)) {
        if (typeof m !== 'object' || m === null) continue;
        const data =
          typeof m.data === 'string' ? JSON.stringify(m.data.length > 40 ? `${m.data.slice(0, 40)}…` : m.data) : '';
        const action = typeof m.action === 'number' ? m.action : 0;
        parts.push(
          `[${['create', 'update', 'delete', 'meta', 'summary', 'append'][action] ?? text(m.action)}${m.serial ? ` ${text(m.serial)}` : ''}${m.name ? ` ${text(m.name)}` : ''} ${data}]`,
        );
      }
    }
    if (pm.error) parts.push(`error ${pm.error.code}: ${pm.error.message}`);
    return parts.join(' ');
  } catch {
    return `action ${String(pm.action)} (unprintable)`;
  }
}
