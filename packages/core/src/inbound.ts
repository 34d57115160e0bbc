import type { Diagnostic } from './types.js';

/** The message actions the reducer understands, as the `ably` SDK names them. */
export type InboundAction = 'message.create' | 'message.update' | 'message.delete' | 'message.append';

/** Wire numbers of message actions, for messages that arrive undecoded (Ably protocol TM5). */
const ACTION_BY_NUMBER: Readonly<Record<number, string>> = {
  0: 'message.create',
  1: 'message.update',
  2: 'message.delete',
  3: 'meta',
  4: 'message.summary',
  5: 'message.append',
};

/** Actions that are legitimate on a channel but carry nothing for a response (occupancy, annotation summaries). */
const IGNORED_ACTIONS = new Set(['meta', 'message.summary']);

/** An inbound Ably message after validation: only the fields the reducer reads, with their types checked. */
export interface InboundMessage {
  readonly name: string | undefined;
  readonly action: InboundAction;
  readonly serial: string | undefined;
  /** `version.serial`, or the serial itself when the message carries no version (the SDK does the same). */
  readonly versionSerial: string | undefined;
  readonly data: unknown;
  /** Valid `extras.headers` entries, or undefined when the message had none. */
  readonly headers: Readonly<Record<string, string>> | undefined;
  readonly clientId: string | undefined;
  /** Server time of the original publish. */
  readonly timestamp: number | undefined;
  /** Server time of the latest operation (append, update), falling back to `timestamp`. */
  readonly versionTimestamp: number | undefined;
  /** `version.metadata` (string values only). */
  readonly metadata: Readonly<Record<string, string>> | undefined;
  readonly received: unknown;
}

type Report = (kind: Diagnostic['kind'], message: string, received: unknown) => void;

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * One field of a nested wire object (extras, version), own properties only: a `__proto__` key that a
 * msgpack decoder made the object's prototype must not supply fields a JSON reader would not see.
 * Reports an object whose prototype is not a plain object's.
 */
function ownFields(
  value: Record<string, unknown>,
  what: string,
  kind: Diagnostic['kind'],
  received: unknown,
  report: Report,
): (key: string) => unknown {
  const prototype = Object.getPrototypeOf(value);
  if (prototype !== Object.prototype && prototype !== null) {
    report(kind, `${what} has a non-standard prototype; only its own entries are read`, received);
  }
  const reserved = Object.keys(value).filter((key) => FORBIDDEN_KEYS.has(key));
  if (reserved.length > 0) report(kind, `reserved key(s) ${reserved.join(', ')} in ${what} ignored`, received);
  return (key) => (FORBIDDEN_KEYS.has(key) ? undefined : Object.getOwnPropertyDescriptor(value, key)?.value);
}

/** Keys that would reach an object's prototype machinery if a reader assigned them; never kept. */
const FORBIDDEN_KEYS: ReadonlySet<string> = new Set(['__proto__', 'constructor', 'prototype']);

/** A value for a message only, safe to print: BigInt and symbols do not survive JSON.stringify. */
function describeValue(value: unknown): string {
  if (typeof value === 'bigint') return `${value}n`;
  if (typeof value === 'symbol' || typeof value === 'function') return typeof value;
  try {
    return JSON.stringify(value) ?? String(value);
  } catch {
    return typeof value;
  }
}

/** An optional string field: absent is fine, anything but a string is reported under `kind`. */
function optionalString(
  value: unknown,
  field: string,
  kind: Diagnostic['kind'],
  received: unknown,
  report: Report,
): string | undefined {
  if (value === undefined || value === null) return undefined;
  if (typeof value === 'string') return value.length > 0 ? value : undefined;
  report(kind, `${field} must be a string, got ${typeof value}; ignored`, received);
  return undefined;
}

/** An optional time in ms: absent is fine, anything but a finite number is reported. */
function optionalTime(value: unknown, field: string, received: unknown, report: Report): number | undefined {
  if (value === undefined || value === null) return undefined;
  if (typeof value === 'number' && Number.isFinite(value)) return value;
  report('bad-timestamp', `${field} must be a finite number of ms, got ${describeValue(value)}; ignored`, received);
  return undefined;
}

/**
 * Keep the string entries of a header-like record. Returns undefined for an absent record and
 * reports anything that is not a flat string map.
 */
function stringEntries(
  value: unknown,
  what: string,
  received: unknown,
  report: Report,
): Readonly<Record<string, string>> | undefined {
  if (value === undefined || value === null) return undefined;
  if (!isRecord(value)) {
    report('bad-headers', `${what} is not an object; ignored`, received);
    return undefined;
  }
  // Only own, string-valued entries, copied into an object without a prototype: a `__proto__` key that
  // one decoder made the prototype (msgpack) and another an own key (JSON) must read the same everywhere.
  const prototype = Object.getPrototypeOf(value);
  if (prototype !== Object.prototype && prototype !== null) {
    report('bad-headers', `${what} has a non-standard prototype; only its own entries are read`, received);
  }
  const result: Record<string, string> = Object.create(null);
  let dropped = 0;
  let forbidden = 0;
  for (const key of Object.keys(value)) {
    const entry = Object.getOwnPropertyDescriptor(value, key)?.value;
    if (FORBIDDEN_KEYS.has(key)) forbidden++;
    else if (typeof entry === 'string') result[key] = entry;
    else dropped++;
  }
  if (forbidden > 0)
    report(
      'bad-headers',
      `${forbidden} reserved key(s) (__proto__, constructor, prototype) in ${what} ignored`,
      received,
    );
  if (dropped > 0) report('bad-headers', `${dropped} non-string value(s) in ${what} ignored`, received);
  return result;
}

