import type { WebSocket } from 'ws';
import type { Connection } from './connection.js';
import { errors } from './errors.js';

/** Longest time any fault may last (cut-off, pause, delay), ms: ten minutes. */
export const MAX_FAULT_MS = 600_000;

/**
 * Check the `ms` of a fault: a finite number from 0 to {@link MAX_FAULT_MS}. A fault never outlasts ten
 * minutes, so a typo cannot stop delivery for good (and no timer is asked for more than Node allows).
 *
 * @throws EmulatorError 40003 naming the fault and the range
 * @example
 * ```ts
 * checkFaultMs('pause', 1500); // 1500
 * checkFaultMs('pause', 1e12); // throws 40003
 * ```
 */
export function checkFaultMs(fault: string, ms: unknown): number {
  if (typeof ms !== 'number' || !Number.isFinite(ms) || ms < 0 || ms > MAX_FAULT_MS) {
    throw errors.invalidParam(
      `${fault} "ms" must be a number of milliseconds from 0 to ${MAX_FAULT_MS} (got ${typeof ms === 'number' ? String(ms) : (JSON.stringify(ms) ?? 'nothing')}): send e.g. {"ms": 1000}`,
    );
  }
  return ms;
}

interface QueuedFrame {
  connection: Connection;
  socket: WebSocket;
  frame: Buffer;
  /** When the frame may go out by the delay alone. */
  ready: number;
  /** When it goes out: `ready`, or the end of a pause. */
  at: number;
}

/**
 * Outgoing frames held by the pause and delay faults, delivered in order. With neither fault on (and
 * nothing queued), frames go out at once.
 *
 * @example
 * ```ts
 * const queue = new DeliveryQueue();
 * queue.pause(1000); // frames sent meanwhile go out in a second
 * queue.transmit(connection, socket, frame);
 * ```
 */
export class DeliveryQueue {
  private pausedUntil = 0;
  private delayMs = 0;
  private readonly queue: QueuedFrame[] = [];
  private timer: NodeJS.Timeout | undefined;

  /** Hold every frame for `ms` from now (0 ends a pause); frames already held get the new end. */
  pause(ms: number): void {
    this.pausedUntil = Date.now() + checkFaultMs('pause', ms);
    for (const queued of this.queue) queued.at = Math.max(queued.ready, this.pausedUntil);
    this.reschedule();
  }

  /** Delay every frame sent from now on by `ms` (0 turns it off). */
  delay(ms: number): void {
    this.delayMs = checkFaultMs('delay', ms);
  }

  /** Send a frame now, or queue it behind a pause, a delay or frames already waiting. */
  transmit(connection: Connection, socket: WebSocket, frame: Buffer): void {
    const now = Date.now();
    if (this.queue.length === 0 && this.pausedUntil <= now && this.delayMs === 0) {
      connection.write(socket, frame);
      return;
    }
    const ready = now + this.delayMs;
    this.queue.push({ connection, socket, frame, ready, at: Math.max(ready, this.pausedUntil) });
    this.schedule();
  }

  /** Forget every queued frame and timer (on restart and stop). */
  clear(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
    this.queue.length = 0;
  }

  private reschedule(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
    this.schedule();
  }

  private schedule(): void {
    if (this.timer || this.queue.length === 0) return;
    const wait = Math.max(0, (this.queue[0] as QueuedFrame).at - Date.now());
    this.timer = setTimeout(() => {
      this.timer = undefined;
      const now = Date.now();
      while (this.queue.length > 0 && (this.queue[0] as QueuedFrame).at <= now) {
        const { connection, socket, frame } = this.queue.shift() as QueuedFrame;
        connection.write(socket, frame);
      }
      this.schedule();
    }, wait);
  }
}
