import { createHmac, randomBytes } from 'node:crypto';
import { decodeProtectedHeader, errors as joseErrors, jwtVerify } from 'jose';
import { type Capability, FULL_CAPABILITY, intersectCapability, parseCapability } from './capability.js';
import { EmulatorError, errors } from './errors.js';
import { parseKey } from './keys.js';

/**
 * A key the emulator accepts: `appId.keyId:secret`, optionally with a restricted capability.
 *
 * @example
 * ```ts
 * const keys: KeyConfig[] = [{ key: 'app.reader:secret', capability: { 'ai:*': ['subscribe', 'history'] } }];
 * ```
 */
export interface KeyConfig {
  key: string;
  /** Defaults to full access `{"*":["*"]}`. */
  capability?: Capability | string;
}

interface KeyRecord {
  keyName: string;
  secret: string;
  capability: Capability;
}

/** Who a request or connection is, and what it may do. */
export interface Credentials {
  kind: 'basic' | 'token' | 'jwt';
  keyName: string;
  capability: Capability;
  /** Identity bound by the token (`*` = may assume any); for basic auth, unset. */
  clientId?: string;
  /** The token string for token/JWT auth. */
  token?: string;
  /** Expiry (ms since epoch) for token/JWT auth. */
  expires?: number;
}

/**
 * `TokenDetails` as returned by `POST /keys/:keyName/requestToken`.
 *
 * @example
 * ```ts
 * const details: TokenDetails = await (await fetch(`${emulator.httpUrl}/keys/app.key/requestToken`, init)).json();
 * ```
 */
export interface TokenDetails {
  token: string;
  keyName: string;
  issued: number;
  expires: number;
  capability: string;
  clientId?: string;
}

const TOKEN_REQUEST_WINDOW_MS = 2 * 60 * 1000;
const DEFAULT_TOKEN_TTL_MS = 60 * 60 * 1000;
const MAX_TOKEN_TTL_MS = 24 * 60 * 60 * 1000;

/** Keys, issued tokens, nonces and token revocation for one emulator. */
export class AuthRegistry {
  private readonly keys = new Map<string, KeyRecord>();
  private readonly tokens = new Map<string, TokenDetails>();
  private readonly nonces = new Map<string, number>();
  private readonly expiredTokens = new Set<string>();
  private readonly seenJwts = new Set<string>();

  constructor(keys: Array<KeyConfig | string>) {
    for (const entry of keys) {
      const config = typeof entry === 'string' ? { key: entry } : entry;
      const parsed = parseKey(config.key);
      this.keys.set(parsed.keyName, {
        keyName: parsed.keyName,
        secret: parsed.secret,
        capability: config.capability === undefined ? FULL_CAPABILITY : parseCapability(config.capability),
      });
    }
  }

  /** Basic auth with a full key string `keyName:secret`. */
  authenticateKey(key: string): Credentials {
    const match = /^([^:\s]+):([^:\s]+)$/.exec(key);
    if (!match) throw new EmulatorError(40005, 400, `Invalid key "${key}": expected appId.keyId:secret`);
    const record = this.keys.get(match[1] as string);
    if (!record || record.secret !== match[2]) {
      throw errors.badCredentials(`Invalid credentials for key "${match[1]}": unknown key or wrong secret`);
    }
    return { kind: 'basic', keyName: record.keyName, capability: record.capability };
  }

  /** Token auth: an Ably token issued by this emulator or an Ably JWT signed with a key secret. */
  async authenticateToken(token: string): Promise<Credentials> {
    if (token.split('.').length === 3) return this.authenticateJwt(token);
    const details = this.tokens.get(token);
    if (!details) {
      throw new EmulatorError(40143, 401, 'Token not recognised by this emulator (was it issued by another server?)');
    }
    if (this.expiredTokens.has(token) || details.expires <= Date.now()) throw errors.tokenExpired();
    const credentials: Credentials = {
      kind: 'token',
      keyName: details.keyName,
      capability: parseCapability(details.capability),
      token,
      expires: details.expires,
    };
    if (details.clientId !== undefined) credentials.clientId = details.clientId;
    return credentials;
  }

  private async authenticateJwt(token: string): Promise<Credentials> {
    let kid: string | undefined;
    try {
      kid = decodeProtectedHeader(token).kid;
    } catch {
      throw new EmulatorError(40144, 401, 'Invalid JWT: the header cannot be decoded');
    }
    const record = kid ? this.keys.get(kid) : undefined;
    if (!record) {
      throw errors.badCredentials(`Invalid JWT: header kid "${kid ?? ''}" must name a key of this emulator`);
    }
    let payload: Record<string, unknown>;
    try {
      ({ payload } = await jwtVerify(token, new TextEncoder().encode(record.secret), { algorithms: ['HS256'] }));
    } catch (error) {
      if (error instanceof joseErrors.JWTExpired) throw errors.tokenExpired('JWT expired; issue a new one');
      throw new EmulatorError(40144, 401, `Invalid JWT: ${(error as Error).message}`);
    }
    if (typeof payload.exp !== 'number') {
      throw new EmulatorError(
        40144,
        401,
        'Invalid JWT: it has no "exp" claim; sign it with an expiry (exp, in seconds since the epoch), as Ably requires',
      );
    }
    if (this.expiredTokens.has(token)) throw errors.tokenExpired('JWT expired; issue a new one');
    this.seenJwts.add(token);
    const claimed = payload['x-ably-capability'];
    const capability =
      claimed === undefined ? record.capability : intersectCapability(record.capability, parseCapability(claimed));
    const credentials: Credentials = {
      kind: 'jwt',
      keyName: record.keyName,
      capability,
      token,
      expires: payload.exp * 1000,
    };
    const clientId = payload['x-ably-clientId'];
    if (typeof clientId === 'string') credentials.clientId = clientId;
    return credentials;
  }

