/**
 * The one error type of the kit: a numeric code (Ably's where one applies), a message, and a hint
 * that names the fix. Errors are values: hooks and stores return them, they never throw them into
 * rendering or the SDK's subscribe loop.
 *
 * @example
 * ```ts
 * const err = new ResumableError(93002, 'Appends are not enabled on channel "chat:1"', 'Enable the "Message annotations, updates, deletes, and appends" rule on namespace "chat"');
 * err.code; // 93002
 * ```
 */
export class ResumableError extends Error {
  override readonly name = 'ResumableError';
  constructor(
    /** Ably error code where the cause is Ably's, otherwise one of {@link KIT_ERROR_CODES}. */
    readonly code: number,
    message: string,
    /** What to do about it. */
    readonly hint: string,
    /** The HTTP-style status, when known. */
    readonly statusCode?: number,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }

  /**
   * Wrap anything thrown by the `ably` SDK (an `ErrorInfo`) or elsewhere into a ResumableError,
   * keeping its code and adding a hint for the codes users hit most.
   *
   * @example
   * ```ts
   * try { await channel.attach(); } catch (e) { const err = ResumableError.from(e); console.log(err.hint); }
   * ```
   */
  static from(error: unknown, fallbackHint = 'See the cause for details.'): ResumableError {
    if (error instanceof ResumableError) return error;
    const record = (typeof error === 'object' && error !== null ? error : {}) as {
      code?: unknown;
      message?: unknown;
      statusCode?: unknown;
    };
    const code = typeof record.code === 'number' ? record.code : KIT_ERROR_CODES.unknown;
    const message = typeof record.message === 'string' ? record.message : String(error);
    const statusCode = typeof record.statusCode === 'number' ? record.statusCode : undefined;
    return new ResumableError(code, message, hintFor(code) ?? fallbackHint, statusCode, { cause: error });
  }
}

/** Codes the kit itself assigns (Ably's own codes are used as they are). */
export const KIT_ERROR_CODES = {
  /** Something failed without a code of its own. */
  unknown: 50000,
  /** A message on the channel could not be understood (counted as a diagnostic, not thrown). */
  malformedMessage: 40013,
  /** Options given to a kit function are invalid. */
  invalidOptions: 40106,
  /** Messages may have been missed (continuity lost); the store re-hydrates. */
  continuityLost: 104006,
} as const;

/**
 * A hint for the Ably error codes users run into most, or undefined.
 *
 * @example
 * ```ts
 * hintFor(93002); // 'Enable the rule "Message annotations, updates, deletes, and appends" ...'
 * ```
 */
export function hintFor(code: number): string | undefined {
  switch (code) {
    case 93002:
      return 'Enable the rule "Message annotations, updates, deletes, and appends" (mutableMessages) on the channel namespace, the part of the channel name before the first colon.';
    case 40160:
      return 'The token or key lacks a capability for this channel: subscribe and history to read, publish and message-update-own to stream.';
    case 40009:
      return 'The message would exceed the maximum message size; split the response or raise the limit on your Ably plan.';
    case 40101:
    case 40005:
      return 'Check the API key or token: it is malformed or unknown.';
    case 40142:
      return 'The token expired; give the client an authUrl or authCallback so it can renew.';
    case 80002:
    case 80008:
      return 'The connection was suspended or its state expired; the store re-hydrates from history when it reconnects.';
    case 80000:
    case 80003:
      return 'The connection to Ably failed; check the network and the client options (endpoint, port, tls).';
    default:
      return undefined;
  }
}
