import {
  type ChannelSync,
  type ConversationSnapshot,
  type ConversationStore,
  connectChannel,
  createConversationStore,
  type HydrationStrategy,
  publishCancel,
  publishRegenerate,
  publishTurn,
  type SeedResponse,
} from '@resumable/core';
import type * as Ably from 'ably';
import { useCallback, useEffect, useState, useSyncExternalStore } from 'react';
import { REWIND } from './conversation.js';

/** Posts a turn for the server to publish, for apps whose browser may not publish on the channel. */
export type TurnPoster = (request: {
  turnId: string;
  responseId: string;
  text: string;
  headers: Record<string, string>;
}) => Promise<void>;

export interface UseConversationOptions {
  readonly client: Ably.Realtime;
  readonly channelName: string;
  readonly strategy: HydrationStrategy;
  /** Completed turns from the app's database. */
  readonly seed?: readonly SeedResponse[];
  /** How many turns history reads first (history strategy). */
  readonly pageTurns?: number;
  /** Send turns through the app's server instead of publishing them. */
  readonly api?: TurnPoster;
}

export interface ConversationChat extends ConversationSnapshot {
  /** Undefined until the channel is connected. */
  readonly store: ConversationStore | undefined;
  /** Publish the user's message as a turn; resolves with the ids its first answer uses. */
  send(text: string, options?: { headers?: Record<string, string> }): Promise<{ turnId: string; responseId: string }>;
  /** Ask the agent to stop an answer (over the channel: any tab, any device). */
  stop(responseId: string): Promise<void>;
  /** Ask for another answer to a turn; the earlier ones stay as its siblings. */
  regenerate(turnId: string): Promise<void>;
  readonly hasOlder: boolean;
  loadOlder(): Promise<void>;
}

const EMPTY_SNAPSHOT = createConversationStore().getSnapshot();

/**
 * A conversation on one channel: the kit's conversation store hydrated from the seed and the channel,
 * and the user's actions (send, stop, regenerate) published on that channel, so every tab and device
 * of the conversation sees and can act on the same turns.
 *
 * @example
 * ```tsx
 * const chat = useConversation({ client, channelName: 'ai:c-1', strategy: 'history', seed });
 * chat.turns.map((turn) => turn.user?.text);
 * ```
 */
export function useConversation(options: UseConversationOptions): ConversationChat {
  const { client, channelName, strategy, seed, pageTurns } = options;
  const [connected, setConnected] = useState<{ store: ConversationStore; sync: ChannelSync }>();

  useEffect(() => {
    const store = createConversationStore();
    const channel = client.channels.get(channelName);
    const sync = connectChannel(channel, store, {
      strategy,
      rewind: REWIND,
      ...(seed ? { seed } : {}),
      ...(pageTurns ? { pageTurns } : {}),
    });
    setConnected({ store, sync });
    return () => {
      sync.stop();
      store.dispose();
    };
  }, [client, channelName, strategy, seed, pageTurns]);

  const store = connected?.store;
  const snapshot = useSyncExternalStore(
    useCallback((listener: () => void) => store?.subscribe(listener) ?? (() => {}), [store]),
    () => store?.getSnapshot() ?? EMPTY_SNAPSHOT,
  );

  const channel = client.channels.get(channelName);
  const api = options.api;
  const send = useCallback(
    async (text: string, sendOptions: { headers?: Record<string, string> } = {}) => {
      const turnId = globalThis.crypto.randomUUID();
      const responseId = globalThis.crypto.randomUUID();
      const headers = sendOptions.headers ?? {};
      if (api) await api({ turnId, responseId, text, headers });
      else await publishTurn(channel, { text, turnId, responseId, headers });
      return { turnId, responseId };
    },
    [channel, api],
  );
  const stop = useCallback((responseId: string) => publishCancel(channel, { responseId }), [channel]);
  const regenerate = useCallback(
    async (turnId: string) => {
      await publishRegenerate(channel, { turnId });
    },
    [channel],
  );

  return {
    ...snapshot,
    store,
    send,
    stop,
    regenerate,
    hasOlder: connected?.sync.hasOlder ?? false,
    loadOlder: () => connected?.sync.loadOlder() ?? Promise.resolve(),
  };
}
