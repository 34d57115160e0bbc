import { ResumableError } from '@resumable/core';
import type * as Ably from 'ably';
import { clientIdOf } from './channel-access.js';
import { utf8ByteLength } from './utf8.js';

/**
 * Bytes of a message's envelope (name, the channel client's clientId, extras) as the size limit counts
 * them; add the data's bytes for the whole message.
 */
export function envelopeBytes(channel: Ably.RealtimeChannel, name: string, extras: unknown): number {
  return utf8ByteLength(name) + utf8ByteLength(clientIdOf(channel) ?? '') + utf8ByteLength(JSON.stringify(extras));
}

/** The 40009 error raised before a message that would exceed the size limit is sent. */
export function oversizeError(
  channelName: string,
  bytes: number,
  limit: number,
  what: 'response' | 'token' | 'headers' | 'repair',
): ResumableError {
  const subject = {
    response: 'The response',
    token: 'A single token message',
    headers: 'The headers alone',
    repair: 'The full-text repair message',
  }[what];
  return new ResumableError(
    40009,
    `${subject} would be ${bytes} bytes on channel "${channelName}", over the ${limit}-byte message size limit; stopped before sending it.`,
    what === 'response'
      ? 'A message-per-response response must fit in one message: shorten it (e.g. a lower max output tokens), split it into several responses, use message-per-token, or raise the limit on your Ably plan (256 KiB on Pro and Enterprise).'
      : 'Send fewer or smaller headers, shorten the text, or raise the limit on your Ably plan (256 KiB on Pro and Enterprise).',
    413,
  );
}
