'use client';
// `<StreamingMessage>` and its parts, built as their own file so that an app importing only hooks from
// `@resumable/react` drops this file, and with it the markdown parser (`sideEffects: false`).
export {
  DEFAULT_LABELS,
  type MessageStatus,
  type StreamingMessageLabels,
} from './streaming-message/announcements.js';
export type {
  DataPartProps,
  PartComponents,
  ReasoningPartProps,
  RenderDataPart,
  TextPartProps,
  ToolCallPartProps,
  ToolCallState,
} from './streaming-message/parts/part-types.js';
export { StreamingMessageParts } from './streaming-message/parts/parts.js';
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
