export { type Cadence, createFrameScheduler, type FrameSchedulerOptions } from './frame-scheduler.js';
export type { ChannelTarget } from './hooks/resolve-channel.js';
export {
  type ChannelHydration,
  type UseChannelHydrationOptions,
  useChannelHydration,
} from './hooks/use-channel-hydration.js';
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
export {
  DEFAULT_LABELS,
  type MessageStatus,
  type StreamingMessageLabels,
} from './streaming-message/announcements.js';
export {
  StreamingMessage,
  StreamingMessageCaret,
  StreamingMessageContent,
  type StreamingMessageProps,
  type StreamingMessageResponse,
  StreamingMessageRoot,
  type StreamingMessageRootProps,
  StreamingMessageStatus,
  type StreamingMessageStatusProps,
} from './streaming-message/streaming-message.js';
