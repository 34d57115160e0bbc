import type { Credentials } from './auth.js';
import { errors } from './errors.js';

/**
 * The clientId a new connection gets: what basic auth asks for; for a token, the token's clientId
 * (a wildcard token may choose one, or stays `*`); an unidentified token may not choose one.
 *
 * @throws EmulatorError 40012 for "*" as a connection clientId, 40102 for a clientId the token does not allow
 * @example
 * ```ts
 * resolveClientId({ kind: 'token', keyName: 'a.b', capability: {}, clientId: '*' }, 'alice'); // 'alice'
 * ```
 */
export function resolveClientId(credentials: Credentials, requested: string | undefined): string | undefined {
  if (requested === '*')
    throw errors.invalidClientId('clientId "*" is only valid inside a token, not as a connection clientId');
  if (credentials.kind === 'basic') return requested;
  const bound = credentials.clientId;
  if (bound === undefined) {
    if (requested !== undefined) {
      throw errors.incompatibleCredentials(`clientId "${requested}" is not allowed: the token has no clientId`);
    }
    return undefined;
  }
  if (bound === '*') return requested ?? '*';
  if (requested !== undefined && requested !== bound) {
    throw errors.incompatibleCredentials(`clientId "${requested}" does not match the token's clientId "${bound}"`);
  }
  return bound;
}

/**
 * In-band AUTH keeps the connection's clientId rules: the new token must name the same clientId, or be
 * a wildcard token (`*`) for an identified connection. A token without a clientId cannot take over an
 * identified connection, and an unidentified connection cannot become identified (or wildcard).
 *
 * @throws EmulatorError 40102 naming both clientIds
 * @example
 * ```ts
 * checkReauthClientId('alice', 'alice'); // fine
 * checkReauthClientId('alice', undefined); // throws 40102
 * ```
 */
export function checkReauthClientId(current: string | undefined, next: string | undefined): void {
  if (next === current || (next === '*' && current !== undefined)) return;
  const name = (clientId: string | undefined) => (clientId === undefined ? 'no clientId' : `clientId "${clientId}"`);
  throw errors.incompatibleCredentials(
    `The new token has ${name(next)} but the connection has ${name(current)}: renew with a token for the same clientId (or connect again to change identity)`,
  );
}