/**
 * Validate the shape of one inbound message. Returns undefined (after reporting) when the message
 * cannot be used at all, or `'ignore'` for legitimate messages that carry nothing for a response.
 */
export function readInbound(received: unknown, report: Report): InboundMessage | 'ignore' | undefined {
  if (!isRecord(received)) {
    report(
      'bad-data',
      `Expected an Ably message object, got ${received === null ? 'null' : typeof received}`,
      received,
    );
    return undefined;
  }
  const rawAction = received.action;
  const action =
    rawAction === undefined
      ? 'message.create'
      : typeof rawAction === 'number'
        ? ACTION_BY_NUMBER[rawAction]
        : typeof rawAction === 'string'
          ? rawAction
          : undefined;
  if (typeof rawAction === 'string' && FORBIDDEN_KEYS.has(rawAction)) {
    report('unknown-action', `Unknown message action ${describeValue(rawAction)}`, received);
    return undefined;
  }
  if (action !== undefined && IGNORED_ACTIONS.has(action)) return 'ignore';
  if (
    action !== 'message.create' &&
    action !== 'message.update' &&
    action !== 'message.delete' &&
    action !== 'message.append'
  ) {
    report('unknown-action', `Unknown message action ${describeValue(rawAction)}`, received);
    return undefined;
  }
  if (received.name !== undefined && received.name !== null && typeof received.name !== 'string') {
    report('bad-name', `name must be a string, got ${typeof received.name}; ignored`, received);
  }
  const name = typeof received.name === 'string' ? received.name : undefined;
  const serial = optionalString(received.serial, 'serial', 'bad-serial', received, report);
  const rawVersion = received.version;
  if (rawVersion !== undefined && rawVersion !== null && !isRecord(rawVersion)) {
    report('bad-version', `version must be an object, got ${typeof rawVersion}; ignored`, received);
  }
  const versionField = isRecord(rawVersion)
    ? ownFields(rawVersion, 'version', 'bad-version', received, report)
    : () => undefined;
  const extras = received.extras;
  let headers: Readonly<Record<string, string>> | undefined;
  if (extras !== undefined && extras !== null) {
    if (isRecord(extras)) {
      const extrasField = ownFields(extras, 'extras', 'bad-headers', received, report);
      headers = stringEntries(extrasField('headers'), 'extras.headers', received, report);
    } else report('bad-headers', 'extras is not an object; ignored', received);
  }
  const timestamp = optionalTime(received.timestamp, 'timestamp', received, report);
  return {
    name,
    action,
    serial,
    versionSerial: optionalString(versionField('serial'), 'version.serial', 'bad-version', received, report) ?? serial,
    data: received.data,
    headers,
    clientId: optionalString(received.clientId, 'clientId', 'bad-client-id', received, report),
    timestamp,
    versionTimestamp: optionalTime(versionField('timestamp'), 'version.timestamp', received, report) ?? timestamp,
    metadata: stringEntries(versionField('metadata'), 'version.metadata', received, report),
    received,
  };
}

/**
 * One header of a raw message, read as {@link readInbound} reads headers: own string entries only, so
 * a `__proto__` key decoded as a prototype (msgpack) supplies nothing, as it does for a JSON reader.
 *
 * @example
 * ```ts
 * headerOf(message, 'responseId'); // 'r1', or undefined when absent, inherited or not a string
 * ```
 */
export function headerOf(message: unknown, name: string): string | undefined {
  if (FORBIDDEN_KEYS.has(name)) return undefined;
  const value = ownValue(rawHeaders(message), name);
  return typeof value === 'string' ? value : undefined;
}

/**
 * All headers of a raw message, read as {@link readInbound} reads them: own string entries only, in an
 * object without a prototype (empty when there are none). For servers that act on channel messages.
 *
 * @example
 * ```ts
 * const { turnId, ...rest } = headersOf(message); // a forged `__proto__` header supplies nothing
 * ```
 */
export function headersOf(message: unknown): Readonly<Record<string, string>> {
  return stringEntries(rawHeaders(message), 'headers', message, () => undefined) ?? Object.create(null);
}

const ownValue = (value: unknown, key: string): unknown =>
  isRecord(value) ? Object.getOwnPropertyDescriptor(value, key)?.value : undefined;

const rawHeaders = (message: unknown): unknown => ownValue(ownValue(message, 'extras'), 'headers');
