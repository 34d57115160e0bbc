// `@resumable/react/server`: what a React Server Component (or any code under the `react-server`
// condition) may import. No hooks, no context, no markdown parser: types, labels, errors and the seed
// mapping. Render `<StreamingMessage>` from `@resumable/react`, whose entries are client modules.
export { hintFor, KIT_ERROR_CODES, ResumableError } from '@resumable/core';
export { seedToMessage } from './seed.js';
export {
  DEFAULT_LABELS,
  type MessageStatus,
  type StreamingMessageLabels,
} from './streaming-message/announcements.js';
export type {
  StreamingMessageProps,
  StreamingMessageResponse,
  StreamingMessageRootProps,
  StreamingMessageStatusProps,
} from './streaming-message/streaming-message.js';
export type * from './types.js';
