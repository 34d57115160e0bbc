import { randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { type WebSocket, WebSocketServer } from 'ws';
import { AuthRegistry, type Credentials } from './auth.js';
import { Channel } from './channel.js';
import { resolveClientId } from './client-id-rules.js';
import { encodeFrame, type Format } from './codec.js';
import { Connection, type Hub, type HubSettings } from './connection.js';
import { checkControlToken, createControlToken } from './control-auth.js';
import { checkFaultMs, DeliveryQueue } from './delivery-queue.js';
import type {
  ClientOptionsRequest,
  Emulator,
  EmulatorClientOptions,
  EmulatorFaults,
  EmulatorOptions,
} from './emulator-api.js';
import { EmulatorError, errors, toEmulatorError } from './errors.js';
import { parseKey } from './keys.js';
import { fromWebPage, OriginPolicy } from './origin-policy.js';
import { handleHttp } from './rest.js';
import { SerialClock } from './serials.js';

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

/** A resume or recover attempt held unanswered while its connection is cut off. */
interface HeldTransport {
  ws: WebSocket;
  timer: NodeJS.Timeout | undefined;
}

/** A cut-off: when it ends, and whose connection it is (a resume by anyone else is not held). */
interface CutOff {
  until: number;
  keyName: string;
  clientId: string | undefined;
}

// A connection key is `<random>!<connection id>-<counter>` (see Connection.adopt).
const CONNECTION_KEY = /^[A-Za-z0-9]+!([A-Za-z0-9]+)-\d+$/;

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
  /** Connection id → its cut-off (kept by id so it outlives discarded state). */
  private readonly cutOffs = new Map<string, CutOff>();
  private readonly held = new Set<HeldTransport>();
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
        this.accept(ws, req).catch((error) => {
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

  /** Handle a new WebSocket: authenticate, then new connection, resume or recover. */
  private async accept(ws: WebSocket, req: IncomingMessage): Promise<void> {
    ws.on('error', () => {});
    const url = new URL(req.url ?? '/', 'http://emulator');
    const query = url.searchParams;
    const format: Format = query.get('format') === 'msgpack' ? 'msgpack' : 'json';
    const resumeKey = query.get('resume') ?? query.get('recover');
    const reject = (error: EmulatorError) => {
      this.log(`connection refused: ${error.code} ${error.message}`);
      ws.send(encodeFrame({ action: 9, error: error.toWire() }, format));
      ws.close();
    };
    let credentials: Credentials;
    let clientId: string | undefined;
    try {
      if (url.pathname !== '/') throw errors.badRequest(`WebSocket path must be "/" (got "${url.pathname}")`);
      const key = query.get('key');
      const token = query.get('access_token') ?? query.get('accessToken');
      if (key) credentials = this.auth.authenticateKey(key);
      else if (token) credentials = await this.auth.authenticateToken(token);
      else throw errors.badCredentials('No credentials: connect with key= or access_token=');
      this.admitCredentials(credentials, req);
      clientId = resolveClientId(credentials, query.get('clientId') ?? undefined);
    } catch (error) {
      reject(toEmulatorError(error));
      return;
    }
    if (ws.readyState !== ws.OPEN) return;
    // Only an authenticated attempt by the cut-off connection's own identity is held.
    const cutOffId = resumeKey ? CONNECTION_KEY.exec(resumeKey)?.[1] : undefined;
    const cutOff = cutOffId !== undefined ? this.cutOffs.get(cutOffId) : undefined;
    let replayEarlyFrames: (() => void) | undefined;
    if (
      cutOffId !== undefined &&
      cutOff?.keyName === credentials.keyName &&
      cutOff.clientId === clientId &&
      this.cutOffRemaining(cutOffId) > 0
    ) {
      replayEarlyFrames = await this.holdWhileCutOff(ws, cutOffId);
      if (!replayEarlyFrames) return;
      if (this.auth.isExpired(credentials)) {
        reject(errors.tokenExpired('Token expired while the connection was cut off; renew it and reconnect'));
        return;
      }
    }
    let connection: Connection | undefined;
    let resumeError: EmulatorError | undefined;
    if (resumeKey) {
      if (!/^[A-Za-z0-9]+![A-Za-z0-9]+-\d+$/.test(resumeKey)) {
        resumeError = new EmulatorError(80018, 400, `Invalid connection key "${resumeKey}"`);
      } else {
        const known = this.connectionsByKey.get(resumeKey);
        if (!known || known.closed) {
          resumeError = new EmulatorError(80008, 400, 'Unable to recover connection (connection expired)');
        } else if (known.credentials.keyName !== credentials.keyName || known.clientId !== clientId) {
          resumeError = new EmulatorError(80011, 400, 'Unable to recover connection: credentials or clientId changed');
        } else {
          connection = known;
        }
      }
    }
    const isNew = !connection;
    if (!connection) {
      connection = new Connection(this, credentials);
      this.connections.set(connection.id, connection);
    }
    connection.credentials = credentials;
    connection.clientId = clientId;
    connection.configure(query, format);
    connection.adopt(ws, resumeError);
    replayEarlyFrames?.();
    this.log(
      `${connection.id} ${isNew ? 'connected' : query.get('resume') ? 'resumed' : 'recovered'} (${format}, ${credentials.kind} ${credentials.keyName}${clientId ? `, clientId ${clientId}` : ''})${resumeError ? ` after failed resume: ${resumeError.code}` : ''}`,
    );
  }

  /** Milliseconds left in a connection's cut-off (0 when it is not cut off; ended cut-offs are forgotten). */
  private cutOffRemaining(connectionId: string): number {
    const until = this.cutOffs.get(connectionId)?.until;
    if (until === undefined) return 0;
    const remaining = until - Date.now();
    if (remaining <= 0) this.cutOffs.delete(connectionId);
    return Math.max(0, remaining);
  }

  /**
   * Hold a resume/recover WebSocket of a cut-off connection: send nothing and read nothing until the
   * cut-off ends (it may be extended meanwhile). Then read what arrived meanwhile: resolves undefined
   * when the socket closed or its client gave up on it (a close frame was waiting), else a function
   * that hands the frames read early to the connection once it has adopted the socket.
   */
  private holdWhileCutOff(ws: WebSocket, connectionId: string): Promise<(() => void) | undefined> {
    return new Promise((resolve) => {
      const hold: HeldTransport = { ws, timer: undefined };
      this.held.add(hold);
      ws.pause();
      this.log(`${connectionId} resume attempt held (cut off)`);
      const early: Array<[Buffer, boolean]> = [];
      const keep = (raw: Buffer, isBinary: boolean) => early.push([raw, isBinary]);
      const closed = () => {
        clearTimeout(hold.timer);
        this.held.delete(hold);
        ws.off('message', keep);
        resolve(undefined);
      };
      const release = () => {
        const remaining = this.cutOffRemaining(connectionId);
        if (remaining > 0) {
          hold.timer = setTimeout(release, remaining);
          return;
        }
        hold.timer = undefined;
        this.held.delete(hold);
        ws.on('message', keep);
        ws.resume();
        // Let what arrived meanwhile be read first: a client that gave up has sent a close frame.
        setImmediate(() => {
          if (ws.readyState !== ws.OPEN) {
            this.log(`${connectionId} cut-off over; a held resume attempt was abandoned by its client`);
            ws.terminate();
            return; // `closed` resolves
          }
          ws.off('close', closed);
          this.log(`${connectionId} cut-off over; the held resume attempt proceeds`);
          resolve(() => {
            ws.off('message', keep);
            for (const [raw, isBinary] of early.splice(0)) ws.emit('message', raw, isBinary);
          });
        });
      };
      ws.once('close', closed);
      release();
    });
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

  readonly faults: EmulatorFaults = {
    dropConnections: (connectionId) => this.eachConnection(connectionId, (c) => c.drop(false), 'dropped'),
    expireConnections: (connectionId) => this.eachConnection(connectionId, (c) => c.drop(true), 'expired'),
    pauseDelivery: (ms) => {
      this.delivery.pause(ms);
      this.log(`delivery paused for ${ms} ms`);
    },
    delayDelivery: (ms) => {
      this.delivery.delay(ms);
      this.log(`delivery delay set to ${ms} ms`);
    },
    expireTokens: () => {
      this.auth.expireAllTokens();
      return this.eachConnection(undefined, (c) => c.expireToken(), 'token expired');
    },
    cutOff: (connectionId, ms, options = {}) => {
      checkFaultMs('Cut-off', ms);
      if (connectionId !== undefined && !this.connections.has(connectionId)) {
        throw errors.notFound(
          `Unknown connection "${connectionId}": the emulator holds no state for it (list them with GET /_emulator/connections)`,
        );
      }
      const now = Date.now();
      for (const [id, end] of this.cutOffs) if (end.until <= now) this.cutOffs.delete(id);
      const until = now + ms;
      const expire = options.expire === true;
      return this.eachConnection(
        connectionId,
        (c) => {
          // Mark first: the client may try to resume as soon as its transport drops.
          if (ms > 0) this.cutOffs.set(c.id, { until, keyName: c.credentials.keyName, clientId: c.clientId });
          c.drop(expire);
        },
        `cut off for ${ms} ms${expire ? ', state discarded' : ''}`,
      );
    },
  };

  private eachConnection(connectionId: string | undefined, action: (c: Connection) => void, what: string): number {
    const targets = connectionId === undefined ? [...this.connections.values()] : [this.connections.get(connectionId)];
    let count = 0;
    for (const connection of targets) {
      if (!connection) continue;
      action(connection);
      count += 1;
      this.log(`${connection.id} ${what} (fault)`);
    }
    return count;
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
    for (const hold of [...this.held]) hold.ws.terminate();
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
