import msgpack from '@ably/msgpack-js';
import * as Ably from 'ably';
import type { Emulator } from '../src/index.js';

/** Both wire formats, for `describe.each`. */
export const formats = ['json', 'msgpack'] as const;

/** A unique channel name per call. */
let counter = 0;
export function uniqueChannel(prefix = 'ai:test'): string {
  counter += 1;
  return `${prefix}-${process.pid}-${counter}`;
}

/** Track SDK clients so every test closes what it opened. */
export class Clients {
  private readonly opened: Array<Ably.Realtime> = [];

  constructor(private readonly emulator: () => Emulator) {}

  realtime(
    options: { format: 'json' | 'msgpack'; clientId?: string; key?: string } & Partial<Ably.ClientOptions>,
  ): Ably.Realtime {
    const { format, clientId, key, ...rest } = options;
    const request: { format: 'json' | 'msgpack'; clientId?: string; key?: string } = { format };
    if (clientId !== undefined) request.clientId = clientId;
    if (key !== undefined) request.key = key;
    const client = new Ably.Realtime({
      ...this.emulator().clientOptions(request),
      logLevel: 0,
      ...rest,
    } as Ably.ClientOptions);
    this.opened.push(client);
    return client;
  }

  rest(
    options: { format: 'json' | 'msgpack'; clientId?: string; key?: string } & Partial<Ably.ClientOptions>,
  ): Ably.Rest {
    const { format, clientId, key, ...rest } = options;
    const request: { format: 'json' | 'msgpack'; clientId?: string; key?: string } = { format };
    if (clientId !== undefined) request.clientId = clientId;
    if (key !== undefined) request.key = key;
    return new Ably.Rest({ ...this.emulator().clientOptions(request), logLevel: 0, ...rest } as Ably.ClientOptions);
  }

  closeAll(): void {
    for (const client of this.opened.splice(0)) client.close();
  }
}

/** Resolve when `predicate` holds, polling every 5 ms; reject after `timeoutMs`. */
export async function waitFor(predicate: () => boolean, timeoutMs = 10_000, what = 'condition'): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!predicate()) {
    if (Date.now() > deadline) throw new Error(`Timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

/** Wait for a connection state. */
export function connectionState(
  client: Ably.Realtime,
  state: Ably.ConnectionState,
): Promise<Ably.ConnectionStateChange> {
  return new Promise((resolve) => {
    client.connection.once(state, resolve);
  });
}

/** Wait for a channel state change. */
export function channelState(
  channel: Ably.RealtimeChannel,
  state: Ably.ChannelState,
): Promise<Ably.ChannelStateChange> {
  return new Promise((resolve) => {
    channel.once(state, resolve);
  });
}

/** Subscribe and collect messages. */
export async function collect(channel: Ably.RealtimeChannel): Promise<Ably.InboundMessage[]> {
  const received: Ably.InboundMessage[] = [];
  await channel.subscribe((message) => {
    received.push(message);
  });
  return received;
}

/** Fold deliveries for one serial the way a correct client would: update replaces, append concatenates. */
export function foldText(messages: Ably.InboundMessage[], serial: string): string {
  let text = '';
  for (const m of messages) {
    if (m.serial !== serial) continue;
    if (m.action === 'message.append') text += String(m.data ?? '');
    else text = String(m.data ?? '');
  }
  return text;
}

export const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * A raw WebSocket client speaking JSON protocol messages, for bad-input and wire-level tests.
 * `headers` go with the upgrade request (e.g. the `Origin` a page's socket would send).
 */
export async function rawConnection(emulator: Emulator, query: string, headers?: Record<string, string>) {
  const { WebSocket } = await import('ws');
  const ws = new WebSocket(`${emulator.wsUrl}/?${query}`, headers ? { headers } : undefined);
  const inbox: Array<Record<string, unknown>> = [];
  const waiters: Array<() => void> = [];
  let closed = false;
  ws.on('message', (raw, isBinary) => {
    inbox.push(isBinary ? msgpack.decode(raw as Buffer) : JSON.parse(raw.toString()));
    for (const w of waiters.splice(0)) w();
  });
  ws.on('close', () => {
    closed = true;
    for (const w of waiters.splice(0)) w();
  });
  await new Promise<void>((resolve, reject) => {
    ws.once('open', () => resolve());
    ws.once('error', reject);
  });
  return {
    ws,
    get closed() {
      return closed;
    },
    send(value: unknown) {
      ws.send(typeof value === 'string' ? value : JSON.stringify(value));
    },
    /** The next protocol message whose action matches (others are skipped). */
    async next(action?: number, timeoutMs = 8000): Promise<Record<string, unknown>> {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const index = inbox.findIndex((m) => action === undefined || m.action === action);
        if (index >= 0) return inbox.splice(index, 1)[0] as Record<string, unknown>;
        if (closed) throw new Error(`Socket closed before action ${action}`);
        if (Date.now() > deadline) throw new Error(`Timed out waiting for action ${action}`);
        await new Promise<void>((resolve) => {
          waiters.push(resolve);
          setTimeout(resolve, 50);
        });
      }
    },
    close() {
      ws.close();
    },
  };
}

/**
 * Call the control endpoint as a program on this machine does: with the control token, and the body
 * as JSON (a GET without `body`).
 */
export async function control(emulator: Emulator, path: string, body?: unknown): Promise<Response> {
  const headers: Record<string, string> = { 'x-emulator-control-token': emulator.controlToken };
  if (body === undefined) return fetch(`${emulator.httpUrl}/_emulator/${path}`, { headers });
  headers['content-type'] = 'application/json';
  return fetch(`${emulator.httpUrl}/_emulator/${path}`, { method: 'POST', headers, body: JSON.stringify(body) });
}
