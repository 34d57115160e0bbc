/**
 * Publishing the conversation convention's requests: a user turn, a cancel, a regenerate. The browser uses them
 * directly; an agent server uses {@link publishTurn} on the user's behalf.
 *
 * @module
 */
import type * as Ably from 'ably';
import { KIT_ERROR_CODES, ResumableError } from './errors.js';
import {
  CANCEL_MESSAGE_NAME,
  REGENERATE_MESSAGE_NAME,
  RESPONSE_ID_HEADER,
  TURN_ID_HEADER,
  TURN_MESSAGE_NAME,
} from './wire.js';

/**
 * The channel operations these helpers need (a Realtime or REST channel).
 *
 * @example
 * ```ts
 * const channel: PublishingChannel = realtime.channels.get('ai:conversation-42');
 * ```
 */
export interface PublishingChannel {
  publish(message: Ably.Message): Promise<unknown>;
}

function invalid(message: string, hint: string): ResumableError {
  return new ResumableError(KIT_ERROR_CODES.invalidOptions, message, hint);
}

const newId = () => globalThis.crypto.randomUUID();

/**
 * Publish a user's turn once: the Ably message `id` is the turn id, so a retry (after a dropped ACK or a
 * refresh) is deduplicated by Ably, and readers dedupe by the `turnId` header after Ably's window.
 * Resolves with the ids; the agent answers with `responseId`.
 *
 * @example
 * ```ts
 * const turnId = crypto.randomUUID(); // keep it (e.g. in sessionStorage) to retry safely
 * const { responseId } = await publishTurn(channel, { turnId, text: 'What is the weather in Paris?' });
 * ```
 */
export async function publishTurn(
  channel: PublishingChannel,
  turn: {
    readonly text: string;
    readonly turnId?: string;
    readonly responseId?: string;
    readonly headers?: Record<string, string>;
  },
): Promise<{ turnId: string; responseId: string }> {
  if (typeof turn?.text !== 'string') {
    throw invalid('publishTurn needs the user text as a string.', 'Pass { text: "..." }.');
  }
  const turnId = turn.turnId ?? newId();
  const responseId = turn.responseId ?? newId();
  if (turnId === '' || responseId === '') {
    throw invalid('turnId and responseId must not be empty.', 'Leave them out to get random UUIDs.');
  }
  await channel.publish({
    id: turnId,
    name: TURN_MESSAGE_NAME,
    data: turn.text,
    extras: { headers: { ...turn.headers, [TURN_ID_HEADER]: turnId, [RESPONSE_ID_HEADER]: responseId } },
  });
  return { turnId, responseId };
}

/**
 * Ask whichever agent streams a response to stop it. Name the response, or the turn when its response has not
 * started yet. The response ends `cancelled` with `cancelledBy` = this client's clientId.
 *
 * @example
 * ```ts
 * await publishCancel(channel, { responseId: 'r1' });
 * ```
 */
export async function publishCancel(
  channel: PublishingChannel,
  target: { readonly responseId?: string; readonly turnId?: string },
): Promise<void> {
  const headers: Record<string, string> = {};
  if (target?.responseId) headers[RESPONSE_ID_HEADER] = target.responseId;
  if (target?.turnId) headers[TURN_ID_HEADER] = target.turnId;
  if (Object.keys(headers).length === 0) {
    throw invalid('publishCancel needs a responseId or a turnId.', 'Pass { responseId } of the streaming response.');
  }
  await channel.publish({ name: CANCEL_MESSAGE_NAME, data: '', extras: { headers } });
}

/**
 * Ask for a new response to a turn; the earlier responses stay as siblings. Resolves with the new responseId.
 *
 * @example
 * ```ts
 * const { responseId } = await publishRegenerate(channel, { turnId: 't1' });
 * ```
 */
export async function publishRegenerate(
  channel: PublishingChannel,
  target: { readonly turnId: string; readonly responseId?: string },
): Promise<{ responseId: string }> {
  if (!target?.turnId)
    throw invalid('publishRegenerate needs the turnId.', 'Pass { turnId } of the turn to answer again.');
  const responseId = target.responseId ?? newId();
  await channel.publish({
    name: REGENERATE_MESSAGE_NAME,
    data: '',
    extras: { headers: { [TURN_ID_HEADER]: target.turnId, [RESPONSE_ID_HEADER]: responseId } },
  });
  return { responseId };
}
