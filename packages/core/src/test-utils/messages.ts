/**
 * Builders for inbound Ably messages in the shapes the SDK delivers (serials, version, extras), for
 * unit and property tests of the reducer.
 */
import { textProof } from '../text-integrity.js';

/** A serial that sorts like Ably's: zero-padded counter plus a fixed suffix. */
export function serialAt(n: number): string {
  return `${String(n).padStart(14, '0')}-000@test:000`;
}

interface PerResponseFields {
  serial: string;
  version?: string;
  data?: unknown;
  responseId?: string;
  headers?: Record<string, string>;
  status?: string;
  error?: string;
  /** The whole text, whose length and checksum go in the end marker (as the agent writes them). */
  proofOf?: string;
  timestamp?: number;
  versionTimestamp?: number;
  clientId?: string;
  name?: string;
}

function perResponse(action: string, fields: PerResponseFields) {
  const metadata: Record<string, string> = {};
  if (fields.status) metadata.status = fields.status;
  if (fields.error) metadata.error = fields.error;
  if (fields.proofOf !== undefined) Object.assign(metadata, textProof(fields.proofOf));
  const headers = { ...(fields.responseId ? { responseId: fields.responseId } : {}), ...fields.headers };
  return {
    id: `id-${fields.serial}-${fields.version ?? fields.serial}`,
    name: fields.name ?? 'response',
    action,
    serial: fields.serial,
    data: fields.data ?? '',
    clientId: fields.clientId ?? 'agent',
    timestamp: fields.timestamp ?? 1000,
    extras: { headers },
    version: {
      serial: fields.version ?? fields.serial,
      timestamp: fields.versionTimestamp ?? fields.timestamp ?? 1000,
      ...(Object.keys(metadata).length > 0 ? { metadata } : {}),
    },
    annotations: { summary: {} },
  };
}

export const create = (fields: PerResponseFields) => perResponse('message.create', fields);
export const append = (fields: PerResponseFields) => perResponse('message.append', fields);
export const update = (fields: PerResponseFields) => perResponse('message.update', fields);
export const remove = (fields: PerResponseFields) => perResponse('message.delete', fields);

interface PerTokenFields {
  serial: string;
  responseId?: string;
  data?: unknown;
  status?: string;
  error?: string;
  proofOf?: string;
  timestamp?: number;
  headers?: Record<string, string>;
  clientId?: string;
}

function perToken(name: string, fields: PerTokenFields) {
  const headers: Record<string, string> = {};
  if (fields.responseId !== undefined) headers.responseId = fields.responseId;
  if (fields.status) headers.status = fields.status;
  if (fields.error) headers.error = fields.error;
  if (fields.proofOf !== undefined) Object.assign(headers, textProof(fields.proofOf));
  Object.assign(headers, fields.headers);
  return {
    id: `id-${fields.serial}`,
    name,
    action: 'message.create',
    serial: fields.serial,
    data: fields.data ?? '',
    clientId: fields.clientId ?? 'agent',
    timestamp: fields.timestamp ?? 1000,
    extras: { headers },
    version: { serial: fields.serial, timestamp: fields.timestamp ?? 1000 },
    annotations: { summary: {} },
  };
}

export const start = (fields: PerTokenFields) => perToken('start', fields);
export const token = (fields: PerTokenFields) => perToken('token', fields);
export const stop = (fields: PerTokenFields) => perToken('stop', fields);
export const fullText = (fields: PerTokenFields) => perToken('response-complete', fields);
