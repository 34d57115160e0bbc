/**
 * A message as a channel stores and delivers it: its snapshot (one version, canonical data), the stored
 * record with its position and version history, its size as counted for the size limit, and its wire
 * form in a format.
 *
 * @module
 */
import { type Format, type Payload, payloadSize, type WireMessage, wireData } from './codec.js';

/** `Message.version`. */
export interface MessageVersion {
  serial: string;
  timestamp: number;
  clientId?: string;
  description?: string;
  metadata?: Record<string, string>;
}

/** One message as delivered or stored, with canonical data. */
export interface MessageSnapshot {
  id: string;
  name?: string;
  data: Payload;
  encoding?: string;
  clientId?: string;
  connectionId?: string;
  timestamp: number;
  extras?: unknown;
  action: number;
  serial: string;
  version: MessageVersion;
}

/** The latest state of a message, with its position and version history. */
export interface StoredMessage extends MessageSnapshot {
  /** Channel position (event sequence) of the original publish. */
  position: number;
  /** Earlier and current versions (create/update/delete; appends are not versions). */
  versions: MessageSnapshot[];
}

/**
 * Size of a message as counted for the size limit: data, name, clientId and extras.
 *
 * @example
 * ```ts
 * messageSize({ data: 'Hello', name: 'response' }); // 13
 * ```
 */
export function messageSize(m: { data: Payload; name?: string; clientId?: string; extras?: unknown }): number {
  let size = payloadSize(m.data);
  if (m.name) size += Buffer.byteLength(m.name);
  if (m.clientId) size += Buffer.byteLength(m.clientId);
  if (m.extras !== undefined) size += Buffer.byteLength(JSON.stringify(m.extras));
  return size;
}

/**
 * Render a snapshot for the wire in a format.
 *
 * @example
 * ```ts
 * snapshotToWire(snapshot, 'json'); // { id, timestamp, action, serial, data, version: { serial, timestamp } }
 * ```
 */
export function snapshotToWire(m: MessageSnapshot, format: Format): WireMessage {
  const wire: WireMessage = { id: m.id, timestamp: m.timestamp, action: m.action, serial: m.serial };
  if (m.name !== undefined) wire.name = m.name;
  Object.assign(wire, wireData(m.data, m.encoding, format));
  if (m.clientId !== undefined) wire.clientId = m.clientId;
  if (m.connectionId !== undefined) wire.connectionId = m.connectionId;
  if (m.extras !== undefined) wire.extras = m.extras;
  const version: Record<string, unknown> = { serial: m.version.serial, timestamp: m.version.timestamp };
  if (m.version.clientId !== undefined) version.clientId = m.version.clientId;
  if (m.version.description !== undefined) version.description = m.version.description;
  if (m.version.metadata !== undefined) version.metadata = m.version.metadata;
  wire.version = version;
  return wire;
}

/**
 * The snapshot of a stored message as it is now (a copy without its position and version history).
 *
 * @example
 * ```ts
 * stored.versions.push(stripPosition(stored));
 * ```
 */
export function stripPosition(m: StoredMessage): MessageSnapshot {
  const { position: _position, versions: _versions, ...rest } = m;
  return { ...rest };
}
