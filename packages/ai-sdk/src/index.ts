export {
  type ChatEndpointRequest,
  createResumableChatTransport,
  type ResumableChatTransport,
  type ResumableChatTransportOptions,
} from './chat-transport.js';
export { type ResponseChunksOptions, responseChunks } from './response-chunks.js';
export { responseToUIMessage, toUIMessages, type UIMessageOptions, uiFinishReason } from './ui-messages.js';
