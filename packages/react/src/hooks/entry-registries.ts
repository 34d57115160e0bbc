/**
 * The registry of shared response-store entries, and the factory every registry is made with (the
 * conversation registry is its own module, so an app that only reads responses never loads the conversation store).
 *
 * @module
 */
import { createResponseStore, type NotifyScheduler, type ResponseStore } from '@resumable/core';
import type * as Ably from 'ably';
import { ChannelEntry, type ChannelEntryConfig, type EntryStore } from './channel-registry.js';

/** A registry of shared entries whose stores `createStore` makes: one entry per channel while it is in use. */
export function registry<S extends EntryStore>(
  createStore: (scheduler: NotifyScheduler, config: ChannelEntryConfig) => S,
) {
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

/** The store options every entry passes on from its config. */
export function storeOptions(scheduler: NotifyScheduler, config: ChannelEntryConfig) {
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
export const entryFor = /* @__PURE__ */ registry<ResponseStore>((scheduler, config) =>
  createResponseStore({ ...storeOptions(scheduler, config), ...(config.seed ? { seed: config.seed } : {}) }),
);
