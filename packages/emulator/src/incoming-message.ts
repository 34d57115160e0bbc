/**
 * Messages as a client sends them, canonicalised before a channel applies them: a create (new message)
 * or a mutation (update, delete, append of an earlier message by serial). Shared by realtime and REST.
 *
 * @module
 */
import { canonicalData, type Payload, type WireMessage } from './codec.js';
import { errors } from './errors.js';

/** A create as received, canonicalised. */
export interface IncomingMessage {
  id?: string;
  name?: string;
  data: Payload;
  encoding?: string;
  clientId?: string;
  extras?: unknown;
}

/** A mutation (update, delete, append) as received, canonicalised. */
export interface IncomingMutation {
  action: number;
  serial: string;
  name?: string;
  data: Payload;
  hasData: boolean;
  encoding?: string;
  extras?: unknown;
  hasExtras: boolean;
  operation: { clientId?: string; description?: string; metadata?: Record<string, string> };
}

/**
 * Canonicalise an incoming create; 40013 for unusable data.
 *
 * @throws EmulatorError 40013 for data, encoding or name of the wrong type, 40012 for a clientId that is not a string
 * @example
 * ```ts
 * toIncomingMessage({ name: 'response', data: 'SGk=', encoding: 'base64' }); // data: <Buffer 48 69>
 * ```
 */
export function toIncomingMessage(m: WireMessage): IncomingMessage {
  const { data, encoding } = canonicalData(m.data, m.encoding);
  const result: IncomingMessage = { data };
  if (encoding !== undefined) result.encoding = encoding;
  if (typeof m.id === 'string' && m.id !== '') result.id = m.id;
  if (m.name !== undefined && m.name !== null) {
    if (typeof m.name !== 'string') throw errors.invalidData('Message name must be a string');
    result.name = m.name;
  }
  if (m.clientId !== undefined && m.clientId !== null) {
    if (typeof m.clientId !== 'string') throw errors.invalidClientId('Message clientId must be a string');
    result.clientId = m.clientId;
  }
  if (m.extras !== undefined && m.extras !== null) result.extras = m.extras;
  return result;
}

/**
 * Canonicalise an incoming update/delete/append; 40003 without a serial. `serialOverride` is the serial
 * a REST path names.
 *
 * @throws EmulatorError 40003 without a serial, 40013 for unusable data
 * @example
 * ```ts
 * toIncomingMutation({ action: 5, serial, data: ' world' }); // an append to the message `serial`
 * ```
 */
export function toIncomingMutation(m: WireMessage, serialOverride?: string): IncomingMutation {
  const serial = serialOverride ?? m.serial;
  if (typeof serial !== 'string' || serial === '') {
    throw errors.invalidParam('Updates, deletes and appends need the serial of the message they change');
  }
  const { data, encoding } = canonicalData(m.data, m.encoding);
  const op = (typeof m.version === 'object' && m.version !== null ? m.version : {}) as IncomingMutation['operation'];
  const operation: IncomingMutation['operation'] = {};
  if (typeof op.clientId === 'string') operation.clientId = op.clientId;
  if (typeof op.description === 'string') operation.description = op.description;
  if (typeof op.metadata === 'object' && op.metadata !== null) operation.metadata = op.metadata;
  const result: IncomingMutation = {
    action: m.action as number,
    serial,
    data,
    hasData: m.data !== undefined && m.data !== null,
    hasExtras: m.extras !== undefined && m.extras !== null,
    operation,
  };
  if (encoding !== undefined) result.encoding = encoding;
  if (typeof m.name === 'string') result.name = m.name;
  if (result.hasExtras) result.extras = m.extras;
  return result;
}
