// `pnpm bench emulator [--subscribers 100] [--rate 600] [--seconds 5] [--rounds 3]
//   [--format json|msgpack|mixed] [--subscriber-processes 1] [--presence-members 100]`
//
// 1 publisher (the real ably SDK, msgpack, rollup off, appends not awaited) streams appends into one
// channel of the emulator; N subscribers (raw WebSocket protocol clients, so the client side stays
// cheap and the emulator is what is measured) count deliveries and publish-to-receive latency.
// Three processes (or more with --subscriber-processes): the emulator (this one), the publisher, and
// the subscribers, so publishing keeps its pace while the subscribers are busy parsing frames.
// The paced phase runs --rounds times and the targets are judged on the median round: a single
// round of a few seconds moves by tens of percent with whatever else the machine is doing.
// Then a presence case: --presence-members real SDK clients (in their own process) enter one channel
// at once; it measures the time until every member's presence.get() sees them all (0 skips it).
import { type ChildProcess, fork } from 'node:child_process';
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
    rounds: { type: 'string', default: '3' },
    format: { type: 'string', default: 'json' },
    'subscriber-processes': { type: 'string', default: '1' },
    'presence-members': { type: 'string', default: '100' },
    role: { type: 'string' },
    share: { type: 'string' },
    port: { type: 'string' },
  },
});

const subscriberCount = Number(values.subscribers);
const subscriberProcesses = Math.max(1, Number(values['subscriber-processes']));
/** Subscribers in one subscriber process (the `--share` of a process, or all of them). */
const share = values.share === undefined ? subscriberCount : Number(values.share);
const appendsPerSecond = Number(values.rate);
const seconds = Number(values.seconds);
const fromEmulatorPackage = createRequire(new URL('../packages/emulator/package.json', import.meta.url));
const KEY = 'resumable.local:local-emulator-secret';
const CHANNEL = 'ai:bench';

/** The part of a `ws` WebSocket the bench uses (ws is a dependency of the emulator package, not of the root). */
interface BenchSocket {
  on(event: 'error', listener: (error: Error) => void): void;
  on(event: 'message', listener: (data: Buffer, isBinary: boolean) => void): void;
  send(data: string): void;
}

interface PhaseResult {
  phase: string;
  appends: number;
  deliveries: number;
  durationMs: number;
  latencies: number[];
  emulatorCpuMs: number;
}

type ToSubscribers = { cmd: 'start' } | { cmd: 'end'; expected: number } | { cmd: 'exit' };
type FromSubscribers = { ready: true } | { started: true } | { deliveries: number; latencies: number[] };
type FromPublisher = { ready: true } | { start: string } | { end: string; appends: number };
type FromPresence =
  | { connected: number }
  | { members: number; enteredMs: number; allSeeAllMs: number; slowestGetMs: number };

const now = () => performance.timeOrigin + performance.now();
const TOKEN_SUFFIX = '; token';
/** Digits and the decimal point of a publish time. */
const isTimeByte = (byte: number) => (byte >= 0x30 && byte <= 0x39) || byte === 0x2e;

