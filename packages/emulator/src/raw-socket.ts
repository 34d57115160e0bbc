/**
 * The two places the emulator reaches under `ws` to the TCP socket of a WebSocket: writing many
 * pre-framed messages in one go (the expensive part of fan-out is the syscall), and ending the stream
 * without a close frame (a fault the client must see as an abrupt transport loss).
 *
 * @module
 */
import type { WebSocket } from 'ws';

/** The parts of the net.Socket that `ws` keeps in its private `_socket` field that are used here. */
interface RawSocket {
  writable: boolean;
  destroyed: boolean;
  write(b: Buffer): boolean;
  end(): void;
}

function rawSocketOf(socket: WebSocket | undefined): RawSocket | undefined {
  return (socket as unknown as { _socket?: RawSocket } | undefined)?._socket;
}

/**
 * Write complete WebSocket frames (as `encodeWsFrame` makes them) to an open socket in one write; a
 * socket that is closing or closed gets nothing.
 *
 * @example
 * ```ts
 * writeFrames(socket, [encodeWsFrame({ action: 0 }, 'json')]);
 * ```
 */
export function writeFrames(socket: WebSocket | undefined, frames: Buffer[]): void {
  const raw = rawSocketOf(socket);
  if (!raw?.writable || socket?.readyState !== 1) return;
  raw.write(frames.length === 1 ? (frames[0] as Buffer) : Buffer.concat(frames));
}

/**
 * End a WebSocket's TCP stream without a WebSocket close frame (the client sees an abrupt transport
 * loss), after written data; destroy it if the peer does not close its side soon.
 *
 * @example
 * ```ts
 * sever(socket); // the client resumes, as after a network drop
 * ```
 */
export function sever(socket: WebSocket): void {
  const raw = rawSocketOf(socket);
  if (!raw || raw.destroyed) {
    socket.terminate();
    return;
  }
  raw.end();
  setTimeout(() => socket.terminate(), 500).unref();
}
