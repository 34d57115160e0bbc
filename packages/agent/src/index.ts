export {
  type AnswerTurnsOptions,
  answerTurns,
  type TurnAnswerer,
  type TurnAnswering,
  type TurnRequest,
} from './answer-turns.js';
export { collectText } from './collect.js';
export { isPartStream, type PartEvent, type PartStream, partStream } from './part-events.js';
export { streamResponse } from './stream-response.js';
export type { StreamEvent, StreamResponseOptions, StreamResult } from './types.js';
export { utf8ByteLength } from './utf8.js';
