import { errors } from './errors.js';

/**
 * An Ably capability: resource pattern -> allowed operations.
 *
 * @example
 * ```ts
 * const capability: Capability = { 'ai:*': ['subscribe', 'history'], 'ai:agent-*': ['*'] };
 * ```
 */
export type Capability = Record<string, string[]>;

/** Operations a capability can grant. */
export type Operation =
  | 'publish'
  | 'subscribe'
  | 'presence'
  | 'history'
  | 'channel-metadata'
  | 'message-update-own'
  | 'message-update-any'
  | 'message-delete-own'
  | 'message-delete-any';

/** Full access to every channel. */
export const FULL_CAPABILITY: Capability = { '*': ['*'] };

/** Parse a capability given as a JSON string or object; 40000 when it is not `{ resource: [ops] }`. */
export function parseCapability(value: unknown): Capability {
  let parsed = value;
  if (typeof value === 'string') {
    try {
      parsed = JSON.parse(value);
    } catch {
      throw errors.badRequest(`Invalid capability ${value}: expected JSON like {"channel:*":["subscribe"]}`);
    }
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    throw errors.badRequest('Invalid capability: expected an object like {"channel:*":["subscribe"]}');
  }
  const result: Capability = {};
  for (const [resource, ops] of Object.entries(parsed)) {
    if (!Array.isArray(ops) || ops.some((op) => typeof op !== 'string')) {
      throw errors.badRequest(`Invalid capability for "${resource}": operations must be an array of strings`);
    }
    result[resource] = [...ops] as string[];
  }
  return result;
}

/** Does a resource pattern (exact name, `prefix*`, `*`, `[*]*`) cover a channel name? */
export function resourceMatches(pattern: string, channel: string): boolean {
  const qualified = channel.startsWith('[');
  if (pattern === '[*]*') return true;
  if (qualified) {
    // Qualified names ([?rewind=1]name) are matched on their base name by plain patterns.
    const base = channel.slice(channel.indexOf(']') + 1);
    return resourceMatches(pattern, base);
  }
  if (pattern.endsWith('*')) return channel.startsWith(pattern.slice(0, -1));
  return pattern === channel;
}

/** Is `operation` on `channel` granted by `capability`? */
export function capabilityAllows(capability: Capability, channel: string, operation: Operation): boolean {
  for (const [pattern, ops] of Object.entries(capability)) {
    if (!resourceMatches(pattern, channel)) continue;
    if (ops.includes('*') || ops.includes(operation)) return true;
  }
  return false;
}

/** Does `capability` grant anything at all on `channel`? */
export function capabilityTouches(capability: Capability, channel: string): boolean {
  return Object.entries(capability).some(([pattern, ops]) => ops.length > 0 && resourceMatches(pattern, channel));
}

/**
 * Intersect a requested token capability with the key's: keep each requested resource/op that the
 * key grants (checked with the resource pattern itself as the channel name). Empty → 40160.
 */
export function intersectCapability(keyCapability: Capability, requested: Capability): Capability {
  const result: Capability = {};
  for (const [resource, ops] of Object.entries(requested)) {
    const granted = ops.filter((op) =>
      op === '*'
        ? Object.entries(keyCapability).some(([p, o]) => o.includes('*') && (p === '*' || resourceMatches(p, resource)))
        : capabilityAllows(keyCapability, resource, op as Operation),
    );
    if (granted.length > 0) result[resource] = granted;
  }
  if (Object.keys(result).length === 0) {
    throw errors.capability(
      `Requested capability ${JSON.stringify(requested)} is not permitted by the key's capability ${JSON.stringify(keyCapability)}`,
    );
  }
  return result;
}
