// Seeded chaos schedules: an agent streams a response while viewers are cut off (0.1 to 5 s),
// refresh the page (remount with a new client) and join late. Every viewer still on the page at
// the end must show exactly the agent's text, marked complete. Shared by the test suite and
// `pnpm bench chaos`.

import { writeFileSync } from 'node:fs';
import { createServer, type Server, type Socket, connect as tcpConnect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { HydrationStrategy, ResponsePattern } from '@resumable/core';
import * as Ably from 'ably';
import { StrictMode } from 'react';
import { createRoot, type Root } from 'react-dom/client';
import { describeChannelLog, ViewerTrace } from './chaos-trace.js';
import { Transcript } from './components.js';
import { AGENT_TRANSPORT_PARAMS, type Emulator, makeTokens, pacedTokens, sleep } from './helpers.js';

/** mulberry32: small, fast, and the same sequence for the same seed everywhere. */
function random(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}

export type ChaosEvent =
  | { readonly atToken: number; readonly kind: 'disconnect'; readonly ms: number }
  | { readonly atToken: number; readonly kind: 'refresh'; readonly gapMs: number }
  | { readonly atToken: number; readonly kind: 'late-join' };

export interface ChaosSchedule {
  readonly seed: number;
  readonly pattern: ResponsePattern;
  readonly strategy: HydrationStrategy;
  readonly tokens: readonly string[];
  readonly tokenDelayMs: number;
  readonly events: readonly ChaosEvent[];
}

/** The schedule for `seed`: the same seed always gives the same schedule. */
export function makeSchedule(seed: number): ChaosSchedule {
  const next = random(seed);
  const pick = <T,>(items: readonly T[]): T => items[Math.floor(next() * items.length)]!;
  const tokenCount = 12 + Math.floor(next() * 24);
  const events: ChaosEvent[] = [];
  const eventCount = 1 + Math.floor(next() * 3);
  for (let i = 0; i < eventCount; i++) {
    const atToken = Math.floor(next() * tokenCount);
    const kind = pick(['disconnect', 'disconnect', 'refresh', 'late-join'] as const);
    if (kind === 'disconnect') events.push({ atToken, kind, ms: Math.round(100 + next() * 4900) });
    else if (kind === 'refresh') events.push({ atToken, kind, gapMs: Math.round(next() * 300) });
    else events.push({ atToken, kind });
  }
  events.sort((a, b) => a.atToken - b.atToken);
  return {
    seed,
    pattern: pick(['message-per-response', 'message-per-token'] as const),
    strategy: pick(['rewind', 'history'] as const),
    tokens: makeTokens(tokenCount, seed),
    tokenDelayMs: 5 + Math.floor(next() * 25),
    events,
  };
}

export function describeSchedule(schedule: ChaosSchedule): string {
  const events = schedule.events
    .map((e) =>
      e.kind === 'disconnect'
        ? `disconnect ${e.ms}ms @${e.atToken}`
        : e.kind === 'refresh'
          ? `refresh (gap ${e.gapMs}ms) @${e.atToken}`
          : `late join @${e.atToken}`,
    )
    .join(', ');
  return `seed ${schedule.seed}: ${schedule.pattern}, ${schedule.strategy}, ${schedule.tokens.length} tokens every ${schedule.tokenDelayMs}ms; ${events}`;
}

/** A TCP hop between one viewer and the emulator that can be cut for a while (a network outage). */
class Outage {
  private readonly sockets = new Set<Socket>();
  private blockedUntil = 0;
  private server: Server | undefined;
  port = 0;

  constructor(private readonly upstreamPort: number) {}

  async start(): Promise<void> {
    this.server = createServer((downstream) => {
      if (Date.now() < this.blockedUntil) {
        downstream.destroy();
        return;
      }
      const upstream = tcpConnect(this.upstreamPort, '127.0.0.1');
      for (const socket of [downstream, upstream]) {
        this.sockets.add(socket);
        socket.on('close', () => this.sockets.delete(socket));
        socket.on('error', () => undefined);
      }
      downstream.pipe(upstream);
      upstream.pipe(downstream);
      downstream.on('close', () => upstream.destroy());
      upstream.on('close', () => downstream.destroy());
    });
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve));
    this.port = (this.server.address() as { port: number }).port;
  }

  cut(ms: number): void {
    this.blockedUntil = Date.now() + ms;
    for (const socket of this.sockets) socket.destroy();
  }

  async stop(): Promise<void> {
    for (const socket of this.sockets) socket.destroy();
    await new Promise<void>((resolve) => this.server?.close(() => resolve()) ?? resolve());
  }
}

