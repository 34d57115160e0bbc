/**
 * The conversation reducers for the messages that are not response text: user turns, cancel requests and
 * regenerate requests. Functions of plain state, idempotent like the response reducers: a turn is known by its
 * `turnId` (a second delivery or a second publish with the same id changes nothing), a request by its serial.
 *
 * @module
 */
import type { InboundMessage } from './inbound.js';
import { compareSerials } from './serial.js';
import type { Diagnostic } from './types.js';
import { CANCEL_MESSAGE_NAME, REGENERATE_MESSAGE_NAME, RESPONSE_ID_HEADER, TURN_ID_HEADER } from './wire.js';

/** A user's turn as read from the channel. */
export interface TurnRecord {
  readonly turnId: string;
  /** The serial that orders it (the lowest seen, so the order does not depend on which copy came first). */
  serial: string;
  readonly text: string;
  readonly clientId: string | undefined;
  readonly createdAt: number;
  readonly headers: Readonly<Record<string, string>>;
}

/** A response announced before it streamed (a turn's `responseId`, or a regenerate request). */
export interface ExpectedResponse {
  readonly responseId: string;
  readonly turnId: string;
  serial: string;
  readonly createdAt: number;
}

/** Everything the control reducers keep. */
export interface ControlState {
  readonly turns: Map<string, TurnRecord>;
  readonly expected: Map<string, ExpectedResponse>;
  /** Cancel requests by responseId: the clientId of the first request. */
  readonly cancelByResponse: Map<string, string>;
  /**
   * Cancel requests naming a turn: each applies to the turn's responses requested before it (the first
   * response at the turn's serial, a regenerated one at its regenerate request's serial).
   */
  readonly cancelByTurn: Map<string, { readonly by: string; readonly serial: string }[]>;
  /** Serials of requests already applied. */
  readonly requestSerials: Set<string>;
}

/** What a control reducer changed: turn ids and response ids to re-render. */
export interface ControlChange {
  readonly turnId?: string;
  readonly responseId?: string;
}

type Report = (kind: Diagnostic['kind'], message: string, received: unknown) => void;

/**
 * Empty control state.
 *
 * @example
 * ```ts
 * const controls = createControlState();
 * ```
 */
export function createControlState(): ControlState {
  return {
    turns: new Map(),
    expected: new Map(),
    cancelByResponse: new Map(),
    cancelByTurn: new Map(),
    requestSerials: new Set(),
  };
}

function expect(state: ControlState, responseId: string, turnId: string, serial: string, createdAt: number): boolean {
  const known = state.expected.get(responseId);
  if (known) {
    if (compareSerials(serial, known.serial) >= 0) return false;
    known.serial = serial;
    return true;
  }
  state.expected.set(responseId, { responseId, turnId, serial, createdAt });
  return true;
}

/**
 * Apply a `turn` message. Returns what changed, or undefined when nothing did.
 *
 * @example
 * ```ts
 * applyTurn(controls, message, report); // { turnId: 't1' }
 * ```
 */
export function applyTurn(state: ControlState, message: InboundMessage, report: Report): ControlChange | undefined {
  const turnId = message.headers?.[TURN_ID_HEADER];
  if (turnId === undefined || turnId === '') {
    report('bad-headers', `A turn message without a ${TURN_ID_HEADER} header`, message.received);
    return undefined;
  }
  if (message.serial === undefined) {
    report('missing-serial', 'A turn message without a serial cannot be placed', message.received);
    return undefined;
  }
  if (message.action !== 'message.create') {
    report('unknown-action', `Turn messages are never ${message.action}d`, message.received);
    return undefined;
  }
  if (typeof message.data !== 'string') {
    report('bad-data', `Turn data must be the user's text, got ${typeof message.data}`, message.received);
    return undefined;
  }
  const createdAt = message.timestamp ?? 0;
  const responseId = message.headers?.[RESPONSE_ID_HEADER];
  if (responseId) expect(state, responseId, turnId, message.serial, createdAt);
  const known = state.turns.get(turnId);
  if (known) {
    report('duplicate', `Turn ${turnId} was already applied`, message.received);
    if (compareSerials(message.serial, known.serial) >= 0) return undefined;
    known.serial = message.serial;
    return { turnId };
  }
  state.turns.set(turnId, {
    turnId,
    serial: message.serial,
    text: message.data,
    clientId: message.clientId,
    createdAt,
    headers: Object.freeze({ ...message.headers }),
  });
  return { turnId };
}

