import type { ResumableError } from '@resumable/core';
import type * as Ably from 'ably';
import type { AblyContextValue } from 'ably/react';
import { invalidOptions } from './channel-registry.js';

/**
 * Where a hook finds its channel: passed directly, or by name on a client from options or `ably/react`.
 *
 * @example
 * ```ts
 * const byName: ChannelTarget = { channelName: 'ai:chat-1', client };
 * const direct: ChannelTarget = { channel: client.channels.get('ai:chat-1') };
 * ```
 */
export interface ChannelTarget {
  /** The channel to read; wins over everything else. */
  readonly channel?: Ably.RealtimeChannel | undefined;
  /** A channel name; without it, the nearest `<ChannelProvider>` names the channel. */
  readonly channelName?: string | undefined;
  /** The client; defaults to the one from `<AblyProvider>`. */
  readonly client?: Ably.RealtimeClient | undefined;
  /** Which `<AblyProvider>` to read when there are several (`ably/react`'s `ablyId`). Default `'default'`. */
  readonly ablyId?: string | undefined;
}

export type ResolvedTarget =
  | { readonly channel: Ably.RealtimeChannel; readonly client: Ably.RealtimeClient | undefined; readonly error?: never }
  | { readonly channel?: never; readonly client?: never; readonly error: ResumableError };

/**
 * Find the channel a hook should read, without attaching it. A `<ChannelProvider>` for the same name
 * is preferred so its channel options (such as `params.rewind`) apply to the same channel object.
 */
export function resolveChannel(target: ChannelTarget, context: AblyContextValue): ResolvedTarget {
  const provided = context[target.ablyId ?? 'default'];
  if (target.channel) return { channel: target.channel, client: target.client ?? provided?.client };
  const client = target.client ?? provided?.client;
  const channelName = target.channelName ?? (target.client ? undefined : provided?._nearestChannelName);
  if (!channelName) {
    return {
      error: invalidOptions(
        'No channel to hydrate: neither `channel` nor `channelName` was given and there is no <ChannelProvider> above.',
        'Pass `channelName` (with `client` or inside <AblyProvider>), pass a `channel`, or render inside a <ChannelProvider>.',
      ),
    };
  }
  if (!client) {
    return {
      error: invalidOptions(
        `No Ably client for channel "${channelName}".`,
        'Pass `client`, or render inside <AblyProvider client={...}> from ably/react.',
      ),
    };
  }
  const fromProvider = client === provided?.client ? provided._channelNameToChannelContext[channelName] : undefined;
  return { channel: fromProvider?.channel ?? client.channels.get(channelName), client };
}
