import { randomBytes, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import { EmulatorError, errors } from './errors.js';
import { headerValue } from './origin-policy.js';

/** The request header that carries the control token (`Authorization: Bearer <token>` works too). */
export const CONTROL_TOKEN_HEADER = 'x-emulator-control-token';

const MIN_TOKEN_LENGTH = 16;

/**
 * A fresh control token for one emulator process (random, 32 characters).
 *
 * @example
 * ```ts
 * const token = createControlToken(); // 'kM3v…' — give it to the code that drives faults
 * ```
 */
export function createControlToken(): string {
  return randomBytes(24).toString('base64url');
}

/**
 * Check a control token chosen by the caller: at least 16 characters of `A-Z a-z 0-9 - _ . ~`.
 *
 * @throws EmulatorError 40003 naming the rule
 * @example
 * ```ts
 * checkControlToken(process.env.EMULATOR_CONTROL_TOKEN ?? createControlToken());
 * ```
 */
export function checkControlToken(token: string): string {
  if (typeof token !== 'string' || token.length < MIN_TOKEN_LENGTH || !/^[\w.~-]+$/.test(token)) {
    throw errors.invalidParam(
      `Invalid control token: use at least ${MIN_TOKEN_LENGTH} characters of A-Z, a-z, 0-9, "-", "_", "." or "~" (or leave it out for a random one)`,
    );
  }
  return token;
}

/**
 * Admit one request to the control endpoint (`/_emulator/*`), or throw why not. Only programs on this
 * machine drive faults: a request must come over loopback, carry no `Origin` and no browser
 * `Sec-Fetch-Site` other than `none` (so no web page, whatever its origin, can send it), present the
 * process's control token, and send any body as `application/json`.
 *
 * @throws EmulatorError 40300 (not loopback, or from a web page), 40101 (missing or wrong token), 41500 (content type)
 * @example
 * ```ts
 * await fetch(`${emulator.httpUrl}/_emulator/faults/drop`, {
 *   method: 'POST',
 *   headers: { 'content-type': 'application/json', [CONTROL_TOKEN_HEADER]: emulator.controlToken },
 *   body: JSON.stringify({ connectionId }),
 * });
 * ```
 */
export function admitControlRequest(req: IncomingMessage, token: string, loopback: boolean): void {
  if (!loopback) throw new EmulatorError(40300, 403, 'The emulator control endpoint only answers loopback requests');
  const origin = headerValue(req, 'origin');
  const site = headerValue(req, 'sec-fetch-site');
  if (origin !== undefined || (site !== undefined && site !== 'none')) {
    throw new EmulatorError(
      40300,
      403,
      `The emulator control endpoint refuses requests from web pages (${origin !== undefined ? `Origin "${origin}"` : `Sec-Fetch-Site "${site}"`}): drive faults from a program (tests, your dev server) with the control token, never from a browser`,
    );
  }
  if (!tokenMatches(presentedToken(req), token)) {
    throw new EmulatorError(
      40101,
      401,
      `The emulator control endpoint needs this process's control token in the "${CONTROL_TOKEN_HEADER}" header: the CLI prints it at start; in-process code reads emulator.controlToken`,
    );
  }
  if (req.method !== 'GET' && req.method !== 'HEAD') {
    const type = (headerValue(req, 'content-type') ?? '').split(';')[0]?.trim().toLowerCase();
    if (type !== 'application/json') {
      throw new EmulatorError(
        41500,
        415,
        `The emulator control endpoint only reads JSON (got content-type ${JSON.stringify(type ?? '')}): send "content-type: application/json"`,
      );
    }
  }
}

function presentedToken(req: IncomingMessage): string | undefined {
  const header = headerValue(req, CONTROL_TOKEN_HEADER);
  if (header !== undefined) return header;
  const authorization = headerValue(req, 'authorization');
  return authorization?.startsWith('Bearer ') ? authorization.slice(7).trim() : undefined;
}

function tokenMatches(presented: string | undefined, expected: string): boolean {
  if (presented === undefined) return false;
  const a = Buffer.from(presented);
  const b = Buffer.from(expected);
  return a.length === b.length && timingSafeEqual(a, b);
}
