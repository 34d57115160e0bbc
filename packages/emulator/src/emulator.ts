/**
 * The emulator server: one port for HTTP (REST and the control endpoint) and WebSocket, the channels
 * and connections it holds, the built-in key's rules, and restart and stop. A WebSocket's handshake is
 * `websocket-handshake.ts`; the faults are `fault-injection.ts`.
 *
 * @module
 */
import { randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { type WebSocket, WebSocketServer } from 'ws';
import { AuthRegistry, type Credentials } from './auth.js';
import { Channel } from './channel.js';
import type { Connection, Hub, HubSettings } from './connection.js';
import { checkControlToken, createControlToken } from './control-auth.js';
import { CutOffs } from './cut-offs.js';
import { DeliveryQueue } from './delivery-queue.js';
import type {
  ClientOptionsRequest,
  Emulator,
  EmulatorClientOptions,
  EmulatorFaults,
  EmulatorOptions,
} from './emulator-api.js';
import { EmulatorError } from './errors.js';
import { createFaults } from './fault-injection.js';
import { parseKey } from './keys.js';
import { fromWebPage, OriginPolicy } from './origin-policy.js';
import { handleHttp } from './rest.js';
import { SerialClock } from './serials.js';
import { acceptWebSocket } from './websocket-handshake.js';

export type {
  ClientOptionsRequest,
  CutOffOptions,
  Emulator,
  EmulatorClientOptions,
  EmulatorFaults,
  EmulatorOptions,
} from './emulator-api.js';

/**
 * The key every emulator accepts unless `keys` says otherwise (full capability). It is public, so it
 * only works from this machine (loopback peers), only on an emulator, and never from a web page (403
 * 40300): issue tokens from a server instead, and never expect it to work on Ably.
 *
 * @example
 * ```ts
 * new Ably.Rest({ key: DEFAULT_KEY, endpoint: '127.0.0.1', port: 8787, tls: false });
 * ```
 */
export const DEFAULT_KEY = 'resumable.local:local-emulator-secret';

const LOOPBACK = new Set(['127.0.0.1', '::1', '::ffff:127.0.0.1']);

/** The emulator server: HTTP (REST + control) and WebSocket on one port. */
export class EmulatorServer implements Hub, Emulator {
  readonly auth: AuthRegistry;
  readonly settings: HubSettings;
  readonly logging: boolean;
  readonly channels = new Map<string, Channel>();
  readonly connections = new Map<string, Connection>();
  private readonly connectionsByKey = new Map<string, Connection>();
  private readonly clock = new SerialClock(randomBytes(3).toString('hex'));
  private readonly logLine: (line: string) => void;
  private readonly keyList: string[];
  private http: Server | undefined;
  private wss: WebSocketServer | undefined;
  private keepAliveTimer: NodeJS.Timeout | undefined;
  private readonly delivery = new DeliveryQueue();
  readonly origins: OriginPolicy;
  readonly controlToken: string;
  private readonly defaultKeyName = parseKey(DEFAULT_KEY).keyName;
  /** Connections cut off the network, and the resume attempts held meanwhile. */
  readonly cutOffs = new CutOffs((line) => this.log(line));
  readonly faults: EmulatorFaults;
  port = 0;

  constructor(private readonly options: EmulatorOptions = {}) {
    const keys = options.keys && options.keys.length > 0 ? options.keys : [DEFAULT_KEY];
    this.keyList = keys.map((k) => (typeof k === 'string' ? k : k.key));
    this.auth = new AuthRegistry(keys);
    this.origins = new OriginPolicy(options.allowedOrigins);
    this.controlToken = checkControlToken(options.controlToken ?? createControlToken());
    this.settings = {
      connectionStateTtl: options.connectionStateTtl ?? 120_000,
      maxIdleInterval: options.maxIdleInterval ?? 15_000,
      maxMessageSize: options.maxMessageSize ?? 65_536,
      appendRollupWindow: options.appendRollupWindow ?? 40,
      namespaces: { ai: { mutableMessages: true }, ...options.namespaces },
    };
    const log = options.log;
    this.logging = Boolean(log);
    this.logLine =
      typeof log === 'function' ? log : log ? (line) => process.stdout.write(`${timestamp()} ${line}\n`) : () => {};
    this.faults = createFaults({
      connections: this.connections,
      delivery: this.delivery,
      auth: this.auth,
      cutOffs: this.cutOffs,
      log: (line) => this.log(line),
    });
  }

  get key(): string {
    return this.keyList[0] as string;
  }

  get httpUrl(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  get wsUrl(): string {
    return `ws://127.0.0.1:${this.port}`;
  }

  log(line: string): void {
    this.logLine(line);
  }

  allowedOrigins(): string[] {
    return this.origins.list();
  }

  allowOrigin(origin: string): void {
    this.log(`pages of ${this.origins.allow(origin)} allowed`);
  }

  /**
   * The built-in key is public: credentials from it (the key, its tokens, JWTs signed with it) are only
   * accepted from this machine, and the key itself never from a web page (pages get tokens that a
   * program signed, so no page ever holds a full-capability key it could be tricked into using).
   */
  admitCredentials(credentials: Credentials, req: IncomingMessage): void {
    if (credentials.keyName !== this.defaultKeyName) return;
    if (!this.isLoopback(req)) {
      throw new EmulatorError(
        40300,
        403,
        `The built-in development key "${this.defaultKeyName}" only works from this machine: start the emulator with your own key (option keys, CLI --key) to accept other hosts`,
      );
    }
    if (credentials.kind === 'basic' && fromWebPage(req)) {
      throw new EmulatorError(
        40300,
        403,
        `The built-in development key "${this.defaultKeyName}" is refused from web pages: give the page a token (authUrl or authCallback) that your server signs with the key, as the demo and Storybook do`,
      );
    }
  }

  /** Start listening. */
  async listen(port = this.options.port ?? 0): Promise<void> {
    const http = createServer((req, res) => {
      handleHttp(this, req, res).catch((error) => {
        this.log(`http error: ${(error as Error).message}`);
        if (!res.headersSent) res.writeHead(500);
        res.end();
      });
    });
    http.on('clientError', (_error, socket) => socket.destroy());
    const wss = new WebSocketServer({ noServer: true, maxPayload: this.settings.maxMessageSize * 16 + 65_536 });
    http.on('upgrade', (req, socket, head) => {
      socket.on('error', () => socket.destroy());
      const refusal = this.origins.refusal(req);
      if (refusal) {
        this.log(`WebSocket refused: ${refusal.message}`);
        socket.end(
          `HTTP/1.1 403 Forbidden\r\nContent-Type: text/plain\r\nConnection: close\r\n\r\n${refusal.code} ${refusal.message}\n`,
        );
        return;
      }
      wss.handleUpgrade(req, socket, head, (ws) => {
        acceptWebSocket(this, ws, req).catch((error) => {
          this.log(`connect error: ${(error as Error).message}`);
          ws.terminate();
        });
      });
    });
    await new Promise<void>((resolve, reject) => {
      http.once('error', reject);
      http.listen(port, this.options.host ?? '127.0.0.1', () => {
        http.off('error', reject);
        resolve();
      });
    });
    this.http = http;
    this.wss = wss;
    this.port = (http.address() as AddressInfo).port;
    const tick = Math.max(20, Math.min(1000, this.settings.maxIdleInterval / 4));
    this.keepAliveTimer = setInterval(() => {
      const now = Date.now();
      for (const connection of this.connections.values()) connection.keepAlive(now);
    }, tick);
    this.keepAliveTimer.unref();
  }

  channel(name: string): Channel {
    let channel = this.channels.get(name);
    if (!channel) {
      const namespace = name.includes(':') ? name.slice(0, name.indexOf(':')) : undefined;
      const rule = namespace !== undefined ? this.settings.namespaces[namespace] : undefined;
      channel = new Channel(
        name,
        Boolean(rule?.mutableMessages),
        randomBytes(4).toString('hex'),
        this.clock,
        this.options.maxEventsPerChannel ?? 10_000,
      );
      this.channels.set(name, channel);
    }
    return channel;
  }

  // One check-phase callback flushes every connection written to in this turn: a fan-out to N
  // subscribers then costs one scheduled callback, not N.
  private readonly flushQueue: Connection[] = [];
  scheduleFlush(connection: Connection): void {
    if (this.flushQueue.push(connection) === 1) setImmediate(this.flushConnections);
  }
  private readonly flushConnections = (): void => {
    // Connections queued while flushing (none today: a flush only writes) wait for the next turn.
    const queued = this.flushQueue.splice(0);
    for (const connection of queued) connection.flushOutbox();
  };

  /** The live connection a connectionKey names (any key it was given), for publishing on its behalf. */
  connectionForKey(key: string): Connection | undefined {
    const connection = this.connectionsByKey.get(key);
    return connection && !connection.closed ? connection : undefined;
  }

  registerKey(connection: Connection, key: string): void {
    this.connectionsByKey.set(key, connection);
  }

  forget(connection: Connection): void {
    this.connections.delete(connection.id);
    for (const [key, value] of this.connectionsByKey) if (value === connection) this.connectionsByKey.delete(key);
    this.log(`${connection.id} state discarded`);
  }

  transmit(connection: Connection, socket: WebSocket, frame: Buffer): void {
    this.delivery.transmit(connection, socket, frame);
  }

  /** Is this request from the local machine (for the control endpoint)? */
  isLoopback(req: IncomingMessage): boolean {
    return LOOPBACK.has(req.socket.remoteAddress ?? '');
  }

  clientOptions(request: ClientOptionsRequest = {}): EmulatorClientOptions {
    const options: EmulatorClientOptions = {
      key: request.key ?? this.key,
      endpoint: '127.0.0.1',
      port: this.port,
      tls: false,
      useBinaryProtocol: request.format === 'msgpack',
      transports: ['web_socket'],
      disableConnectivityCheck: true,
    };
    if (request.clientId !== undefined) options.clientId = request.clientId;
    return options;
  }

  connectionIds(): string[] {
    return [...this.connections.keys()];
  }

  async restart(options: { keepConnections?: boolean } = {}): Promise<void> {
    const port = this.port;
    await this.close(!options.keepConnections);
    await this.listen(port);
    this.log(`restarted on port ${port}`);
  }

  async stop(): Promise<void> {
    await this.close(true);
  }

  private async close(forgetConnections: boolean): Promise<void> {
    clearInterval(this.keepAliveTimer);
    this.delivery.clear();
    this.cutOffs.terminateHeld();
    for (const channel of this.channels.values()) channel.flushRollups();
    for (const connection of [...this.connections.values()]) connection.drop(forgetConnections);
    // Give severed sockets a moment to close cleanly (so written frames are read), then force the rest.
    const deadline = Date.now() + 300;
    while ((this.wss?.clients.size ?? 0) > 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10));
    for (const client of this.wss?.clients ?? []) client.terminate();
    this.wss?.close();
    const http = this.http;
    this.http = undefined;
    if (http) {
      http.closeAllConnections();
      await new Promise<void>((resolve) => http.close(() => resolve()));
    }
  }
}

function timestamp(): string {
  return new Date().toISOString().slice(11, 23);
}

/**
 * Start a local Ably-compatible emulator (WebSocket realtime + REST on one port).
 *
 * @example
 * ```ts
 * import * as Ably from 'ably';
 * import { startEmulator } from '@resumable/emulator';
 *
 * const emulator = await startEmulator({ port: 0 });
 * const client = new Ably.Realtime(emulator.clientOptions({ format: 'json' }));
 * await client.channels.get('ai:chat').publish('response', '');
 * client.close();
 * await emulator.stop();
 * ```
 */
export async function startEmulator(options: EmulatorOptions = {}): Promise<Emulator> {
  const server = new EmulatorServer(options);
  await server.listen();
  return server;
}
