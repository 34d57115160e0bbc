/**
 * The registries of shared channel entries: one for response stores, one for conversation stores.
 *
 * @module
 */
import {
  type ConversationStore,
  createConversationStore,
  createResponseStore,
  type NotifyScheduler,
  type ResponseStore,
} from '@resumable/core';
import type * as Ably from 'ably';
import { ChannelEntry, type ChannelEntryConfig, type EntryStore } from './channel-registry.js';

function registry<S extends EntryStore>(createStore: (scheduler: NotifyScheduler, config: ChannelEntryConfig) => S) {
  const entries = new WeakMap<Ably.RealtimeChannel, ChannelEntry<S>>();
  return (channel: Ably.RealtimeChannel, config: ChannelEntryConfig): ChannelEntry<S> => {
    const existing = entries.get(channel);
    if (existing && !existing.isDisposed) return existing;
    const entry = new ChannelEntry<S>(channel, config, createStore, (disposed) => {
      if (entries.get(channel) === disposed) entries.delete(channel);
    });
    entries.set(channel, entry);
    return entry;
  };
}

function storeOptions(scheduler: NotifyScheduler, config: ChannelEntryConfig) {
  return {
    scheduler,
    ...(config.staleAfterMs !== undefined ? { staleAfterMs: config.staleAfterMs } : {}),
    ...(config.onDiagnostic !== undefined ? { onDiagnostic: config.onDiagnostic } : {}),
  };
}

/**
 * The live response-store entry for `channel`, creating one (not yet connected) if there is none. The first
 * caller's config wins; later callers share its store.
 */
export const entryFor = registry<ResponseStore>((scheduler, config) =>
  createResponseStore({ ...storeOptions(scheduler, config), ...(config.seed ? { seed: config.seed } : {}) }),
);

/**
 * The live conversation-store entry for `channel` (kept apart from the response-store entries: a channel can
 * be read both ways at once). The seed is applied by the channel sync.
 */
export const conversationEntryFor = registry<ConversationStore>((scheduler, config) => {
  const store = createConversationStore(storeOptions(scheduler, config));
  if (config.seed) store.seed(config.seed);
  return store;
});
