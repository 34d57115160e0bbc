// A TCP hop between one client and the emulator that can hold what the server sends and then die
// with it in flight: the server believes it delivered those bytes (a WebSocket frame, an HTTP reply),
// the client never sees them. That is what a real network does when a connection drops, and what the
// deterministic regression tests need to replay the exact order that once lost text.
import { createServer, type Server, type Socket, connect as tcpConnect } from 'node:net';

interface Pair {
  readonly downstream: Socket;
  readonly upstream: Socket;
  /** The client's first bytes (the request line and headers). */
  request: string;
  /** Bytes from the server not yet passed on while holding. */
  held: Buffer[];
}

export class HoldingHop {
  private readonly pairs = new Set<Pair>();
  private server: Server | undefined;
  private holding = false;
  private refuseUntil = 0;
  private readonly waiters = new Set<() => void>();
  port = 0;

  constructor(private readonly upstreamPort: number) {}

  async start(): Promise<void> {
    this.server = createServer((downstream) => {
      if (Date.now() < this.refuseUntil) {
        downstream.destroy();
        return;
      }
      const upstream = tcpConnect(this.upstreamPort, '127.0.0.1');
      const pair: Pair = { downstream, upstream, request: '', held: [] };
      this.pairs.add(pair);
      downstream.on('data', (chunk: Buffer) => {
        if (pair.request.length < 4096) pair.request += chunk.toString('latin1');
        upstream.write(chunk);
        this.wake();
      });
      upstream.on('data', (chunk: Buffer) => {
        if (this.holding) {
          pair.held.push(chunk);
          this.wake();
        } else downstream.write(chunk);
      });
      for (const socket of [downstream, upstream]) {
        socket.on('error', () => undefined);
        socket.on('close', () => {
          this.pairs.delete(pair);
          downstream.destroy();
          upstream.destroy();
        });
      }
    });
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve));
    this.port = (this.server.address() as { port: number }).port;
  }

  /** From now on, keep what the server sends instead of passing it on. */
  hold(): void {
    this.holding = true;
  }

  /** Resolve once a client request whose first line matches `pattern` went through (e.g. a history read). */
  async requestSeen(pattern: RegExp): Promise<void> {
    await this.until(() => [...this.pairs].some((pair) => pattern.test(pair.request.split('\r\n')[0] ?? '')));
  }

  /** Resolve once the server sent something on the WebSocket that is being held. */
  async webSocketBytesHeld(): Promise<void> {
    await this.until(() => [...this.pairs].some((pair) => isWebSocket(pair) && pair.held.length > 0));
  }

  /** Drop every connection with what it holds, and refuse new ones for `ms`. */
  cutDroppingHeld(ms: number): void {
    this.refuseUntil = Date.now() + ms;
    this.holding = false;
    for (const pair of this.pairs) {
      pair.held = [];
      pair.downstream.destroy();
      pair.upstream.destroy();
    }
  }

  async stop(): Promise<void> {
    this.cutDroppingHeld(0);
    await new Promise<void>((resolve) => this.server?.close(() => resolve()) ?? resolve());
  }

  private wake(): void {
    for (const waiter of [...this.waiters]) waiter();
  }

  private until(condition: () => boolean, timeoutMs = 10_000): Promise<void> {
    if (condition()) return Promise.resolve();
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.waiters.delete(check);
        reject(new Error('HoldingHop: condition not met in time'));
      }, timeoutMs);
      const check = () => {
        if (!condition()) return;
        clearTimeout(timer);
        this.waiters.delete(check);
        resolve();
      };
      this.waiters.add(check);
    });
  }
}

function isWebSocket(pair: Pair): boolean {
  return /\r\nupgrade: websocket/i.test(pair.request);
}
