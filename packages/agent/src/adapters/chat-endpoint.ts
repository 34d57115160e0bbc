/**
 * The server half of `@resumable/ai-sdk`'s chat transport: read the request its `sendMessages` POSTs and start
 * the answer on the channel with the ids the browser already listens for.
 *
 * @module
 */
import { KIT_ERROR_CODES, ResumableError } from '@resumable/core';
import type { TurnAnswering, TurnRequest } from '../answer-turns.js';

/** Longest id accepted from a request body. */
const MAX_ID_LENGTH = 200;

/**
 * A chat request as the transport sends it, checked.
 *
 * @example
 * ```ts
 * const request: ChatRequest = readChatRequest(await req.json());
 * ```
 */
export interface ChatRequest {
  readonly chatId: string;
  readonly trigger: 'submit-message' | 'regenerate-message';
  readonly turnId: string;
  readonly responseId: string;
  readonly text: string;
}

function invalid(message: string): ResumableError {
  return new ResumableError(
    KIT_ERROR_CODES.invalidOptions,
    message,
    'POST the body createResumableChatTransport sends: { chatId, trigger, turnId, responseId, text, messages }.',
  );
}

function idOf(body: Record<string, unknown>, field: string): string {
  const value = body[field];
  if (typeof value !== 'string' || value === '' || value.length > MAX_ID_LENGTH) {
    throw invalid(`The chat request needs "${field}" as a string of 1 to ${MAX_ID_LENGTH} characters.`);
  }
  return value;
}

/**
 * Check a chat request body (it comes from a browser: untrusted) and return its fields; throws a
 * `ResumableError` (code 40106, invalid options) naming the bad field.
 *
 * @example
 * ```ts
 * const { chatId, text } = readChatRequest(await req.json());
 * ```
 */
export function readChatRequest(body: unknown): ChatRequest {
  if (typeof body !== 'object' || body === null) throw invalid('The chat request body must be a JSON object.');
  const fields = body as Record<string, unknown>;
  const trigger = fields.trigger;
  if (trigger !== 'submit-message' && trigger !== 'regenerate-message') {
    throw invalid('The chat request "trigger" must be "submit-message" or "regenerate-message".');
  }
  if (typeof fields.text !== 'string') throw invalid('The chat request needs "text" as a string.');
  return {
    chatId: idOf(fields, 'chatId'),
    trigger,
    turnId: idOf(fields, 'turnId'),
    responseId: idOf(fields, 'responseId'),
    text: fields.text,
  };
}

/**
 * Answer a chat request: publish the user's turn (or a regenerate of it) with the request's ids and stream the
 * answer with the `answerTurns` answerer, so the browser's transport reads it from the channel.
 *
 * @example
 * ```ts
 * const answering = answerTurns(channel, (turn) => fullStreamParts(streamText({ model, prompt: turn.text }).fullStream));
 * // in the POST /api/chat handler:
 * await answerChatRequest(answering, await req.json());
 * ```
 */
export async function answerChatRequest(answering: TurnAnswering, body: unknown): Promise<TurnRequest> {
  const request = readChatRequest(body);
  if (request.trigger === 'regenerate-message') {
    return answering.regenerate({ turnId: request.turnId, responseId: request.responseId });
  }
  return answering.publishTurn({ text: request.text, turnId: request.turnId, responseId: request.responseId });
}
