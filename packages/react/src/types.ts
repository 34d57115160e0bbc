// The types a React user needs from `@resumable/core`, re-exported so one kit package (plus `ably`)
// is enough. Type-only: nothing here adds to a bundle.
export type {
  ConnectedStore,
  ConversationPart,
  ConversationResponse,
  ConversationResponseStatus,
  ConversationSnapshot,
  ConversationStore,
  ConversationTurn,
  Diagnostic,
  HydrationState,
  HydrationStrategy,
  ResponsePattern,
  ResponseStatus,
  ResponseStore,
  ResponseStoreSnapshot,
  SeedPart,
  SeedResponse,
  SeedUserMessage,
  StreamedResponse,
  SyncStatus,
} from '@resumable/core';
