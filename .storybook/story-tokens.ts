// The stories' Ably credentials: the story emulator runs with a random key of its own (never the
// public built-in one), and only this dev server holds it. Pages get token requests it signs, for the
// stories' `ai:*` channels, as the demo's agent server does for its conversations.
import { randomBytes } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import * as Ably from 'ably';

/** The environment variable that carries the story emulator's key to the dev server. */
export const STORY_KEY_ENV = 'RESUMABLE_STORY_EMULATOR_KEY';

/** What a story's page may do: read and publish on the stories' channels; the agent also appends. */
const OPERATIONS = ['subscribe', 'history', 'publish', 'presence'];
const AGENT_OPERATIONS = [...OPERATIONS, 'message-update-own', 'message-delete-own'];
const CLIENT_ID = /^[A-Za-z0-9_-]{1,64}$/;

/**
 * The story emulator's key: the one in {@link STORY_KEY_ENV}, else a fresh random one (set there, so
 * the dev server in this process signs with it).
 *
 * @example
 * ```ts
 * await startEmulator({ port: 8788, keys: [storyEmulatorKey()] });
 * ```
 */
export function storyEmulatorKey(): string {
  process.env[STORY_KEY_ENV] ??= `stories.${randomBytes(6).toString('hex')}:${randomBytes(18).toString('base64url')}`;
  return process.env[STORY_KEY_ENV];
}

/**
 * Answer `GET /__story-emulator/token?clientId=viewer` with a token request signed with the story
 * emulator's key. A 400 names the rule for a bad clientId; a 503 says the key is missing.
 *
 * @example
 * ```ts
 * if (url.pathname === '/__story-emulator/token') return issueStoryToken(url, res);
 * ```
 */
export async function issueStoryToken(url: URL, res: ServerResponse<IncomingMessage>): Promise<void> {
  const clientId = url.searchParams.get('clientId') ?? '';
  const key = process.env[STORY_KEY_ENV];
  if (!CLIENT_ID.test(clientId)) {
    res
      .writeHead(400, { 'content-type': 'text/plain' })
      .end('40012 Ask for a token with ?clientId=<1 to 64 of A-Z a-z 0-9 _ ->\n');
    return;
  }
  if (!key) {
    res
      .writeHead(503, { 'content-type': 'text/plain' })
      .end(`50300 No story emulator key: start Storybook with "pnpm storybook" (it sets ${STORY_KEY_ENV})\n`);
    return;
  }
  const signer = new Ably.Rest({ key, logLevel: 0 });
  const request = await signer.auth.createTokenRequest({
    clientId,
    capability: { 'ai:*': clientId === 'agent' ? AGENT_OPERATIONS : OPERATIONS },
  });
  res.writeHead(200, { 'content-type': 'application/json', 'cache-control': 'no-store' }).end(JSON.stringify(request));
}
