/**
 * Append rollup: per message and publishing connection, the first append goes out at once and later
 * appends within the connection's rollup window are joined and delivered as one, so a token stream
 * costs subscribers one frame per window rather than one per token.
 *
 * @module
 */
import type { PublishContext } from './channel.js';
import { concatPayload, type Payload } from './codec.js';

/** Delivers one (possibly joined) append of the message `serial` as a channel event. */
type EmitAppend = (serial: string, fragment: Payload, pmId: string, connectionId: string | undefined) => void;

interface RollupWindow {
  connectionId: string;
  pmId: string;
  fragments: Payload[];
  timer: NodeJS.Timeout;
}

/**
 * The open rollup windows of one channel, by message serial, then by publishing connection.
 *
 * @example
 * ```ts
 * const rollups = new AppendRollups((serial, data, pmId, connectionId) => emitAppend(serial, data, pmId, connectionId));
 * rollups.deliver(serial, ' world', ctx); // now, or joined with the next appends of this window
 * rollups.flush(); // before a snapshot is read: every pending fragment goes out
 * ```
 */
export class AppendRollups {
  private readonly windows = new Map<string, Map<string, RollupWindow>>();

  constructor(private readonly emitAppend: EmitAppend) {}

  /** Deliver any rolled-up appends waiting in windows (of every message, or one; except one connection's). */
  flush(serial?: string, exceptConnectionId?: string): void {
    const serials = serial === undefined ? [...this.windows.keys()] : [serial];
    for (const s of serials) {
      const windows = this.windows.get(s);
      if (!windows) continue;
      for (const [connectionId, window] of windows) {
        if (connectionId === exceptConnectionId) continue;
        clearTimeout(window.timer);
        windows.delete(connectionId);
        if (window.fragments.length > 0)
          this.emitAppend(s, window.fragments.reduce(concatPayload), window.pmId, connectionId);
      }
      if (windows.size === 0) this.windows.delete(s);
    }
  }

  /** Flush every rollup window opened by one connection (on CLOSE). */
  flushConnection(connectionId: string): void {
    for (const [serial, windows] of this.windows) {
      const window = windows.get(connectionId);
      if (!window) continue;
      clearTimeout(window.timer);
      windows.delete(connectionId);
      if (window.fragments.length > 0)
        this.emitAppend(serial, window.fragments.reduce(concatPayload), window.pmId, connectionId);
      if (windows.size === 0) this.windows.delete(serial);
    }
  }

  /** Deliver an append of the message `serial` now, or hold it in the publisher's open window. */
  deliver(serial: string, fragment: Payload, ctx: PublishContext): void {
    const connectionId = ctx.connectionId;
    if (ctx.rollupWindow <= 0 || connectionId === undefined) {
      this.emitAppend(serial, fragment, ctx.pmId, connectionId);
      return;
    }
    let windows = this.windows.get(serial);
    const open = windows?.get(connectionId);
    if (open) {
      open.fragments.push(fragment);
      open.pmId = ctx.pmId;
      return;
    }
    // The first append goes out at once; later ones within the window are concatenated.
    this.emitAppend(serial, fragment, ctx.pmId, connectionId);
    if (!windows) {
      windows = new Map();
      this.windows.set(serial, windows);
    }
    const window: RollupWindow = {
      connectionId,
      pmId: ctx.pmId,
      fragments: [],
      timer: undefined as unknown as NodeJS.Timeout,
    };
    const tick = () => {
      if (window.fragments.length === 0) {
        windows.delete(connectionId);
        if (windows.size === 0) this.windows.delete(serial);
        return;
      }
      const data = window.fragments.reduce(concatPayload);
      window.fragments = [];
      this.emitAppend(serial, data, window.pmId, connectionId);
      window.timer = setTimeout(tick, ctx.rollupWindow);
    };
    window.timer = setTimeout(tick, ctx.rollupWindow);
    windows.set(connectionId, window);
  }
}
