// The types a React user needs from `@resumable/core`, re-exported so one kit package (plus `ably`)
// is enough. Type-only: nothing here adds to a bundle.
export type {
  ConnectedStore,
  Diagnostic,
  HydrationState,
  HydrationStrategy,
  ResponsePattern,
  ResponseStatus,
  ResponseStore,
  ResponseStoreSnapshot,
  SeedResponse,
  StreamedResponse,
  SyncStatus,
} from '@resumable/core';
