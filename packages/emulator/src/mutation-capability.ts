/**
 * Who may update, delete or append to a stored message: the `message-update-*` / `message-delete-*`
 * capability rules, shared by realtime MESSAGE frames and REST `PATCH`.
 *
 * @module
 */
import { type Capability, capabilityAllows } from './capability.js';
import { MessageAction } from './codec.js';
import { errors } from './errors.js';
import type { IncomingMutation } from './incoming-message.js';
import type { StoredMessage } from './message-snapshot.js';

/**
 * Check message-update/delete-own/any for a mutation by `actorClientId`; 40160 when not allowed. An
 * append counts as an update; "own" needs the identified client that published the message.
 *
 * @throws EmulatorError 40160 naming the capability that is missing
 * @example
 * ```ts
 * // Alice may append to her own message with message-update-own:
 * authorizeMutation({ 'ai:*': ['message-update-own'] }, 'alice', 'ai:chat', op, stored);
 * ```
 */
export function authorizeMutation(
  capability: Capability,
  actorClientId: string | undefined,
  channel: string,
  op: IncomingMutation,
  stored: StoredMessage,
): void {
  const kind = op.action === MessageAction.DELETE ? 'delete' : 'update';
  if (capabilityAllows(capability, channel, `message-${kind}-any`)) return;
  const own =
    actorClientId !== undefined &&
    actorClientId !== '*' &&
    stored.clientId !== undefined &&
    stored.clientId === actorClientId;
  if (own && capabilityAllows(capability, channel, `message-${kind}-own`)) return;
  throw errors.capability(
    own
      ? `No "message-${kind}-own" or "message-${kind}-any" capability on "${channel}"`
      : `Needs "message-${kind}-any" on "${channel}" (or "message-${kind}-own" as the identified client that published the message)`,
  );
}
