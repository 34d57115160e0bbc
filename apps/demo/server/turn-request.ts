import { MAX_PROMPT_LENGTH } from '../src/conversation.js';
import { HttpError } from './http-utils.js';

/** Ids a client chooses (UUIDs fit): they become message ids and headers, so they are kept plain. */
const CLIENT_ID_PATTERN = /^[A-Za-z0-9_-]{1,64}$/;
const MAX_HEADERS = 16;

/** A turn sent over HTTP for the server to publish on the user's behalf. */
export interface TurnBody {
  readonly turnId: string;
  readonly responseId: string;
  readonly text: string;
  readonly headers: Record<string, string>;
}

/**
 * Check the body of `POST /api/conversations/:id/turns`: `{ turnId, responseId, text, headers? }`.
 *
 * @throws HttpError 400 (40106) naming the field
 * @example
 * ```ts
 * turnBody({ turnId: 't1', responseId: 'r1', text: 'Hi' }); // { ..., headers: {} }
 * ```
 */
export function turnBody(body: Record<string, unknown>): TurnBody {
  for (const field of ['turnId', 'responseId'] as const) {
    const value = body[field];
    if (typeof value !== 'string' || !CLIENT_ID_PATTERN.test(value)) {
      throw new HttpError(
        400,
        40106,
        `"${field}" must be an id of letters, digits, "-" and "_" (at most 64)`,
        `Got ${JSON.stringify(value)}; a UUID will do.`,
      );
    }
  }
  const text = typeof body.text === 'string' ? body.text.trim() : '';
  if (!text) throw new HttpError(400, 40106, 'The message is empty', 'Send { text: "..." } with the user\'s message.');
  if (text.length > MAX_PROMPT_LENGTH) {
    throw new HttpError(400, 40106, `The message is longer than ${MAX_PROMPT_LENGTH} characters`, 'Shorten it.');
  }
  const raw = body.headers ?? {};
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) {
    throw new HttpError(400, 40106, '"headers" must be an object of strings', 'Send { "name": "value" } pairs.');
  }
  const entries = Object.entries(raw);
  const bad = entries.find(
    ([key, value]) =>
      !CLIENT_ID_PATTERN.test(key) ||
      typeof value !== 'string' ||
      value.length > 256 ||
      key === 'turnId' ||
      key === 'responseId',
  );
  if (entries.length > MAX_HEADERS || bad) {
    throw new HttpError(
      400,
      40106,
      bad ? `Header ${JSON.stringify(bad[0])} is not allowed` : `At most ${MAX_HEADERS} headers`,
      'Header names are ids (not turnId or responseId), values strings of at most 256 characters.',
    );
  }
  return {
    turnId: body.turnId as string,
    responseId: body.responseId as string,
    text,
    headers: Object.fromEntries(entries) as Record<string, string>,
  };
}

/** A browser's clientId from the token request: plain, and never the agent's. */
export function browserClientId(value: string | null): string | undefined {
  if (value === null || value === '') return undefined;
  if (!CLIENT_ID_PATTERN.test(value) || value === 'agent') {
    throw new HttpError(
      400,
      40106,
      `Bad clientId ${JSON.stringify(value)}`,
      'Use letters, digits, "-" and "_" (at most 64), not "agent".',
    );
  }
  return value;
}
