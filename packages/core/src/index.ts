export type { ConnectedStore } from './connect-channel.js';
export {
  type ChannelSync,
  type ConnectChannelOptions,
  connectChannel,
  type HydrationState,
} from './connect-channel.js';
export {
  type PublishingChannel,
  publishCancel,
  publishRegenerate,
  publishTurn,
} from './conversation-actions.js';
export {
  type ConversationStore,
  type ConversationStoreOptions,
  createConversationStore,
} from './conversation-store.js';
export type {
  ConversationPart,
  ConversationResponse,
  ConversationResponseStatus,
  ConversationSnapshot,
  ConversationTurn,
  UserMessage,
} from './conversation-types.js';
export { hintFor, KIT_ERROR_CODES, ResumableError } from './errors.js';
export { headerOf, headersOf } from './inbound.js';
export {
  createResponseStore,
  type DiagnosticCounts,
  type ResponseStore,
  type ResponseStoreOptions,
} from './response-store.js';
export { createImmediateScheduler, createIntervalScheduler, createMicrotaskScheduler } from './schedulers.js';
export { compareSerials } from './serial.js';
export { textChecksum, textProof } from './text-integrity.js';
export type {
  Diagnostic,
  HydrationStrategy,
  NotifyScheduler,
  RepairRequest,
  ResponsePattern,
  ResponseStatus,
  ResponseStoreSnapshot,
  SeedPart,
  SeedResponse,
  SeedUserMessage,
  StreamedResponse,
  SyncStatus,
} from './types.js';
export * from './wire.js';
