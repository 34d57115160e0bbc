import { errors } from './errors.js';

/**
 * An Ably capability: resource pattern -> allowed operations.
 *
 * @example
 * ```ts
 * const capability: Capability = { 'ai:*': ['subscribe', 'history'], 'ai:agent:*': ['*'] };
 * ```
 */
export type Capability = Record<string, string[]>;

/** Operations a capability can grant (Ably's documented list). */
export const OPERATIONS = [
  'subscribe',
  'publish',
  'presence',
  'object-subscribe',
  'object-publish',
  'annotation-subscribe',
  'annotation-publish',
  'message-update-own',
  'message-update-any',
  'message-delete-own',
  'message-delete-any',
  'history',
  'stats',
  'push-subscribe',
  'push-admin',
  'channel-metadata',
  'privileged-headers',
] as const;

/** One operation a capability can grant. */
export type Operation = (typeof OPERATIONS)[number];

const KNOWN_OPERATIONS = new Set<string>(OPERATIONS);

/** Full access to every channel. */
export const FULL_CAPABILITY: Capability = { '*': ['*'] };

const EXAMPLE = 'expected JSON like {"channel:*":["subscribe","publish"]}';

/**
 * Parse and check a capability given as a JSON string or object: every resource needs a non-empty list
 * of known operations, or exactly `["*"]`. Invalid → 40000 (HTTP 400).
 *
 * @example
 * ```ts
 * parseCapability('{"ai:*":["subscribe"]}'); // { 'ai:*': ['subscribe'] }
 * parseCapability({ chat: ['publish_'] }); // throws 40000: unknown operation
 * ```
 */
export function parseCapability(value: unknown): Capability {
  let parsed = value;
  if (typeof value === 'string') {
    try {
      parsed = JSON.parse(value);
    } catch {
      throw errors.badRequest(`Invalid capability ${value}: ${EXAMPLE}`);
    }
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    throw errors.badRequest(`Invalid capability: ${EXAMPLE}`);
  }
  const result: Capability = {};
  for (const [resource, ops] of Object.entries(parsed)) {
    if (resource === '') throw errors.badRequest('Invalid capability: a resource name cannot be empty');
    if (!Array.isArray(ops) || ops.some((op) => typeof op !== 'string')) {
      throw errors.badRequest(`Invalid capability for "${resource}": operations must be an array of strings`);
    }
    if (ops.length === 0) {
      throw errors.badRequest(
        `Invalid capability for "${resource}": the operation list is empty (leave the resource out instead)`,
      );
    }
    if (ops.includes('*') && ops.length > 1) {
      throw errors.badRequest(
        `Invalid capability for "${resource}": "*" already means every operation, so it must be alone (got ${JSON.stringify(ops)})`,
      );
    }
    const unknown = ops.find((op) => op !== '*' && !KNOWN_OPERATIONS.has(op));
    if (unknown !== undefined) {
      throw errors.badRequest(
        `Invalid capability for "${resource}": unknown operation "${unknown}" (use "*" or one of ${OPERATIONS.join(', ')})`,
      );
    }
    result[resource] = [...ops] as string[];
  }
  return result;
}

/** The channel part of a name, without a `[...]` qualifier; undefined for `[*]*`-style resources. */
function splitQualifier(name: string): { qualifier: string | undefined; rest: string } {
  if (!name.startsWith('[')) return { qualifier: undefined, rest: name };
  const end = name.indexOf(']');
  if (end < 0) return { qualifier: undefined, rest: name };
  return { qualifier: name.slice(1, end), rest: name.slice(end + 1) };
}

/**
 * Does a resource pattern cover a name (a channel, or another pattern)? Wildcards replace whole
 * `:`-separated segments; a trailing `*` covers one or more segments (`ns:*` covers `ns:a` and `ns:a:b`,
 * `*` covers every channel); `foo*` is a literal name. `[*]*` covers everything. Qualified channel names
 * (`[?rewind=1]name`, `[filter=…]name`) are covered by plain patterns for their base name, and by
 * `[filter]name` / `[*]name` patterns.
 */
