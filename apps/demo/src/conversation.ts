/** Channel namespace of the demo; on Ably it needs the mutable-messages rule (on by default in the emulator). */
export const CHANNEL_NAMESPACE = 'ai';

/** Conversation ids: what may follow `ai:` in a channel name. */
export const CONVERSATION_ID = /^[A-Za-z0-9_-]{1,64}$/;

/** The longest prompt the agent answers (a turn's data; well under Ably's 64 KiB message limit). */
export const MAX_PROMPT_LENGTH = 4000;

/** How far back a rewind reaches: completed answers come from the seed, so this only needs the live ones. */
export const REWIND = '100';

/**
 * The channel of a conversation.
 *
 * @example
 * ```ts
 * channelNameFor('c-1234'); // 'ai:c-1234'
 * ```
 */
export function channelNameFor(conversationId: string): string {
  return `${CHANNEL_NAMESPACE}:${conversationId}`;
}
