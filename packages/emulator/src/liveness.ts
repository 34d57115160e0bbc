/**
 * Whether a realtime client is still there, judged from when it was last heard from and last sent to:
 * when an idle transport needs a keep-alive, when a client that only listens needs a ping (its pong
 * shows it is alive), and when a client that stopped answering has vanished without closing its TCP
 * stream.
 *
 * @module
 */

/** What a keep-alive tick does: drop a silent peer, send a keep-alive and ping, only ping, or nothing. */
export type KeepAliveStep = 'drop' | 'keep-alive' | 'ping' | undefined;

/**
 * The keep-alive clock of one connection's transport.
 *
 * @example
 * ```ts
 * const liveness = new Liveness();
 * socket.on('pong', () => liveness.heard());
 * if (liveness.step(Date.now(), 15_000) === 'drop') socket.terminate();
 * ```
 */
export class Liveness {
  /** Last frame sent, so keep-alives go out only when the transport is idle. */
  private lastSentAt = Date.now();
  /** Last frame or pong from the client, to notice a peer that vanished without closing. */
  private lastHeardAt = Date.now();
  private lastProbeAt = 0;
  private suspectSince = 0;

  /** A frame went out. */
  sent(): void {
    this.lastSentAt = Date.now();
  }

  /** A frame or a pong came in. */
  heard(): void {
    this.lastHeardAt = Date.now();
  }

  /** Decide what a keep-alive tick at `now` does for a connection with this idle interval. */
  step(now: number, idleInterval: number): KeepAliveStep {
    if (now - this.lastHeardAt > idleInterval * 4 + 2000) {
      // No frame and no pong for several idle periods: the peer is gone without a FIN. Probe once more
      // first, so a stalled event loop (pongs not read yet) is not mistaken for a silent peer.
      if (this.suspectSince > this.lastHeardAt && now - this.suspectSince >= Math.min(1000, idleInterval)) {
        return 'drop';
      }
      if (this.suspectSince <= this.lastHeardAt) this.suspectSince = now;
    }
    const idleOut = now - this.lastSentAt >= idleInterval / 2;
    // A client that only listens sends nothing: probe it with pings so its pongs show it is alive.
    const probe = now - this.lastHeardAt >= idleInterval / 2 && now - this.lastProbeAt >= idleInterval / 2;
    if (!idleOut && !probe) return undefined;
    if (idleOut) this.lastSentAt = now;
    this.lastProbeAt = now;
    return idleOut ? 'keep-alive' : 'ping';
  }
}
