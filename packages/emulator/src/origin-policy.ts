import type { IncomingMessage, ServerResponse } from 'node:http';
import { EmulatorError, errors } from './errors.js';

const ALLOWED_HEADERS = 'authorization, content-type, accept, x-ably-version, ably-agent, x-ably-clientid, x-ably-lib';
const EXPOSED_HEADERS = 'Link, X-Ably-ErrorCode, X-Ably-ErrorMessage, X-Ably-ServerId';

/**
 * Check one page origin (`http://localhost:5173`) and return it in the form browsers send it in the
 * `Origin` header (scheme, host and port only, lower case, default ports left out).
 *
 * @throws EmulatorError 40003 when `origin` is not an http(s) origin with nothing after the port
 * @example
 * ```ts
 * normalizeOrigin('http://LOCALHOST:5173'); // 'http://localhost:5173'
 * normalizeOrigin('http://localhost:5173/app'); // throws 40003: an origin has no path
 * ```
 */
export function normalizeOrigin(origin: string): string {
  let url: URL | undefined;
  try {
    url = new URL(origin);
  } catch {
    url = undefined;
  }
  const bare = url && (url.protocol === 'http:' || url.protocol === 'https:') && url.origin;
  if (!url || !bare || origin.replace(/\/$/, '').toLowerCase() !== bare.toLowerCase()) {
    throw errors.invalidParam(
      `Invalid allowed origin ${JSON.stringify(origin)}: give a page origin such as "http://localhost:5173" (scheme, host and port; no path)`,
    );
  }
  return bare;
}

/**
 * The page origins of `port` on this machine, as a browser names them: `http://localhost:<port>` and
 * `http://127.0.0.1:<port>` (a dev server on 127.0.0.1 is usually opened through either).
 *
 * @example
 * ```ts
 * await startEmulator({ allowedOrigins: loopbackOrigins(5173) });
 * ```
 */
export function loopbackOrigins(port: number): string[] {
  if (!Number.isInteger(port) || port <= 0 || port > 65_535) {
    throw errors.invalidParam(
      `Invalid port ${String(port)} for loopbackOrigins: use the port your dev server listens on`,
    );
  }
  return [`http://localhost:${port}`, `http://127.0.0.1:${port}`];
}

/**
 * Which web pages may talk to the emulator. A request with an `Origin` header, or one a browser marks
 * as coming from another site (`Sec-Fetch-Site` other than `same-origin`/`none`), comes from a page:
 * it is served, and gets CORS headers, only when its origin is on the list. Requests without those
 * headers come from programs (the Node SDK, curl), which no web page can make.
 *
 * @example
 * ```ts
 * const policy = new OriginPolicy(['http://localhost:6006']);
 * policy.allows('http://localhost:6006'); // true
 * policy.allows('http://localhost:3000'); // false
 * ```
 */
export class OriginPolicy {
  private readonly origins = new Set<string>();

  constructor(origins: readonly string[] = []) {
    for (const origin of origins) this.allow(origin);
  }

  /** Add a page origin (checked and normalised by {@link normalizeOrigin}); returns it normalised. */
  allow(origin: string): string {
    const normalised = normalizeOrigin(origin);
    this.origins.add(normalised);
    return normalised;
  }

  /** The allowed origins, normalised. */
  list(): string[] {
    return [...this.origins];
  }

  /** Is this `Origin` header value allowed? (`undefined`: no Origin, not a page.) */
  allows(origin: string | undefined): boolean {
    return origin === undefined || this.origins.has(origin);
  }

  /**
   * Refuse a request from a page whose origin is not on the list: 40300 with the option that would
   * allow it. `undefined` when the request may go on.
   */
  refusal(req: IncomingMessage): EmulatorError | undefined {
    const origin = headerValue(req, 'origin');
    const site = headerValue(req, 'sec-fetch-site');
    const fromPage = origin !== undefined || (site !== undefined && site !== 'same-origin' && site !== 'none');
    if (!fromPage || (origin !== undefined && this.origins.has(origin))) return undefined;
    const who = origin === undefined ? `a ${site} page without an Origin header` : `origin "${origin}"`;
    const hint =
      origin === undefined
        ? 'Browsers send an Origin with CORS requests; use fetch or the ably SDK from an allowed page'
        : `allow the page with startEmulator({ allowedOrigins: ["${origin}"] }) or the CLI flag --allow-origin ${origin}`;
    return new EmulatorError(40300, 403, `The emulator refuses requests from ${who}: ${hint}`);
  }

  /** Set CORS headers for an allowed page origin (none for others, and none without an Origin). */
  applyCors(req: IncomingMessage, res: ServerResponse): void {
    const origin = headerValue(req, 'origin');
    res.setHeader('Vary', 'Origin');
    if (origin === undefined || !this.origins.has(origin)) return;
    res.setHeader('Access-Control-Allow-Origin', origin);
    res.setHeader('Access-Control-Allow-Credentials', 'true');
    res.setHeader('Access-Control-Expose-Headers', EXPOSED_HEADERS);
  }

  /** Answer a CORS preflight from an allowed origin: the SDK's methods and headers only. */
  answerPreflight(res: ServerResponse): void {
    res.setHeader('Access-Control-Allow-Methods', 'GET, POST, PUT, PATCH, DELETE, OPTIONS');
    res.setHeader('Access-Control-Allow-Headers', ALLOWED_HEADERS);
    res.setHeader('Access-Control-Max-Age', '600');
    res.writeHead(204).end();
  }
}

/**
 * Does this request come from a web page? Browsers send an `Origin` with CORS and WebSocket requests
 * and a `Sec-Fetch-Site` with every request (`none` only for one the user typed); programs send neither.
 *
 * @example
 * ```ts
 * if (fromWebPage(req)) throw new EmulatorError(40300, 403, 'Pages get tokens, never the key');
 * ```
 */
export function fromWebPage(req: IncomingMessage): boolean {
  const site = headerValue(req, 'sec-fetch-site');
  return headerValue(req, 'origin') !== undefined || (site !== undefined && site !== 'none');
}

/** One request header as a string (the first when repeated), `undefined` when absent. */
export function headerValue(req: IncomingMessage, name: string): string | undefined {
  const value = req.headers[name];
  return Array.isArray(value) ? value[0] : value;
}
