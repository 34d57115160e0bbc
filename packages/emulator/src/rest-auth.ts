/**
 * Who a REST request is: its credentials (key or token, from the header or the query), the clientId it
 * acts as, and the capability checks its endpoints make.
 *
 * @module
 */
import type { Credentials } from './auth.js';
import { capabilityAllows, type Operation } from './capability.js';
import { errors } from './errors.js';
import type { RestContext } from './rest.js';

/**
 * The key of a Basic authorization header, if the request has one (a token request may be signed
 * instead).
 *
 * @throws EmulatorError 40005 for a malformed key, 40101 for an unknown key or wrong secret
 * @example
 * ```ts
 * const basic = optionalBasic(ctx); // undefined for a signed token request
 * ```
 */
export function optionalBasic(ctx: RestContext): Credentials | undefined {
  const header = String(ctx.req.headers.authorization ?? '');
  if (!header.startsWith('Basic ')) return undefined;
  return ctx.server.auth.authenticateKey(Buffer.from(header.slice(6), 'base64').toString('utf8'));
}

/** The credentials of a REST request, with the clientId the request acts as. */
export interface RestCredentials extends Credentials {
  /** Identified clientId for this request (not `*`). */
  identity?: string;
}

/**
 * Authenticate a REST request: Basic (key) or Bearer (token) authorization, or `key=` / `access_token=`
 * in the query; the identity is the token's clientId, or the `X-Ably-ClientId` a key or wildcard token
 * asks for.
 *
 * @throws EmulatorError 40101 without (valid) credentials, 4014x for an expired or unknown token, 40102 for
 *   a clientId the token does not allow, 40300 for the built-in key from another host or a page
 * @example
 * ```ts
 * const credentials = await authenticate(ctx);
 * credentials.identity; // 'alice' for a token issued to alice
 * ```
 */
export async function authenticate(ctx: RestContext): Promise<RestCredentials> {
  const header = String(ctx.req.headers.authorization ?? '');
  let credentials: RestCredentials;
  if (header.startsWith('Basic ')) {
    credentials = ctx.server.auth.authenticateKey(Buffer.from(header.slice(6), 'base64').toString('utf8'));
  } else if (header.startsWith('Bearer ')) {
    const raw = header.slice(7).trim();
    const decoded = Buffer.from(raw, 'base64').toString('utf8');
    const token =
      Buffer.from(decoded, 'utf8').toString('base64').replace(/=+$/, '') === raw.replace(/=+$/, '') ? decoded : raw;
    credentials = await ctx.server.auth.authenticateToken(token);
  } else if (ctx.query.get('key')) {
    credentials = ctx.server.auth.authenticateKey(ctx.query.get('key') as string);
  } else if (ctx.query.get('access_token')) {
    credentials = await ctx.server.auth.authenticateToken(ctx.query.get('access_token') as string);
  } else {
    throw errors.badCredentials('No credentials: send Basic (key) or Bearer (token) authorization');
  }
  ctx.server.admitCredentials(credentials, ctx.req);
  const headerClientId = ctx.req.headers['x-ably-clientid'];
  const requested =
    typeof headerClientId === 'string' ? Buffer.from(headerClientId, 'base64').toString('utf8') : undefined;
  if (credentials.kind === 'basic') {
    if (requested !== undefined && requested !== '*') credentials.identity = requested;
  } else if (credentials.clientId !== undefined && credentials.clientId !== '*') {
    if (requested !== undefined && requested !== credentials.clientId) {
      throw errors.incompatibleCredentials(
        `clientId "${requested}" does not match the token's clientId "${credentials.clientId}"`,
      );
    }
    credentials.identity = credentials.clientId;
  } else if (credentials.clientId === '*' && requested !== undefined) {
    credentials.identity = requested;
  }
  return credentials;
}

/**
 * Require an operation (or one of its alternatives) on a channel.
 *
 * @throws EmulatorError 40160 naming the operation
 * @example
 * ```ts
 * requireCapability(credentials, 'ai:chat', 'history');
 * ```
 */
export function requireCapability(
  credentials: Credentials,
  channel: string,
  operation: Operation,
  alternatives: Operation[] = [],
): void {
  if ([operation, ...alternatives].some((op) => capabilityAllows(credentials.capability, channel, op))) return;
  throw errors.capability(`No "${operation}" capability on channel "${channel}"`);
}
