export { collectText } from './collect.js';
export { streamResponse } from './stream-response.js';
export type { StreamEvent, StreamResponseOptions, StreamResult } from './types.js';
export { utf8ByteLength } from './utf8.js';
