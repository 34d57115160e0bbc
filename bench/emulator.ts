// `pnpm bench emulator [--subscribers 100] [--rate 600] [--seconds 5] [--format json|msgpack|mixed]`
//
// 1 publisher (the real ably SDK, msgpack, rollup off, appends not awaited) streams appends into one
// channel of the emulator; N subscribers (raw WebSocket protocol clients, so the client side stays
// cheap and the emulator is what is measured) count deliveries and publish-to-receive latency.
// The emulator runs in this process; publisher and subscribers run in a child process.
import { fork } from 'node:child_process';
import { createRequire } from 'node:module';
import { cpus, loadavg } from 'node:os';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { startEmulator } from '../packages/emulator/src/index.js';

const { values } = parseArgs({
  options: {
    subscribers: { type: 'string', default: '100' },
    rate: { type: 'string', default: '600' },
    seconds: { type: 'string', default: '5' },
    format: { type: 'string', default: 'json' },
    role: { type: 'string' },
    port: { type: 'string' },
  },
});

const subscriberCount = Number(values.subscribers);
const appendsPerSecond = Number(values.rate);
const seconds = Number(values.seconds);
const fromEmulatorPackage = createRequire(new URL('../packages/emulator/package.json', import.meta.url));

/** The part of a `ws` WebSocket the bench uses (ws is a dependency of the emulator package, not of the root). */
interface BenchSocket {
  on(event: 'error', listener: (error: Error) => void): void;
  on(event: 'message', listener: (data: Buffer, isBinary: boolean) => void): void;
  send(data: string): void;
}

interface Report {
  phase: string;
  /** Emulator CPU time (user + system) spent during the phase, in ms. */
  emulatorCpuMs?: number;
  appends: number;
  deliveries: number;
  durationMs: number;
  latencies: number[];
}

const now = () => performance.timeOrigin + performance.now();

async function clients(port: number): Promise<void> {
  const { WebSocket } = fromEmulatorPackage('ws') as { WebSocket: new (url: string) => BenchSocket };
  const Ably = fromEmulatorPackage('ably') as typeof import('ably');
  const key = 'resumable.local:local-emulator-secret';
  const channelName = 'ai:bench';
  const latencies: number[] = [];
  let deliveries = 0;
  let recording = false;

  const subscribe = (format: 'json' | 'msgpack') =>
    new Promise<void>((resolve, reject) => {
      const msgpack = fromEmulatorPackage('@ably/msgpack-js') as { decode(b: Buffer): unknown };
      const ws = new WebSocket(
        `ws://127.0.0.1:${port}/?key=${encodeURIComponent(key)}&format=${format}&heartbeats=false&v=6`,
      );
      ws.on('error', reject);
      let attached = false;
      ws.on('message', (raw: Buffer, isBinary: boolean) => {
        const received = now();
        if (attached && !isBinary) {
          // Hot path, kept cheap so the emulator is what is measured: every append frame carries one
          // message whose data starts with the publish time ("<ms>; token").
          deliveries += 1;
          if (recording) {
            const at = raw.indexOf('"data":"');
            if (at >= 0) {
              const sentAt = Number(raw.toString('latin1', at + 8, raw.indexOf(';', at)));
              if (sentAt > 0) latencies.push(received - sentAt);
            }
          }
          return;
        }
        const pm = (isBinary ? msgpack.decode(raw) : JSON.parse(raw.toString())) as {
          action: number;
          messages?: Array<{ data?: string }>;
        };
        if (pm.action === 4) ws.send(JSON.stringify({ action: 10, channel: channelName }));
        else if (pm.action === 11) {
          attached = true;
          resolve();
        } else if (pm.action === 15 && pm.messages) {
          for (const m of pm.messages) {
            deliveries += 1;
            if (recording && typeof m.data === 'string') {
              const sentAt = Number(m.data.slice(0, m.data.indexOf(';')));
              if (sentAt > 0) latencies.push(received - sentAt);
            }
          }
        }
      });
    });
  const formatFor = (i: number): 'json' | 'msgpack' =>
    values.format === 'mixed' ? (i % 2 === 0 ? 'json' : 'msgpack') : (values.format as 'json' | 'msgpack');
  await Promise.all(Array.from({ length: subscriberCount }, (_, i) => subscribe(formatFor(i))));

  const publisher = new Ably.Realtime({
    key,
    endpoint: '127.0.0.1',
    port,
    tls: false,
    useBinaryProtocol: true,
    echoMessages: false,
    transportParams: { appendRollupWindow: 0 },
    logLevel: 0,
  });
  const channel = publisher.channels.get(channelName);
  await channel.attach();

  const run = async (phase: string, rate: number, durationMs: number): Promise<Report> => {
    latencies.length = 0;
    deliveries = 0;
    recording = true;
    process.send?.({ mark: 'start', phase });
    let appends = 0;
    const started = now();
    let serial = '';
    let inResponse = 0;
    let pending: Array<Promise<unknown>> = [];
    while (now() - started < durationMs) {
      if (inResponse === 0) {
        await Promise.all(pending);
        pending = [];
        serial = (await channel.publish({ name: 'response', data: '' })).serials[0] as string;
        inResponse = 200;
      }
      // Pace by schedule: each tick publishes what is due (rate = Infinity publishes in bursts of 50).
      const due = Number.isFinite(rate) ? Math.floor(((now() - started) / 1000) * rate) - appends : 50;
      for (let i = 0; i < Math.min(due, inResponse); i++) {
        pending.push(channel.appendMessage({ serial, data: `${now().toFixed(3)}; token` }));
        appends += 1;
        inResponse -= 1;
      }
      if (pending.length > 2000) {
        await Promise.all(pending);
        pending = [];
      }
      // Paced: sleep until the next append is due (timers, not a spin, so subscribers get the CPU).
      await new Promise((resolve) => (Number.isFinite(rate) ? setTimeout(resolve, 1) : setImmediate(resolve)));
    }
    await Promise.all(pending);
    const expected = appends * subscriberCount;
    const deadline = now() + 10_000;
    while (deliveries < expected && now() < deadline) await new Promise((resolve) => setTimeout(resolve, 5));
    recording = false;
    process.send?.({ mark: 'end', phase });
    return { phase, appends, deliveries, durationMs: now() - started, latencies: [...latencies] };
  };

  await run('warm-up', appendsPerSecond, 1000);
  const paced = await run('paced', appendsPerSecond, seconds * 1000);
  const saturated = await run('saturated', Number.POSITIVE_INFINITY, seconds * 1000);
  publisher.close();
  process.send?.({ reports: [paced, saturated] }, () => process.exit(0));
}