/**
 * Record the user's message of a seeded response's turn (the database's copy). It sorts before every channel
 * turn (serial `''`, as seeded responses do); the channel's copy of the same turn is then a duplicate.
 *
 * @example
 * ```ts
 * seedTurn(controls, 't1', { text: 'Hi', createdAt: 1 }, 'r1'); // { turnId: 't1' }
 * ```
 */
export function seedTurn(
  state: ControlState,
  turnId: string,
  user: {
    readonly text: string;
    readonly clientId?: string;
    readonly createdAt: number;
    readonly headers?: Readonly<Record<string, string>>;
  },
  responseId: string,
): ControlChange | undefined {
  if (typeof user?.text !== 'string') return undefined;
  const createdAt = typeof user.createdAt === 'number' ? user.createdAt : 0;
  expect(state, responseId, turnId, '', createdAt);
  const known = state.turns.get(turnId);
  if (known) {
    if (known.serial === '') return undefined;
    known.serial = '';
    return { turnId };
  }
  state.turns.set(turnId, {
    turnId,
    serial: '',
    text: user.text,
    clientId: typeof user.clientId === 'string' ? user.clientId : undefined,
    createdAt,
    headers: Object.freeze({ ...(user.headers ?? {}), [TURN_ID_HEADER]: turnId }),
  });
  return { turnId };
}

/**
 * Apply a `cancel` or `regenerate` request.
 *
 * @example
 * ```ts
 * applyRequest(controls, message, report); // { responseId: 'r2', turnId: 't1' }
 * ```
 */
export function applyRequest(state: ControlState, message: InboundMessage, report: Report): ControlChange | undefined {
  if (message.serial === undefined) {
    report('missing-serial', `A ${message.name} message without a serial cannot be placed`, message.received);
    return undefined;
  }
  if (state.requestSerials.has(message.serial)) {
    report('duplicate', `Request ${message.serial} was already applied`, message.received);
    return undefined;
  }
  const responseId = message.headers?.[RESPONSE_ID_HEADER] || undefined;
  const turnId = message.headers?.[TURN_ID_HEADER] || undefined;
  const by = message.clientId ?? 'unknown';
  if (message.name === CANCEL_MESSAGE_NAME) {
    if (!responseId && !turnId) {
      report('bad-headers', `A cancel needs a ${RESPONSE_ID_HEADER} or ${TURN_ID_HEADER} header`, message.received);
      return undefined;
    }
    state.requestSerials.add(message.serial);
    if (responseId && !state.cancelByResponse.has(responseId)) state.cancelByResponse.set(responseId, by);
    if (turnId && !responseId) {
      const list = state.cancelByTurn.get(turnId) ?? [];
      list.push({ by, serial: message.serial });
      list.sort((a, b) => compareSerials(a.serial, b.serial));
      state.cancelByTurn.set(turnId, list);
    }
    return { ...(responseId ? { responseId } : {}), ...(turnId ? { turnId } : {}) };
  }
  if (message.name === REGENERATE_MESSAGE_NAME) {
    if (!responseId || !turnId) {
      report('bad-headers', `A regenerate needs ${TURN_ID_HEADER} and ${RESPONSE_ID_HEADER} headers`, message.received);
      return undefined;
    }
    state.requestSerials.add(message.serial);
    expect(state, responseId, turnId, message.serial, message.timestamp ?? 0);
    return { responseId, turnId };
  }
  return undefined;
}

/**
 * Who asked to cancel a response, if anyone: a request naming it, or a turn-level request made after the
 * response was requested.
 *
 * @example
 * ```ts
 * cancelRequestOf(controls, 'r1', 't1'); // 'user-7' or undefined
 * ```
 */
export function cancelRequestOf(
  state: ControlState,
  responseId: string,
  turnId: string | undefined,
): string | undefined {
  const direct = state.cancelByResponse.get(responseId);
  if (direct !== undefined || turnId === undefined) return direct;
  const requests = state.cancelByTurn.get(turnId);
  if (!requests) return undefined;
  const requestedAt = state.expected.get(responseId)?.serial ?? state.turns.get(turnId)?.serial ?? '';
  return requests.find((request) => compareSerials(request.serial, requestedAt) > 0)?.by;
}
