// The public shape of an emulator: its options, its fault injection and the running server's members.
import type * as Ably from 'ably';
import type { KeyConfig } from './auth.js';
import type { NamespaceRule } from './channel.js';

/**
 * Options for {@link startEmulator}.
 *
 * @example
 * ```ts
 * await startEmulator({ port: 0, connectionStateTtl: 2000, namespaces: { chat: { mutableMessages: true } } });
 * ```
 */
export interface EmulatorOptions {
  /** Port to listen on; 0 (default) picks a free one. */
  port?: number;
  /** Interface to listen on. Default `127.0.0.1`. */
  host?: string;
  /** Accepted keys; the first is {@link Emulator.key}. Default: one full-capability key, {@link DEFAULT_KEY}. */
  keys?: Array<KeyConfig | string>;
  /** Namespace rules, merged over the default `{ ai: { mutableMessages: true } }`. */
  namespaces?: Record<string, NamespaceRule>;
  /** How long a connection's state outlives its transport, for resume (ms). Default 120000. */
  connectionStateTtl?: number;
  /** Keep-alive period announced to clients (ms). Default 15000. */
  maxIdleInterval?: number;
  /** Message size limit in bytes (applies to concatenated appends too). Default 65536. */
  maxMessageSize?: number;
  /** Append rollup window for connections that do not set `appendRollupWindow` (ms). Default 40. */
  appendRollupWindow?: number;
  /** Channel events kept per channel for resume. Default 10000. */
  maxEventsPerChannel?: number;
  /** Log connections and channel traffic: `true` for stdout, or a function per line. */
  log?: boolean | ((line: string) => void);
  /**
   * Page origins (`http://localhost:5173`) whose pages may use the emulator: CORS, REST and WebSocket.
   * Requests from any other page are refused (403); programs (Node, curl) send no Origin and are not
   * affected. Default: none (the emulator cannot tell your dev server's page from any other page on
   * this machine, so each dev server registers its own). Add more later with {@link Emulator.allowOrigin}.
   */
  allowedOrigins?: readonly string[];
  /**
   * The control token `/_emulator/*` requires (at least 16 characters of `A-Z a-z 0-9 - _ . ~`).
   * Default: a random one per process, read it from {@link Emulator.controlToken}.
   */
  controlToken?: string;
}

/**
 * Fault injection for tests and demos.
 *
 * @example
 * ```ts
 * emulator.faults.dropConnections(client.connection.id!); // the client resumes
 * emulator.faults.expireConnections(); // every resume fails with 80008
 * ```
 */
export interface EmulatorFaults {
  /** Drop the transport of one connection (or all) without a goodbye; the client resumes. Returns how many. */
  dropConnections(connectionId?: string): number;
  /** Drop and forget one connection (or all): the resume fails (80008) and channels reattach with resumed=false. */
  expireConnections(connectionId?: string): number;
  /**
   * Hold every outgoing frame for `ms` from now (0 ends a pause), then deliver them in order.
   *
   * @param ms 0..600000 ms
   * @throws EmulatorError 40003 for a bad `ms`
   */
  pauseDelivery(ms: number): void;
  /**
   * Delay every outgoing frame by `ms` from now on (0 turns it off).
   *
   * @param ms 0..600000 ms
   * @throws EmulatorError 40003 for a bad `ms`
   */
  delayDelivery(ms: number): void;
  /** Expire every issued token and JWT: token connections get DISCONNECTED 40142 and renew. Returns affected connections. */
  expireTokens(): number;
  /**
   * Cut one connection (or every connection, without `connectionId`) off the network for `ms`, leaving
   * every other connection untouched. Its transport is dropped at once, as {@link dropConnections} does
   * (what was already answered, ACKs included, goes out first). For `ms` from now, any WebSocket that
   * tries to resume or recover that connection is accepted but held unanswered: nothing is sent and
   * nothing read, as if its packets went nowhere. When the cut-off ends, the held attempt proceeds as a
   * normal resume (or is cleaned up if the client gave up and closed it meanwhile). Connection state
   * follows `connectionStateTtl` as usual: a cut-off longer than it ends in a failed resume (80008).
   * With `expire: true` the connection's state is also discarded now, so the resume after the cut-off
   * fails with 80008 and channels reattach with `resumed: false` (an outage, for that connection only).
   * Brand-new connections are never held. Returns how many connections were cut off.
   *
   * @param connectionId the connection to cut off; all connections when undefined
   * @param ms how long, 0..600000 ms (0 is a plain drop)
   * @throws EmulatorError 40003 for a bad `ms`, 40400 for an unknown `connectionId`
   * @example
   * ```ts
   * emulator.faults.cutOff(client.connection.id, 1500); // resumes (same id) once 1.5 s have passed
   * emulator.faults.cutOff(client.connection.id, 5000, { expire: true }); // then the resume fails with 80008
   * ```
   */
  cutOff(connectionId: string | undefined, ms: number, options?: CutOffOptions): number;
}

