/**
 * How {@link useConversation}'s `send`, `stop` and `regenerate` reach the agent: published on the channel (the
 * convention's `turn`, `cancel` and `regenerate` messages), or handed to the app's own endpoint.
 *
 * @module
 */
import { KIT_ERROR_CODES, publishCancel, publishRegenerate, publishTurn, ResumableError } from '@resumable/core';
import type * as Ably from 'ably';

/**
 * A request {@link useConversation} makes; an `api` function receives each one.
 *
 * @example
 * ```ts
 * const api = async (request: ConversationRequest) => {
 *   await fetch(`/api/chat/${request.kind}`, { method: 'POST', body: JSON.stringify(request) });
 * };
 * ```
 */
export type ConversationRequest =
  | {
      readonly kind: 'turn';
      readonly turnId: string;
      readonly responseId: string;
      readonly text: string;
      readonly headers: Readonly<Record<string, string>>;
    }
  | { readonly kind: 'cancel'; readonly responseId: string; readonly turnId: string | undefined }
  | { readonly kind: 'regenerate'; readonly turnId: string; readonly responseId: string };

/**
 * Where requests go. A URL: turns are POSTed there as JSON `{ turnId, responseId, text, headers }` (the server
 * publishes the turn on the user's behalf, idempotently by `turnId`) and cancel and regenerate are published on
 * the channel. A function: every request goes to it, so a client without publish rights never publishes.
 * Without `api`, everything is published on the channel.
 *
 * @example
 * ```ts
 * const api: ConversationApi = '/api/conversations/42/turns';
 * ```
 */
export type ConversationApi = string | ((request: ConversationRequest) => Promise<unknown>);

function apiError(status: number, body: { code?: unknown; message?: unknown; hint?: unknown }, url: string) {
  return new ResumableError(
    typeof body.code === 'number' ? body.code : KIT_ERROR_CODES.unknown,
    typeof body.message === 'string' ? body.message : `POST ${url} answered ${status}`,
    typeof body.hint === 'string' ? body.hint : 'Check the endpoint given as `api`: it must accept the turn as JSON.',
    status,
  );
}

async function postTurn(url: string, request: Extract<ConversationRequest, { kind: 'turn' }>): Promise<void> {
  const { kind: _kind, ...body } = request;
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  if (response.ok) return;
  const reply = (await response.json().catch(() => ({}))) as Record<string, unknown>;
  throw apiError(response.status, reply, url);
}

/**
 * Send one request the way `api` says.
 *
 * @example
 * ```ts
 * await deliver(channel, undefined, { kind: 'cancel', responseId: 'r1', turnId: 't1' });
 * ```
 */
export async function deliver(
  channel: Ably.RealtimeChannel,
  api: ConversationApi | undefined,
  request: ConversationRequest,
): Promise<void> {
  if (typeof api === 'function') {
    await api(request);
    return;
  }
  switch (request.kind) {
    case 'turn':
      if (typeof api === 'string') await postTurn(api, request);
      else {
        await publishTurn(channel, {
          text: request.text,
          turnId: request.turnId,
          responseId: request.responseId,
          headers: { ...request.headers },
        });
      }
      return;
    case 'cancel':
      await publishCancel(channel, { responseId: request.responseId });
      return;
    case 'regenerate':
      await publishRegenerate(channel, { turnId: request.turnId, responseId: request.responseId });
      return;
  }
}

/**
 * Why `api` cannot be used, or undefined.
 *
 * @example
 * ```ts
 * apiProblem(42); // a ResumableError with code 40106
 * ```
 */
export function apiProblem(api: unknown): ResumableError | undefined {
  if (api === undefined || typeof api === 'function') return undefined;
  if (typeof api === 'string' && api.length > 0) return undefined;
  return new ResumableError(
    KIT_ERROR_CODES.invalidOptions,
    `Invalid api ${JSON.stringify(api)}.`,
    'Pass api as the URL your server takes turns on, or as a function (request) => Promise, or leave it out to publish on the channel.',
  );
}
