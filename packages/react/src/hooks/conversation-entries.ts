/**
 * The registry of shared conversation-store entries (apart from the response-store entries: a channel can be
 * read both ways at once).
 *
 * @module
 */
import { type ConversationStore, createConversationStore } from '@resumable/core';
import { registry, storeOptions } from './entry-registries.js';

/**
 * The live conversation-store entry for `channel` (kept apart from the response-store entries: a channel can
 * be read both ways at once). The seed is applied by the channel sync.
 */
export const conversationEntryFor = /* @__PURE__ */ registry<ConversationStore>((scheduler, config) => {
  const store = createConversationStore(storeOptions(scheduler, config));
  if (config.seed) store.seed(config.seed);
  return store;
});