function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return Number.NaN;
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] as number;
}

async function main(): Promise<void> {
  const emulator = await startEmulator({ port: 0, maxEventsPerChannel: 2000 });
  const child = fork(
    fileURLToPath(import.meta.url),
    ['--role', 'clients', '--port', String(emulator.port), ...process.argv.slice(2)],
    {
      execArgv: [
        '--import',
        'tsx',
        '--conditions=source',
        ...(process.env.BENCH_PROFILE_CLIENTS ? ['--cpu-prof', '--cpu-prof-dir=/tmp/emu-prof'] : []),
      ],
    },
  );
  const started = performance.eventLoopUtilization();
  const cpuAtStart = new Map<string, NodeJS.CpuUsage>();
  const cpuMs = new Map<string, number>();
  const reports = await new Promise<Report[]>((resolve, reject) => {
    child.on('message', (message) => {
      const m = message as { reports?: Report[]; mark?: 'start' | 'end'; phase?: string };
      if (m.mark === 'start') cpuAtStart.set(m.phase as string, process.cpuUsage());
      if (m.mark === 'end') {
        const used = process.cpuUsage(cpuAtStart.get(m.phase as string));
        cpuMs.set(m.phase as string, (used.user + used.system) / 1000);
      }
      if (m.reports) resolve(m.reports);
    });
    child.on('exit', (code) => code !== 0 && reject(new Error(`client process exited with ${code}`)));
  });
  const utilisation = performance.eventLoopUtilization(started).utilization;
  await new Promise((resolve) => (child.exitCode === null ? child.once('exit', resolve) : resolve(undefined)));
  await emulator.stop();

  console.log(`emulator bench: 1 publisher x ${subscriberCount} subscribers (${values.format}), appends, rollup off`);
  for (const r of reports) {
    const sorted = r.latencies.sort((a, b) => a - b);
    const perSecond = (r.deliveries / r.durationMs) * 1000;
    const cpu = cpuMs.get(r.phase) ?? Number.NaN;
    console.log(
      `  ${r.phase.padEnd(9)} appends ${String(r.appends).padStart(6)} (${((r.appends / r.durationMs) * 1000).toFixed(0)}/s)  ` +
        `deliveries ${String(r.deliveries).padStart(8)} = ${perSecond.toFixed(0).padStart(6)}/s  ` +
        `latency p50 ${percentile(sorted, 50).toFixed(2)} ms  p99 ${percentile(sorted, 99).toFixed(2)} ms  max ${percentile(sorted, 100).toFixed(2)} ms  ` +
        `emulator CPU ${cpu.toFixed(0)} ms = ${((r.deliveries / cpu) * 1000).toFixed(0)} deliveries per emulator CPU-second`,
    );
  }
  const paced = reports[0] as Report;
  const pacedRate = (paced.deliveries / paced.durationMs) * 1000;
  const p99 = percentile(paced.latencies, 99);
  console.log(`  emulator event-loop utilisation over the run: ${(utilisation * 100).toFixed(0)}%`);
  console.log(
    `  machine load average (1 min) ${loadavg()[0]?.toFixed(1)} on ${cpus().length} cores: numbers above are only as good as the idle CPU`,
  );
  console.log(
    `  targets (paced): >= 50000 deliveries/s ${pacedRate >= 50_000 ? 'met' : 'MISSED'}, p99 <= 10 ms ${p99 <= 10 ? 'met' : 'MISSED'}`,
  );
}

if (values.role === 'clients') {
  clients(Number(values.port)).catch((error) => {
    console.error(error);
    process.exit(1);
  });
} else {
  main().catch((error) => {
    console.error(error);
    process.exit(1);
  });
}
