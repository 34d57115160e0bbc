/**
 * One realtime connection's server-side state and transport: it adopts a WebSocket (new, resumed or
 * recovered), batches outgoing frames, keeps an idle transport alive, and keeps its state for
 * `connectionStateTtl` after the transport is lost. What each action a client sends does is in
 * `client-actions.ts`.
 *
 * @module
 */
import { randomBytes } from 'node:crypto';
import type { WebSocket } from 'ws';
import { AckLedger } from './ack-ledger.js';
import type { Attachment } from './attachment.js';
import type { AuthRegistry, Credentials } from './auth.js';
import type { Channel, ChannelEvent } from './channel.js';
import { handleClientAction } from './client-actions.js';
import { Action, actionNames, decodeFrame, encodeWsFrame, type Format, type ProtocolMessage } from './codec.js';
import { type EmulatorError, errors, toEmulatorError } from './errors.js';
import { Liveness } from './liveness.js';
import { describeDelivery, describeProtocolMessage } from './protocol-log.js';
import { sever, writeFrames } from './raw-socket.js';
import { leaveAllPresence } from './realtime-presence.js';

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

function randomId(bytes: number): string {
  return randomBytes(bytes).toString('base64url').replace(/[-_]/g, 'x');
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
  private readonly liveness = new Liveness();
  closed = false;
  readonly attachments = new Map<string, Attachment>();
  /** ACK/NACK answers by msgSerial, so a publish resent after a resume is applied once. */
  readonly acks = new AckLedger();
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
    this.liveness.heard();
    socket.on('pong', () => this.liveness.heard());
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
    if (this.hub.logging) this.hub.log(`${this.id} ⇠ ${describeProtocolMessage(pm)}`);
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
    this.liveness.sent();
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
    writeFrames(this.socket, frames);
  };

  /** Keep an idle transport alive: WebSocket pings for Node, HEARTBEAT frames when asked for. */
  keepAlive(now: number): void {
    if (!this.socket) return;
    const step = this.liveness.step(now, this.idleInterval);
    if (step === 'drop') {
      if (this.hub.logging) this.hub.log(`${this.id} client silent; dropping its transport`);
      const socket = this.socket;
      this.transportClosed(socket);
      socket.terminate();
      return;
    }
    if (step === undefined) return;
    if (step === 'keep-alive' && this.heartbeats) this.send({ action: Action.HEARTBEAT });
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
    this.disconnect();
  }

  /** Close the transport once what is queued has been written, keeping the state for a resume. */
  disconnect(): void {
    this.flushOutbox();
    const socket = this.socket;
    if (socket) {
      this.transportClosed(socket);
      socket.close();
    }
  }

  /** Close the transport once what is queued has been written, and forget the state (no resume). */
  close(): void {
    this.flushOutbox();
    const socket = this.socket;
    this.destroy();
    socket?.close();
  }

  /** Take the credentials of an in-band AUTH: their expiry applies, and CONNECTED carries the details again. */
  renewCredentials(credentials: Credentials): void {
    this.credentials = credentials;
    this.scheduleTokenExpiry();
    this.sendConnected();
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
    this.liveness.heard();
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
    if (this.hub.logging && pm.action !== Action.HEARTBEAT) this.hub.log(`${this.id} ⇢ ${describeProtocolMessage(pm)}`);
    try {
      const pending = handleClientAction(this, pm);
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

  /** End the connection for an error it cannot recover from: ERROR, then close without a resume. */
  fatal(error: EmulatorError): void {
    this.hub.log(`${this.id} fatal: ${error.message}`);
    this.send({ action: Action.ERROR, error: error.toWire() });
    this.close();
  }
}
