/**
 * An Ably-style error: a numeric code, the HTTP status it maps to, and a message naming the fix. It is
 * what the emulator sends in ERROR/NACK frames and REST error bodies.
 *
 * @example
 * ```ts
 * const error = new EmulatorError(40160, 401, 'No "publish" capability on "ai:chat"');
 * error.toWire(); // { message, code: 40160, statusCode: 401, href: 'https://help.ably.io/error/40160' }
 * ```
 */
export class EmulatorError extends Error {
  override readonly name = 'EmulatorError';
  constructor(
    readonly code: number,
    readonly statusCode: number,
    message: string,
  ) {
    super(message);
  }

  /** The `ErrorInfo` shape that goes on the wire. */
  toWire(): WireError {
    return {
      message: this.message,
      code: this.code,
      statusCode: this.statusCode,
      href: `https://help.ably.io/error/${this.code}`,
    };
  }
}

/** The error object carried by protocol messages and REST error bodies. */
export interface WireError {
  message: string;
  code: number;
  statusCode: number;
  href?: string;
}

/** Turn anything thrown into an {@link EmulatorError}, keeping codes of errors that already have one. */
export function toEmulatorError(error: unknown): EmulatorError {
  if (error instanceof EmulatorError) return error;
  const message = error instanceof Error ? error.message : String(error);
  return new EmulatorError(50000, 500, `Internal emulator error: ${message}`);
}

/** Shorthand constructors for the errors the emulator raises most. */
export const errors = {
  badRequest: (message: string) => new EmulatorError(40000, 400, message),
  invalidParam: (message: string) => new EmulatorError(40003, 400, message),
  tooLarge: (message: string) => new EmulatorError(40009, 413, message),
  invalidChannelName: (name: string) =>
    new EmulatorError(
      40010,
      400,
      `Invalid channel name "${name}": names must be non-empty, must not start with ":" and qualifiers must look like "[?param=value]name"`,
    ),
  invalidClientId: (message: string) => new EmulatorError(40012, 400, message),
  invalidData: (message: string) => new EmulatorError(40013, 400, message),
  badCredentials: (message: string) => new EmulatorError(40101, 401, message),
  incompatibleCredentials: (message: string) => new EmulatorError(40102, 401, message),
  tokenExpired: (message = 'Token expired; renew the token (the SDK does this through authCallback/authUrl/key)') =>
    new EmulatorError(40142, 401, message),
  capability: (message: string) => new EmulatorError(40160, 401, message),
  notFound: (message: string) => new EmulatorError(40400, 404, message),
  mutableDisabled: (channel: string) =>
    new EmulatorError(
      93002,
      400,
      `Can only update/delete/append messages on channels with mutableMessages enabled (channel "${channel}"; enable it with the emulator option namespaces: { "<namespace>": { mutableMessages: true } })`,
    ),
};
