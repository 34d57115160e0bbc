import type { IncomingMessage } from 'node:http';
import { HttpError } from './http-utils.js';

const LOOPBACK_NAMES = ['127.0.0.1', 'localhost', '[::1]'];

/**
 * The `Host` values the demo answers on `port`: its loopback names, plus `host` when it listens on
 * another interface. Anything else is a DNS-rebinding attempt (a page of another site whose name now
 * points at 127.0.0.1) or a misdirected request.
 *
 * @example
 * ```ts
 * allowedHosts(5173, '127.0.0.1'); // ['127.0.0.1:5173', 'localhost:5173', '[::1]:5173']
 * ```
 */
export function allowedHosts(port: number, host = '127.0.0.1'): string[] {
  const names = new Set([...LOOPBACK_NAMES, host.includes(':') ? `[${host}]` : host]);
  names.delete('0.0.0.0');
  names.delete('[::]');
  return [...names].map((name) => `${name}:${port}`);
}

/**
 * Check the `Host` header against `hosts` (see {@link allowedHosts}); every request the demo serves,
 * the app included, goes through it. Returns the host.
 *
 * @throws HttpError 403 (40300) for any other host
 * @example
 * ```ts
 * checkHost(req, allowedHosts(5173)); // '127.0.0.1:5173'
 * ```
 */
export function checkHost(req: IncomingMessage, hosts: readonly string[]): string {
  const host = req.headers.host ?? '';
  if (!hosts.includes(host)) {
    throw new HttpError(
      403,
      40300,
      `The demo does not answer for host "${host}"`,
      `Open the demo through ${hosts[0] ? `http://${hosts[0]}` : 'the URL pnpm dev prints'}.`,
    );
  }
  return host;
}

/**
 * Admit one `/api` request, or throw why not. The API answers only its own pages, so it is CSRF-safe
 * by construction rather than by tokens:
 *
 * - `Host` must be one of `hosts` (no DNS rebinding);
 * - an `Origin`, when sent, must be this server's own (`http://<Host>`), and a browser's
 *   `Sec-Fetch-Site` must be `same-origin` or `none`: another page, even on another loopback port,
 *   is refused before anything runs;
 * - anything but GET must be `content-type: application/json`, which no page of another origin can
 *   send without a CORS preflight, and the API answers no preflight.
 *
 * @throws HttpError 403 (40300) for a foreign Host, Origin or site; 415 (41500) for a body that is not JSON
 * @example
 * ```ts
 * guardApiRequest(req, allowedHosts(server.port));
 * ```
 */
export function guardApiRequest(req: IncomingMessage, hosts: readonly string[]): void {
  const host = checkHost(req, hosts);
  const origin = req.headers.origin;
  const site = req.headers['sec-fetch-site'];
  if (
    (origin !== undefined && origin !== `http://${host}`) ||
    (site !== undefined && site !== 'same-origin' && site !== 'none')
  ) {
    throw new HttpError(
      403,
      40300,
      `The demo API only answers its own pages (got ${origin !== undefined ? `Origin ${origin}` : `Sec-Fetch-Site ${String(site)}`})`,
      `Use the demo at http://${host}; other pages cannot call it.`,
    );
  }
  if (req.method !== 'GET' && req.method !== 'HEAD') {
    const type = (req.headers['content-type'] ?? '').split(';')[0]?.trim().toLowerCase();
    if (type !== 'application/json') {
      throw new HttpError(
        415,
        41500,
        `The demo API only reads JSON (got content-type "${type ?? ''}")`,
        'Send the body as JSON with content-type application/json.',
      );
    }
  }
}