interface Viewer {
  readonly client: Ably.Realtime;
  readonly root: Root;
  readonly container: HTMLElement;
  readonly outage: Outage;
  readonly trace: ViewerTrace;
}

export interface ChaosResult {
  readonly schedule: ChaosSchedule;
  readonly ok: boolean;
  readonly detail: string;
  readonly ms: number;
}

/** How long viewers may take to settle after the stream ended (generous: CI machines are busy). */
const SETTLE_TIMEOUT_MS = 60_000;

/** Run one schedule against `emulator`; never throws, reports what went wrong. */
export async function runSchedule(emulator: Emulator, schedule: ChaosSchedule): Promise<ChaosResult> {
  const started = Date.now();
  const channelName = `ai:chaos-${schedule.seed}-${Math.random().toString(36).slice(2, 7)}`;
  const responseId = `chaos-${schedule.seed}`;
  const viewers = new Set<Viewer>();
  const clients: Ably.Realtime[] = [];
  const pending: Promise<unknown>[] = [];
  const baseOptions = emulator.clientOptions({ clientId: 'viewer' }) as Ably.ClientOptions;
  const traces: ViewerTrace[] = [];

  const mount = async (): Promise<Viewer> => {
    const outage = new Outage(emulator.port);
    await outage.start();
    const client = new Ably.Realtime({
      ...baseOptions,
      port: outage.port,
      logLevel: 0,
      disconnectedRetryTimeout: 250,
      suspendedRetryTimeout: 250,
    });
    clients.push(client);
    const trace = new ViewerTrace(`page ${traces.length}`);
    traces.push(trace);
    trace.watch(client, channelName);
    const container = document.createElement('div');
    document.body.appendChild(container);
    const root = createRoot(container);
    root.render(
      <StrictMode>
        <Transcript
          client={client}
          channelName={channelName}
          strategy={schedule.strategy}
          onStore={(store) => trace.observe(store)}
          onDiagnostic={(d) => trace.diagnostic(d.kind, d.message)}
        />
      </StrictMode>,
    );
    const viewer = { client, root, container, outage, trace };
    viewers.add(viewer);
    return viewer;
  };
  const unmount = async (viewer: Viewer) => {
    viewers.delete(viewer);
    viewer.root.unmount();
    viewer.container.remove();
    viewer.client.close();
    await viewer.outage.stop();
  };

  const agentClient = new Ably.Realtime({
    ...baseOptions,
    clientId: 'agent',
    echoMessages: false,
    logLevel: 0,
    transportParams: AGENT_TRANSPORT_PARAMS,
  });
  clients.push(agentClient);
  let expected = '';
  try {
    let viewer = await mount();
    const events = [...schedule.events];
    const onToken = async (index: number) => {
      while (events.length > 0 && events[0]!.atToken <= index) {
        const event = events.shift()!;
        if (event.kind === 'disconnect') {
          for (const v of viewers) v.outage.cut(event.ms);
        } else if (event.kind === 'refresh') {
          const old = viewer;
          pending.push(
            (async () => {
              await unmount(old);
              await sleep(event.gapMs);
              viewer = await mount();
            })(),
          );
        } else {
          pending.push(mount());
        }
      }
    };
    const text = {
      async *[Symbol.asyncIterator]() {
        let index = 0;
        for await (const token of pacedTokens(schedule.tokens, schedule.tokenDelayMs)) {
          await onToken(index++);
          yield token;
        }
      },
    };
    const { streamResponse } = await import('@resumable/agent');
    const result = await streamResponse(agentClient.channels.get(channelName), text, {
      pattern: schedule.pattern,
      responseId,
    });
    expected = result.text;
    await Promise.all(pending);

    const deadline = Date.now() + SETTLE_TIMEOUT_MS;
    const problems = () => {
      const found: string[] = [];
      let index = 0;
      for (const v of viewers) {
        const items = v.container.querySelectorAll('li');
        const message = v.container.querySelector<HTMLElement>(`[data-testid="message-${responseId}"]`);
        const sync = v.container.querySelector<HTMLElement>('[data-testid="viewer-sync"]');
        const channel = v.client.channels.get(channelName);
        const where = `sync ${sync?.dataset.status}, resyncs ${sync?.dataset.resyncs}, error ${sync?.dataset.errorCode || 'none'}, connection ${v.client.connection.state}, channel ${channel.state}`;
        const who = `viewer ${index} (${v.trace.label})`;
        if (!message) found.push(`${who}: no message (${where})`);
        else if (message.textContent !== expected) {
          found.push(
            `${who}: text ${JSON.stringify(message.textContent?.slice(0, 200))} (${message.textContent?.length} chars) != expected (${expected.length} chars), status ${message.dataset.status} (${where})`,
          );
        } else if (message.dataset.incomplete) {
          found.push(`${who}: exact text still flagged incomplete (${where})`);
        } else if (message.dataset.status !== 'complete') {
          found.push(`${who}: status ${message.dataset.status} (${where})`);
        } else if (items.length !== 1) found.push(`${who}: ${items.length} messages (${where})`);
        index++;
      }
      return found;
    };
    let found = problems();
    while (found.length > 0 && Date.now() < deadline) {
      await sleep(50);
      found = problems();
    }
    let detail = found.join('; ');
    if (found.length > 0)
      detail += `; trace in ${writeTrace(schedule, expected, traces, describeChannelLog(emulator, channelName))}`;
    return { schedule, ok: found.length === 0, detail, ms: Date.now() - started };
  } catch (error) {
    return { schedule, ok: false, detail: `threw: ${String(error)}`, ms: Date.now() - started };
  } finally {
    await Promise.allSettled(pending);
    for (const v of [...viewers]) await unmount(v);
    for (const client of clients) client.close();
  }
}

/** Write what every page of a failing schedule saw, with the channel's log; returns the file's path. */
function writeTrace(schedule: ChaosSchedule, expected: string, traces: readonly ViewerTrace[], log: string[]): string {
  const path = join(tmpdir(), `chaos-trace-${schedule.seed}.txt`);
  const sections = [
    describeSchedule(schedule),
    `expected ${expected.length} chars: ${JSON.stringify(expected)}`,
    ...traces.map((trace) => [`== ${trace.label}`, ...trace.lines].join('\n')),
    ['== emulator channel log', ...log].join('\n'),
  ];
  writeFileSync(path, `${sections.join('\n\n')}\n`);
  return path;
}

/** Run `seeds` with at most `concurrency` schedules at once. */
export async function runChaos(
  emulator: Emulator,
  seeds: readonly number[],
  concurrency: number,
): Promise<ChaosResult[]> {
  const results: ChaosResult[] = [];
  let next = 0;
  const worker = async () => {
    while (next < seeds.length) {
      const seed = seeds[next++]!;
      results.push(await runSchedule(emulator, makeSchedule(seed)));
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, seeds.length) }, worker));
  return results.sort((a, b) => a.schedule.seed - b.schedule.seed);
}
