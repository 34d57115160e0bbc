'use client';
export { hintFor, KIT_ERROR_CODES, ResumableError } from '@resumable/core';
// `@resumable/react/hooks`: the hooks and the provider without `<StreamingMessage>`, so an app that
// renders responses itself never loads the markdown parser.
export { type Cadence, createFrameScheduler, type FrameSchedulerOptions } from './frame-scheduler.js';
export type { ConversationApi, ConversationRequest } from './hooks/conversation-requests.js';
export type { ChannelTarget } from './hooks/resolve-channel.js';
export {
  type ChannelHydration,
  type UseChannelHydrationOptions,
  useChannelHydration,
} from './hooks/use-channel-hydration.js';
export {
  type Conversation,
  type ConversationStatus,
  type SendResult,
  type UseConversationOptions,
  useConversation,
} from './hooks/use-conversation.js';
export {
  type StreamedResponseStatus,
  type StreamedResponseView,
  type UseStreamedResponseOptions,
  useStreamedResponse,
} from './hooks/use-streamed-response.js';
export {
  ResponseStoreProvider,
  type ResponseStoreProviderProps,
  useResponseStore,
} from './provider/response-store-provider.js';
export type * from './types.js';