export function resourceMatches(pattern: string, channel: string): boolean {
  if (pattern === '[*]*') return true;
  const p = splitQualifier(pattern);
  const c = splitQualifier(channel);
  if (p.qualifier !== undefined) {
    // [*]name covers any qualified or plain name; [filter]name covers filtered names; [meta], [queue]… only their own.
    if (c.qualifier === undefined) return p.qualifier === '*' && segmentsCover(p.rest, c.rest);
    const kind = c.qualifier.split(/[=?]/)[0] ?? '';
    if (p.qualifier !== '*' && p.qualifier !== kind) return false;
    return segmentsCover(p.rest, c.rest);
  }
  if (c.qualifier !== undefined) {
    const kind = c.qualifier.split(/[=?]/)[0] ?? '';
    // Params (`[?rewind=1]`) and filters keep the channel: plain patterns apply to its base name.
    if (kind !== '' && kind !== 'filter') return false;
    return segmentsCover(p.rest, c.rest);
  }
  return segmentsCover(p.rest, c.rest);
}

function segmentsCover(pattern: string, name: string): boolean {
  if (pattern === '*') return name !== '';
  const ps = pattern.split(':');
  const ns = name.split(':');
  for (let i = 0; i < ps.length; i++) {
    const segment = ps[i] as string;
    const last = i === ps.length - 1;
    if (segment === '*' && last) return ns.length > i && ns.slice(i).every((s) => s !== '');
    if (i >= ns.length) return false;
    if (segment === '*') {
      if (ns[i] === '') return false;
      continue;
    }
    if (segment !== ns[i]) return false;
  }
  return ps.length === ns.length;
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
 * Intersect a requested token capability with the key's. For each pair of requested and key resources
 * where one covers the other, the narrower resource gets the common operations: the requested list
 * filtered by the key's (a requested `*` takes the key's operations, in the key's order). Results for
 * one resource are merged in order. Nothing left → 40160 (HTTP 401), as Ably answers.
 *
 * @example
 * ```ts
 * intersectCapability({ channel2: ['publish', 'subscribe'] }, { channel2: ['*'] }); // { channel2: ['publish', 'subscribe'] }
 * ```
 */
export function intersectCapability(keyCapability: Capability, requested: Capability): Capability {
  const result: Capability = {};
  const add = (resource: string, ops: string[]) => {
    const list = result[resource] ?? [];
    if (list.includes('*')) return;
    if (ops.includes('*')) {
      result[resource] = ['*'];
      return;
    }
    for (const op of ops) if (!list.includes(op)) list.push(op);
    if (list.length > 0) result[resource] = list;
  };
  for (const [resource, ops] of Object.entries(requested)) {
    for (const [keyResource, keyOps] of Object.entries(keyCapability)) {
      const narrower = resourceMatches(keyResource, resource)
        ? resource
        : resourceMatches(resource, keyResource)
          ? keyResource
          : undefined;
      if (narrower === undefined) continue;
      const common = ops.includes('*') ? keyOps : keyOps.includes('*') ? ops : ops.filter((op) => keyOps.includes(op));
      add(narrower, common);
    }
  }
  if (Object.keys(result).length === 0) {
    throw errors.capability(
      `Requested capability ${JSON.stringify(requested)} has nothing in common with the key's capability ${JSON.stringify(keyCapability)}`,
    );
  }
  // Operations from several key resources are merged: list them in the order of the request (or the key).
  for (const [resource, ops] of Object.entries(result)) {
    const reference = [...(requested[resource] ?? []), ...(keyCapability[resource] ?? [])];
    const rank = (op: string) => (reference.includes(op) ? reference.indexOf(op) : reference.length);
    result[resource] = [...ops].sort((a, b) => rank(a) - rank(b));
  }
  return result;
}