/** Subscriber process: N raw protocol clients counting deliveries and latencies. */
async function subscribers(port: number): Promise<void> {
  const { WebSocket } = fromEmulatorPackage('ws') as {
    WebSocket: new (url: string, options: { skipUTF8Validation: boolean; perMessageDeflate: boolean }) => BenchSocket;
  };
  const msgpack = fromEmulatorPackage('@ably/msgpack-js') as { decode(b: Buffer): unknown };
  let latencies: number[] = [];
  let deliveries = 0;
  let recording = false;

  const subscribe = (format: 'json' | 'msgpack') =>
    new Promise<void>((resolve, reject) => {
      const ws = new WebSocket(
        `ws://127.0.0.1:${port}/?key=${encodeURIComponent(KEY)}&format=${format}&heartbeats=false&v=6`,
        { skipUTF8Validation: true, perMessageDeflate: false },
      );
      ws.on('error', reject);
      let attached = false;
      ws.on('message', (raw: Buffer, isBinary: boolean) => {
        const received = now();
        if (attached) {
          // Hot path, kept cheap so the emulator is what is measured: every append frame carries one
          // message whose data is "<publish time in ms>; token". Both formats hold that string as
          // plain bytes, so it is found without decoding the frame.
          deliveries += 1;
          if (recording) {
            const end = raw.indexOf(TOKEN_SUFFIX);
            let start = end;
            while (start > 0 && isTimeByte(raw[start - 1] as number)) start -= 1;
            const sentAt = end > start ? Number(raw.toString('latin1', start, end)) : 0;
            if (sentAt > 0) latencies.push(received - sentAt);
          }
          return;
        }
        const pm = (isBinary ? msgpack.decode(raw) : JSON.parse(raw.toString())) as {
          action: number;
          messages?: Array<{ data?: string }>;
        };
        if (pm.action === 4) ws.send(JSON.stringify({ action: 10, channel: CHANNEL }));
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
  await Promise.all(Array.from({ length: share }, (_, i) => subscribe(formatFor(i))));

  process.on('message', async (message: ToSubscribers) => {
    if (message.cmd === 'start') {
      latencies = [];
      deliveries = 0;
      recording = true;
      process.send?.({ started: true } satisfies FromSubscribers);
    } else if (message.cmd === 'end') {
      const deadline = now() + 10_000;
      while (deliveries < message.expected && now() < deadline) await new Promise((r) => setTimeout(r, 5));
      recording = false;
      process.send?.({ deliveries, latencies } satisfies FromSubscribers);
    } else {
      process.exit(0);
    }
  });
  process.send?.({ ready: true } satisfies FromSubscribers);
}

/** Publisher process: the real SDK streaming responses of 200 appends, paced or as fast as it can. */
async function publisher(port: number): Promise<void> {
  const Ably = fromEmulatorPackage('ably') as typeof import('ably');
  const client = new Ably.Realtime({
    key: KEY,
    endpoint: '127.0.0.1',
    port,
    tls: false,
    useBinaryProtocol: true,
    echoMessages: false,
    transportParams: { appendRollupWindow: 0 },
    logLevel: 0,
  });
  const channel = client.channels.get(CHANNEL);
  await channel.attach();
  let proceed: () => void = () => {};
  process.on('message', () => proceed());
  const ask = (message: FromPublisher) =>
    new Promise<void>((resolve) => {
      proceed = resolve;
      process.send?.(message);
    });

  const run = async (phase: string, rate: number, durationMs: number) => {
    await ask({ start: phase });
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
      // Paced: publish what is due, then sleep a timer tick. Saturated: bursts of 50 per turn.
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
      await new Promise((resolve) => (Number.isFinite(rate) ? setTimeout(resolve, 1) : setImmediate(resolve)));
    }
    await Promise.all(pending);
    await ask({ end: phase, appends });
  };
  await run('warm-up', appendsPerSecond, 1000);
  const rounds = Math.max(1, Number(values.rounds));
  for (let round = 1; round <= rounds; round++) await run(`paced ${round}`, appendsPerSecond, seconds * 1000);
  await run('saturated', Number.POSITIVE_INFINITY, seconds * 1000);
  client.close();
  setTimeout(() => process.exit(0), 100);
}

/**
 * Presence process: N SDK clients (one clientId each) attach one channel, then all enter at once; it
 * reports when every enter was acknowledged and when every client's presence.get() saw all N members.
 */
async function presenceMembers(port: number): Promise<void> {
  const Ably = fromEmulatorPackage('ably') as typeof import('ably');
  const count = Number(values['presence-members']);
  const clientsList = Array.from(
    { length: count },
    (_, i) =>
      new Ably.Realtime({
        key: KEY,
        endpoint: '127.0.0.1',
        port,
        tls: false,
        useBinaryProtocol: values.format === 'msgpack' || (values.format === 'mixed' && i % 2 === 1),
        clientId: `member-${i}`,
        logLevel: 0,
      }),
  );
  const channels = clientsList.map((client) => client.channels.get('bench:presence'));
  await Promise.all(channels.map((channel) => channel.attach()));
  process.send?.({ connected: count } satisfies FromPresence);
  await new Promise((resolve) => process.once('message', resolve));
  const started = now();
  const slowestGet: number[] = [];
  const seesAll = channels.map(
    (channel) =>
      new Promise<void>((resolve) => {
        let checking = false;
        let again = false;
        let done = false;
        // Ask get() on each presence event; an event that arrives during a get() asks once more after it.
        const check = async () => {
          if (done) return;
          if (checking) {
            again = true;
            return;
          }
          checking = true;
          const asked = now();
          const members = await channel.presence.get();
          slowestGet.push(now() - asked);
          checking = false;
          if (members.length === count) {
            done = true;
            channel.presence.unsubscribe();
            resolve();
          } else if (again) {
            again = false;
            void check();
          }
        };
        void channel.presence.subscribe(() => void check());
      }),
  );
  await Promise.all(channels.map((channel, i) => channel.presence.enter(`member ${i}`)));
  const enteredMs = now() - started;
  await Promise.all(seesAll);
  const allSeeAllMs = now() - started;
  process.send?.({
    members: count,
    enteredMs,
    allSeeAllMs,
    slowestGetMs: slowestGet.reduce((a, b) => Math.max(a, b), 0),
  } satisfies FromPresence);
  for (const client of clientsList) client.close();
  setTimeout(() => process.exit(0), 200);
}

/** Run the presence case against the emulator; prints its figure. */
async function presenceCase(port: number): Promise<void> {
  const count = Number(values['presence-members']);
  if (!(count > 0)) return;
  const child = spawnRole('presence', port);
  await nextMessage<FromPresence>(child);
  const cpuStart = process.cpuUsage();
  const result = nextMessage<FromPresence>(child);
  child.send({ go: true });
  const figure = (await result) as Extract<FromPresence, { members: number }>;
  const cpu = process.cpuUsage(cpuStart);
  console.log(
    `  presence  ${figure.members} members enter one channel at once: all entered (ACKed) in ${figure.enteredMs.toFixed(0)} ms, ` +
      `every member's get() sees all ${figure.members} after ${figure.allSeeAllMs.toFixed(0)} ms ` +
      `(${figure.members * figure.members} presence deliveries; emulator CPU ${((cpu.user + cpu.system) / 1000).toFixed(0)} ms)`,
  );
  await new Promise((resolve) => child.once('exit', resolve));
}

function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return Number.NaN;
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] as number;
}

function spawnRole(role: string, port: number, extra: string[] = []): ChildProcess {
  const args = ['--role', role, '--port', String(port), ...extra, ...process.argv.slice(2)];
  return fork(fileURLToPath(import.meta.url), args, {
    execArgv: ['--import', 'tsx', '--conditions=source'],
  });
}

function nextMessage<T>(child: ChildProcess): Promise<T> {
  return new Promise((resolve, reject) => {
    const onExit = (code: number | null) => reject(new Error(`bench process exited with ${code}`));
    child.once('exit', onExit);
    child.once('message', (message) => {
      child.off('exit', onExit);
      resolve(message as T);
    });
  });
}

async function main(): Promise<void> {
  const emulator = await startEmulator({ port: 0, maxEventsPerChannel: 2000 });
  const shares = Array.from(
    { length: subscriberProcesses },
    (_, i) => Math.floor(subscriberCount / subscriberProcesses) + (i < subscriberCount % subscriberProcesses ? 1 : 0),
  );
  const subs = shares.map((n) => spawnRole('subscribers', emulator.port, ['--share', String(n)]));
  await Promise.all(subs.map((child) => nextMessage<FromSubscribers>(child)));
  const pub = spawnRole('publisher', emulator.port);
  const utilisationStart = performance.eventLoopUtilization();
  const results: PhaseResult[] = [];
  let phaseStart = { at: 0, cpu: process.cpuUsage() };
  for (;;) {
    const message = await nextMessage<FromPublisher>(pub);
    if ('start' in message) {
      for (const child of subs) child.send({ cmd: 'start' } satisfies ToSubscribers);
      await Promise.all(subs.map((child) => nextMessage<FromSubscribers>(child)));
      phaseStart = { at: now(), cpu: process.cpuUsage() };
      pub.send({ go: true });
    } else if ('end' in message) {
      for (const [i, child] of subs.entries()) {
        child.send({ cmd: 'end', expected: message.appends * (shares[i] as number) } satisfies ToSubscribers);
      }
      const parts = (await Promise.all(subs.map((child) => nextMessage<FromSubscribers>(child)))) as Array<{
        deliveries: number;
        latencies: number[];
      }>;
      const counted = {
        deliveries: parts.reduce((sum, part) => sum + part.deliveries, 0),
        latencies: parts.flatMap((part) => part.latencies),
      };
      const cpu = process.cpuUsage(phaseStart.cpu);
      results.push({
        phase: message.end,
        appends: message.appends,
        deliveries: counted.deliveries,
        latencies: counted.latencies,
        durationMs: now() - phaseStart.at,
        emulatorCpuMs: (cpu.user + cpu.system) / 1000,
      });
      pub.send({ go: true });
      if (message.end === 'saturated') break;
    }
  }
  const utilisation = performance.eventLoopUtilization(utilisationStart).utilization;
  for (const child of subs) child.send({ cmd: 'exit' } satisfies ToSubscribers);

  console.log(`emulator bench: 1 publisher x ${subscriberCount} subscribers (${values.format}), appends, rollup off`);
  for (const r of results.filter((x) => x.phase !== 'warm-up')) {
    const sorted = r.latencies.sort((a, b) => a - b);
    const perSecond = (r.deliveries / r.durationMs) * 1000;
    console.log(
      `  ${r.phase.padEnd(9)} appends ${String(r.appends).padStart(6)} (${((r.appends / r.durationMs) * 1000).toFixed(0)}/s)  ` +
        `deliveries ${String(r.deliveries).padStart(8)} = ${perSecond.toFixed(0).padStart(6)}/s  ` +
        `latency p50 ${percentile(sorted, 50).toFixed(2)} ms  p99 ${percentile(sorted, 99).toFixed(2)} ms  max ${percentile(sorted, 100).toFixed(2)} ms  ` +
        `emulator CPU ${r.emulatorCpuMs.toFixed(0)} ms = ${((r.deliveries / r.emulatorCpuMs) * 1000).toFixed(0)} deliveries per emulator CPU-second`,
    );
  }
  const pacedRounds = results
    .filter((r) => r.phase.startsWith('paced'))
    .map((r) => ({ rate: (r.deliveries / r.durationMs) * 1000, p99: percentile(r.latencies, 99) }));
  const median = (values: number[]) => values.sort((a, b) => a - b)[Math.floor(values.length / 2)] as number;
  const pacedRate = median(pacedRounds.map((r) => r.rate));
  const p99 = median(pacedRounds.map((r) => r.p99));
  console.log(
    `  paced, median of ${pacedRounds.length} rounds: ${pacedRate.toFixed(0)} deliveries/s, p99 ${p99.toFixed(2)} ms`,
  );
  console.log(`  emulator event-loop utilisation over the run: ${(utilisation * 100).toFixed(0)}%`);
  console.log(
    `  machine load average (1 min) ${loadavg()[0]?.toFixed(1)} on ${cpus().length} cores: numbers above are only as good as the idle CPU`,
  );
  console.log(
    `  targets (paced, median round): >= 50000 deliveries/s ${pacedRate >= 50_000 ? 'met' : 'MISSED'}, p99 <= 10 ms ${p99 <= 10 ? 'met' : 'MISSED'}`,
  );
  await presenceCase(emulator.port);
  await emulator.stop();
}

const role = values.role;
const entry =
  role === 'subscribers'
    ? subscribers(Number(values.port))
    : role === 'publisher'
      ? publisher(Number(values.port))
      : role === 'presence'
        ? presenceMembers(Number(values.port))
        : main();
entry.catch((error) => {
  console.error(error);
  process.exit(1);
});
