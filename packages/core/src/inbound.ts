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

function optionalString(value: unknown): string | undefined {
  return typeof value === 'string' && value.length > 0 ? value : undefined;
}

function optionalTime(value: unknown): number | undefined {
  return typeof value === 'number' && Number.isFinite(value) ? value : undefined;
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
  const keys = Object.keys(value);
  // The common case (every value a string) needs no copy: the store copies what it keeps.
  if (keys.every((key) => typeof value[key] === 'string')) return value as Readonly<Record<string, string>>;
  const result: Record<string, string> = {};
  let dropped = 0;
  for (const key of keys) {
    const entry = value[key];
    if (typeof entry === 'string') result[key] = entry;
    else dropped++;
  }
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
  if (action !== undefined && IGNORED_ACTIONS.has(action)) return 'ignore';
  if (
    action !== 'message.create' &&
    action !== 'message.update' &&
    action !== 'message.delete' &&
    action !== 'message.append'
  ) {
    report('unknown-action', `Unknown message action ${JSON.stringify(rawAction)}`, received);
    return undefined;
  }
  const name = typeof received.name === 'string' ? received.name : undefined;
  const serial = optionalString(received.serial);
  const version = isRecord(received.version) ? received.version : undefined;
  const extras = received.extras;
  let headers: Readonly<Record<string, string>> | undefined;
  if (extras !== undefined && extras !== null) {
    if (isRecord(extras)) headers = stringEntries(extras.headers, 'extras.headers', received, report);
    else report('bad-headers', 'extras is not an object; ignored', received);
  }
  const timestamp = optionalTime(received.timestamp);
  return {
    name,
    action,
    serial,
    versionSerial: optionalString(version?.serial) ?? serial,
    data: received.data,
    headers,
    clientId: optionalString(received.clientId),
    timestamp,
    versionTimestamp: optionalTime(version?.timestamp) ?? timestamp,
    metadata: stringEntries(version?.metadata, 'version.metadata', received, report),
    received,
  };
}
