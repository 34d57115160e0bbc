import {
  KIT_ERROR_CODES,
  PART_HEADER,
  PART_HEADERS,
  PART_KIND_HEADER,
  type PartKind,
  ResumableError,
  type TokenUsage,
} from '@resumable/core';

/**
 * One event of a model's structured stream, as {@link streamResponse} takes it (through {@link partStream}).
 * Deltas of the same kind (and, for tool input, the same call) extend one part; anything else starts the next.
 *
 * @example
 * ```ts
 * const events: PartEvent[] = [
 *   { type: 'reasoning-delta', text: 'The user wants the weather.' },
 *   { type: 'tool-input-delta', toolCallId: 'c1', toolName: 'weather', text: '{"city":"Paris"}' },
 *   { type: 'tool-result', toolCallId: 'c1', toolName: 'weather', output: { celsius: 18 } },
 *   { type: 'text-delta', text: 'It is 18 °C in Paris.' },
 *   { type: 'finish' },
 * ];
 * ```
 */
export type PartEvent =
  | { readonly type: 'text-delta'; readonly text: string }
  | { readonly type: 'reasoning-delta'; readonly text: string }
  | { readonly type: 'tool-input-delta'; readonly toolCallId: string; readonly toolName: string; readonly text: string }
  /** The complete tool call: ends the streamed input of the same call, or is a whole part when none streamed. */
  | { readonly type: 'tool-call'; readonly toolCallId: string; readonly toolName: string; readonly input: unknown }
  | {
      readonly type: 'tool-result';
      readonly toolCallId: string;
      readonly toolName: string;
      readonly output: unknown;
      readonly isError?: boolean;
    }
  | { readonly type: 'data'; readonly name: string; readonly data: unknown }
  /**
   * One model call ended (an agent loop may call the model again with tool results): the response goes on. Its
   * finish reason is kept and its usage added up, for the end marker.
   */
  | { readonly type: 'step-finish'; readonly finishReason?: string; readonly usage?: TokenUsage }
  /**
   * The model finished; optional (the end of the stream means the same). `finishReason` and `usage` (which
   * replaces the steps' sum) are written on the end marker.
   */
  | { readonly type: 'finish'; readonly finishReason?: string; readonly usage?: TokenUsage }
  /** The model failed: the response ends with status `error` and this reason. */
  | { readonly type: 'error'; readonly error: unknown };

/** Marks an iterable as a stream of {@link PartEvent}s. */
export const PART_STREAM = Symbol.for('@resumable/agent.part-stream');

/**
 * A stream of part events, marked so that {@link streamResponse} tells it from a text stream.
 *
 * @example
 * ```ts
 * const events: PartStream = partStream([{ type: 'text-delta', text: 'Hi' }]);
 * ```
 */
export interface PartStream extends AsyncIterable<PartEvent> {
  readonly [PART_STREAM]: true;
}

/**
 * Mark a stream of part events for {@link streamResponse} (a plain `AsyncIterable<string>` stays a text stream).
 *
 * @example
 * ```ts
 * await streamResponse(channel, partStream(mapModelEvents(result.fullStream)), { turnId });
 * ```
 */
export function partStream(events: AsyncIterable<PartEvent> | Iterable<PartEvent>): PartStream {
  const source = events as { [Symbol.asyncIterator]?: unknown; [Symbol.iterator]?: unknown };
  if (typeof source?.[Symbol.asyncIterator] !== 'function' && typeof source?.[Symbol.iterator] !== 'function') {
    throw new ResumableError(
      KIT_ERROR_CODES.invalidOptions,
      'partStream needs an iterable of part events.',
      'Pass an async generator yielding { type: "text-delta", text } and the other PartEvent shapes.',
    );
  }
  const iterate = async function* () {
    yield* events as AsyncIterable<PartEvent>;
  };
  return { [PART_STREAM]: true, [Symbol.asyncIterator]: () => iterate() };
}

/**
 * Whether a stream was marked by {@link partStream}.
 *
 * @example
 * ```ts
 * isPartStream(partStream([])); // true
 * ```
 */
export function isPartStream(value: unknown): value is PartStream {
  return typeof value === 'object' && value !== null && (value as Partial<PartStream>)[PART_STREAM] === true;
}

/** What a part event contributes: the part it belongs to (kind, identity, headers) and its text. */
export interface PartPiece {
  readonly kind: PartKind;
  /** Same key = same part (deltas extend it). */
  readonly key: string;
  readonly headers: Record<string, string>;
  readonly text: string;
  /** This event is a whole part (or completes one): nothing more may extend it. */
  readonly closes: boolean;
}

/**
 * The piece of a part an event carries, or undefined for `finish` / `error` / an unknown event.
 *
 * @example
 * ```ts
 * pieceOf({ type: 'text-delta', text: 'Hi' }); // { kind: 'text', key: 'text', text: 'Hi', ... }
 * ```
 */
export function pieceOf(event: PartEvent): PartPiece | undefined {
  switch (event.type) {
    case 'text-delta':
    case 'reasoning-delta': {
      const kind = event.type === 'text-delta' ? 'text' : 'reasoning';
      return { kind, key: kind, headers: { [PART_KIND_HEADER]: kind }, text: String(event.text), closes: false };
    }
    case 'tool-input-delta':
    case 'tool-call':
      return {
        kind: 'tool-call',
        key: `tool-call:${event.toolCallId}`,
        headers: {
          [PART_KIND_HEADER]: 'tool-call',
          [PART_HEADERS.toolCallId]: String(event.toolCallId),
          [PART_HEADERS.toolName]: String(event.toolName),
        },
        text: event.type === 'tool-input-delta' ? String(event.text) : (JSON.stringify(event.input) ?? 'null'),
        closes: event.type === 'tool-call',
      };
    case 'tool-result': {
      const headers: Record<string, string> = {
        [PART_KIND_HEADER]: 'tool-result',
        [PART_HEADERS.toolCallId]: String(event.toolCallId),
        [PART_HEADERS.toolName]: String(event.toolName),
      };
      if (event.isError) headers[PART_HEADERS.toolError] = 'true';
      const text =
        event.isError && typeof event.output === 'string' ? event.output : (JSON.stringify(event.output) ?? 'null');
      return { kind: 'tool-result', key: `tool-result:${event.toolCallId}`, headers, text, closes: true };
    }
    case 'data':
      return {
        kind: 'data',
        key: `data:${event.name}`,
        headers: { [PART_KIND_HEADER]: 'data', [PART_HEADERS.dataName]: String(event.name) },
        text: JSON.stringify(event.data) ?? 'null',
        closes: true,
      };
    default:
      return undefined;
  }
}

/** The headers of part `index`. */
export function partHeaders(index: number, piece: PartPiece): Record<string, string> {
  return { ...piece.headers, [PART_HEADER]: String(index) };
}

/**
 * Who cancelled a response, when the abort reason names them (`controller.abort({ cancelledBy })`).
 *
 * @example
 * ```ts
 * const controller = new AbortController();
 * controller.abort({ cancelledBy: 'ann' });
 * cancelledByOf(controller.signal); // 'ann'
 * ```
 */
export function cancelledByOf(signal: AbortSignal | undefined): string | undefined {
  const reason = signal?.reason as { cancelledBy?: unknown } | undefined;
  return typeof reason?.cancelledBy === 'string' ? reason.cancelledBy : undefined;
}