/**
 * Options for {@link EmulatorFaults.cutOff}.
 *
 * @example
 * ```ts
 * emulator.faults.cutOff(connectionId, 3000, { expire: true });
 * ```
 */
export interface CutOffOptions {
  /** Also discard the connection's state now: the resume after the cut-off fails with 80008. Default false. */
  expire?: boolean;
}

/**
 * Options to build client options for the `ably` SDK.
 *
 * @example
 * ```ts
 * emulator.clientOptions({ format: 'msgpack', clientId: 'agent' });
 * ```
 */
export interface ClientOptionsRequest {
  /** `json` (browser default) or `msgpack` (Node default). Default `json`. */
  format?: 'json' | 'msgpack';
  clientId?: string;
  /** Key to use instead of {@link Emulator.key}. */
  key?: string;
}

/**
 * `ably` ClientOptions pointing at the emulator: pass them to `new Ably.Realtime(...)` or `new Ably.Rest(...)` as they are.
 *
 * @example
 * ```ts
 * const client = new Ably.Realtime({ ...emulator.clientOptions(), echoMessages: false });
 * ```
 */
export interface EmulatorClientOptions extends Ably.ClientOptions {
  key: string;
  endpoint: string;
  port: number;
  tls: false;
  useBinaryProtocol: boolean;
  transports: Ably.Transport[];
  disableConnectivityCheck: boolean;
  clientId?: string;
}

/**
 * A running emulator.
 *
 * @example
 * ```ts
 * const emulator = await startEmulator();
 * const rest = new Ably.Rest(emulator.clientOptions());
 * await emulator.restart();
 * await emulator.stop();
 * ```
 */
export interface Emulator {
  readonly port: number;
  /** `http://127.0.0.1:<port>` */
  readonly httpUrl: string;
  /** `ws://127.0.0.1:<port>` */
  readonly wsUrl: string;
  /** The first configured key (full capability by default). */
  readonly key: string;
  /**
   * The token `/_emulator/*` requires in the `x-emulator-control-token` header (the CLI prints it).
   * Only programs that started the emulator, or were handed the token, can drive faults over HTTP.
   */
  readonly controlToken: string;
  readonly faults: EmulatorFaults;
  /** The page origins that may use the emulator (see {@link EmulatorOptions.allowedOrigins}). */
  allowedOrigins(): string[];
  /**
   * Let pages of `origin` use the emulator from now on, e.g. once a dev server knows its port.
   *
   * @throws EmulatorError 40003 for something that is not a page origin
   */
  allowOrigin(origin: string): void;
  /** Client options for `new Ably.Realtime(...)` / `new Ably.Rest(...)`. */
  clientOptions(request?: ClientOptionsRequest): EmulatorClientOptions;
  /** Ids of connections the emulator holds state for. */
  connectionIds(): string[];
  /**
   * Close every socket and listen again on the same port. Channel history survives; connection state
   * is forgotten (resumes fail with 80008) unless `keepConnections` is true.
   */
  restart(options?: { keepConnections?: boolean }): Promise<void>;
  /** Close everything. */
  stop(): Promise<void>;
}
