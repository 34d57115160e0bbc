'use client';
// `@resumable/react`: the hooks, the provider and `<StreamingMessage>`. `@resumable/react/hooks` is the
// same without the component (and so without the markdown parser); `@resumable/react/server` is what a
// server component may import.
export * from './hooks.js';
export { seedToMessage } from './seed.js';
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
