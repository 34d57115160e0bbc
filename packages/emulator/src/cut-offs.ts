/**
 * The cut-off fault's bookkeeping: which connections are cut off until when, and the resume or recover
 * WebSockets held unanswered meanwhile (nothing sent, nothing read, as if their packets went nowhere)
 * until the cut-off ends.
 *
 * @module
 */
import type { WebSocket } from 'ws';
import type { Connection } from './connection.js';

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

/**
 * The cut-offs of one emulator and the attempts they hold.
 *
 * @example
 * ```ts
 * const cutOffs = new CutOffs(log);
 * cutOffs.start(connection, Date.now() + 1500);
 * const id = cutOffs.heldConnectionId(resumeKey, credentials.keyName, clientId);
 * if (id !== undefined) await cutOffs.hold(ws, id);
 * ```
 */
export class CutOffs {
  /** Connection id → its cut-off (kept by id so it outlives discarded state). */
  private readonly cutOffs = new Map<string, CutOff>();
  private readonly held = new Set<HeldTransport>();

  constructor(private readonly log: (line: string) => void) {}

  /** Cut a connection off until `until`: attempts to resume it by its own identity are held until then. */
  start(connection: Connection, until: number): void {
    this.cutOffs.set(connection.id, {
      until,
      keyName: connection.credentials.keyName,
      clientId: connection.clientId,
    });
  }

  /** Forget the cut-offs that have ended by `now`. */
  forgetEnded(now: number): void {
    for (const [id, end] of this.cutOffs) if (end.until <= now) this.cutOffs.delete(id);
  }

  /**
   * The id of the cut-off connection a resume or recover key names, when the attempt is by that
   * connection's own identity and the cut-off still lasts; otherwise undefined (the attempt is not held).
   */
  heldConnectionId(resumeKey: string | null, keyName: string, clientId: string | undefined): string | undefined {
    const cutOffId = resumeKey ? CONNECTION_KEY.exec(resumeKey)?.[1] : undefined;
    const cutOff = cutOffId !== undefined ? this.cutOffs.get(cutOffId) : undefined;
    if (
      cutOffId !== undefined &&
      cutOff?.keyName === keyName &&
      cutOff.clientId === clientId &&
      this.remaining(cutOffId) > 0
    ) {
      return cutOffId;
    }
    return undefined;
  }

  /**
   * Hold a resume/recover WebSocket of a cut-off connection: send nothing and read nothing until the
   * cut-off ends (it may be extended meanwhile). Then read what arrived meanwhile: resolves undefined
   * when the socket closed or its client gave up on it (a close frame was waiting), else a function
   * that hands the frames read early to the connection once it has adopted the socket.
   */
  hold(ws: WebSocket, connectionId: string): Promise<(() => void) | undefined> {
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
        const remaining = this.remaining(connectionId);
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

  /** End every held attempt (on restart and stop). */
  terminateHeld(): void {
    for (const hold of [...this.held]) hold.ws.terminate();
  }

  /** Milliseconds left in a connection's cut-off (0 when it is not cut off; ended cut-offs are forgotten). */
  private remaining(connectionId: string): number {
    const until = this.cutOffs.get(connectionId)?.until;
    if (until === undefined) return 0;
    const remaining = until - Date.now();
    if (remaining <= 0) this.cutOffs.delete(connectionId);
    return Math.max(0, remaining);
  }
}
