/** An Ably API key split into its public name and secret. */
export interface ParsedKey {
  /** `appId.keyId` */
  keyName: string;
  appId: string;
  secret: string;
}

/**
 * Parse an Ably API key of the form `appId.keyId:secret`.
 *
 * @throws Error with code 40005 when the key is malformed.
 * @example
 * ```ts
 * parseKey('app.key:secret').keyName; // 'app.key'
 * ```
 */
export function parseKey(key: string): ParsedKey {
  const match = /^(([^:.\s]+)\.[^:\s]+):([^:.\s]+)$/.exec(key);
  if (!match) {
    throw Object.assign(new Error(`Invalid key "${key}": expected appId.keyId:secret`), { code: 40005 });
  }
  return { keyName: match[1] as string, appId: match[2] as string, secret: match[3] as string };
}