  /**
   * `POST /keys/:keyName/requestToken`: check a signed TokenRequest (MAC, timestamp, nonce) or, with
   * basic auth by the same key, issue directly.
   */
  requestToken(keyName: string, body: unknown, basic: Credentials | undefined): TokenDetails {
    const record = this.keys.get(keyName);
    if (!record) throw errors.notFound(`No key named "${keyName}" on this emulator`);
    if (typeof body !== 'object' || body === null) throw errors.badRequest('Token request body must be an object');
    const request = body as Record<string, unknown>;
    const str = (v: unknown) => (v === undefined || v === null ? '' : String(v));
    if (request.keyName !== undefined && request.keyName !== keyName) {
      throw errors.incompatibleCredentials(`Token request keyName "${str(request.keyName)}" does not match the URL`);
    }
    if (typeof request.mac === 'string') {
      const signed = `${[keyName, str(request.ttl), str(request.capability), str(request.clientId), str(request.timestamp), str(request.nonce)].join('\n')}\n`;
      const expected = createHmac('sha256', record.secret).update(signed).digest('base64');
      if (expected !== request.mac) {
        throw errors.badCredentials('Token request MAC does not match: sign it with the secret of the named key');
      }
      const timestamp = Number(request.timestamp);
      if (!Number.isFinite(timestamp) || Math.abs(Date.now() - timestamp) > TOKEN_REQUEST_WINDOW_MS) {
        throw new EmulatorError(40104, 401, 'Token request timestamp is more than 2 minutes from server time');
      }
      const nonce = str(request.nonce);
      if (nonce.length < 16) throw new EmulatorError(40105, 401, 'Token request nonce must be at least 16 characters');
      this.pruneNonces();
      const nonceKey = `${keyName}\n${nonce}`;
      if (this.nonces.has(nonceKey)) throw new EmulatorError(40105, 401, 'Token request nonce was already used');
      this.nonces.set(nonceKey, Date.now());
    } else if (!basic || basic.keyName !== keyName) {
      throw errors.badCredentials('Token request must be signed (mac) or sent with basic auth by the same key');
    }
    const ttl =
      request.ttl === undefined || request.ttl === null || request.ttl === ''
        ? DEFAULT_TOKEN_TTL_MS
        : Number(request.ttl);
    if (!Number.isFinite(ttl) || ttl <= 0 || ttl > MAX_TOKEN_TTL_MS) {
      throw errors.invalidParam(
        `Invalid token ttl ${str(request.ttl)}: use a number of milliseconds from 1 to ${MAX_TOKEN_TTL_MS} (24 hours); leave it out for the default of 1 hour`,
      );
    }
    const capability =
      request.capability === undefined || request.capability === ''
        ? record.capability
        : intersectCapability(record.capability, parseCapability(request.capability));
    const issued = Date.now();
    const details: TokenDetails = {
      token: `${keyName.split('.')[0]}.${randomBytes(18).toString('base64url')}`,
      keyName,
      issued,
      expires: issued + ttl,
      capability: JSON.stringify(capability),
    };
    if (typeof request.clientId === 'string' && request.clientId !== '') details.clientId = request.clientId;
    this.tokens.set(details.token, details);
    return details;
  }

  /** Treat every token and JWT issued so far as expired; returns how many were known. */
  expireAllTokens(): number {
    for (const token of this.tokens.keys()) this.expiredTokens.add(token);
    for (const jwt of this.seenJwts) this.expiredTokens.add(jwt);
    return this.tokens.size + this.seenJwts.size;
  }

  /** Is this token (still) valid, ignoring signature checks already done? */
  isExpired(credentials: Credentials): boolean {
    if (!credentials.token) return false;
    return (
      this.expiredTokens.has(credentials.token) ||
      (credentials.expires !== undefined && credentials.expires <= Date.now())
    );
  }

  /** The secret of a key, for signing JWTs in tests and the CLI. */
  keyNames(): string[] {
    return [...this.keys.keys()];
  }

  private pruneNonces(): void {
    const cutoff = Date.now() - 2 * TOKEN_REQUEST_WINDOW_MS;
    for (const [nonce, at] of this.nonces) {
      if (at >= cutoff) break;
      this.nonces.delete(nonce);
    }
  }
}
