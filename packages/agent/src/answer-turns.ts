/**
 * The server side of a conversation: answer the user turns published on a channel, and honour the cancel and
 * regenerate requests published there, whichever browser (or process) published them.
 *
 * @module
 */
import {
  CANCEL_MESSAGE_NAME,
  headersOf,
  KIT_ERROR_CODES,
  publishRegenerate,
  publishTurn,
  REGENERATE_MESSAGE_NAME,
  RESPONSE_ID_HEADER,
  ResumableError,
  TURN_ID_HEADER,
  TURN_MESSAGE_NAME,
} from '@resumable/core';
import type * as Ably from 'ably';
import { EarlyCancels } from './early-cancels.js';
import type { PartStream } from './part-events.js';
import { streamResponse } from './stream-response.js';
import type { StreamResponseOptions, StreamResult } from './types.js';

/**
 * A turn to answer, as {@link answerTurns} hands it to the app.
 *
 * @example
 * ```ts
 * const answer: TurnAnswerer = (turn) => model.stream(turn.text, { signal: turn.signal });
 * ```
 */
export interface TurnRequest {
  readonly turnId: string;
  readonly text: string;
  /** Who sent the turn. */
  readonly clientId: string | undefined;
  /** The responseId this answer is published with. */
  readonly responseId: string;
  /** True when a regenerate request asked for this answer. */
  readonly regenerate: boolean;
  readonly headers: Readonly<Record<string, string>>;
  /** Aborted when a cancel for this response (or its turn) arrives, or the answerer stops: pass it to the model. */
  readonly signal: AbortSignal;
}

/**
 * Produces the answer to a turn: a text stream or a {@link PartStream}.
 *
 * @example
 * ```ts
 * const answer: TurnAnswerer = async function* (turn) { yield `You said: ${turn.text}`; };
 * ```
 */
export type TurnAnswerer = (
  turn: TurnRequest,
) => AsyncIterable<string> | PartStream | Promise<AsyncIterable<string> | PartStream>;

/**
 * Options of {@link answerTurns}: the streaming options of every answer, plus hooks.
 *
 * @example
 * ```ts
 * const options: AnswerTurnsOptions = { pattern: 'message-per-response', onResult: (r) => log(r.status) };
 * ```
 */
export interface AnswerTurnsOptions extends Omit<StreamResponseOptions, 'responseId' | 'turnId' | 'signal'> {
  /** Stops answering (like `stop()`), cancelling the answers in progress. */
  readonly signal?: AbortSignal;
  /** An answer that could not be streamed (the channel refused it, the answerer threw). */
  readonly onError?: (error: ResumableError, turn: TurnRequest) => void;
  /** An answer that ended (complete, error or cancelled). */
  readonly onResult?: (result: StreamResult, turn: TurnRequest) => void;
}

/**
 * A running {@link answerTurns}.
 *
 * @example
 * ```ts
 * const answering = answerTurns(channel, answer);
 * await answering.publishTurn({ text: 'Summarise the ticket' });
 * answering.stop();
 * ```
 */
export interface TurnAnswering {
  /** Publish a turn on the user's behalf (when the browser does not) and answer it. */
  publishTurn(turn: {
    readonly text: string;
    readonly turnId?: string;
    readonly responseId?: string;
  }): Promise<TurnRequest>;
  /**
   * Publish a regenerate request on the user's behalf and answer it: the turn (heard on the channel or published
   * by {@link TurnAnswering.publishTurn}) is answered again with `responseId`.
   */
  regenerate(request: { readonly turnId: string; readonly responseId?: string }): Promise<TurnRequest>;
  /** Answers in progress, by responseId. */
  readonly active: ReadonlyMap<string, TurnRequest>;
  /** Stop listening and cancel the answers in progress. */
  stop(): void;
}

interface Active {
  readonly request: TurnRequest;
  readonly controller: AbortController;
}

/**
 * Answer every user turn published on a channel with `answer`, and stop an answer when a cancel naming its
 * response (or its turn) arrives on the channel, from any client with publish rights. Regenerate requests
 * answer the same turn again with a new responseId. One answering process per channel: the channel, not
 * process memory, carries the requests, so a cancel from any browser reaches the process that streams.
 *
 * @example
 * ```ts
 * const channel = agentClient.channels.get('ai:conversation-42');
 * const answering = answerTurns(channel, async function* (turn) {
 *   yield* model.stream(turn.text, { signal: turn.signal });
 * });
 * // later: answering.stop();
 * ```
 */
export function answerTurns(
  channel: Ably.RealtimeChannel,
  answer: TurnAnswerer,
  options: AnswerTurnsOptions = {},
): TurnAnswering {
  if (typeof answer !== 'function') {
    throw new ResumableError(
      KIT_ERROR_CODES.invalidOptions,
      'answerTurns needs a function that answers a turn.',
      'Pass (turn) => textStream, where turn has text, turnId and signal.',
    );
  }
  const { signal: stopSignal, onError, onResult, ...streamOptions } = options;
  const turns = new Map<string, { text: string; clientId: string | undefined; headers: Record<string, string> }>();
  const answered = new Set<string>();
  const active = new Map<string, Active>();
  const requests = new Map<string, TurnRequest>();
  const earlyCancels = new EarlyCancels();
  let stopped = false;

  function start(
    turnId: string,
    responseId: string,
    regenerate: boolean,
    turn: { text: string; clientId: string | undefined; headers: Record<string, string> },
  ): TurnRequest {
    const controller = new AbortController();
    const request: TurnRequest = { turnId, responseId, regenerate, signal: controller.signal, ...turn };
    active.set(responseId, { request, controller });
    requests.set(responseId, request);
    // Stop pressed before the turn reached this process: no model call, and the answer ends cancelled at once.
    const cancelledEarly = earlyCancels.take(responseId, turnId, regenerate);
    void (async () => {
      try {
        const stream = cancelledEarly === undefined ? await answer(request) : nothing();
        const streaming = streamResponse(channel, stream, {
          ...streamOptions,
          responseId,
          turnId,
          signal: controller.signal,
        });
        // Aborted once the stream has started, so readers get the `cancelled` end (an answer aborted before it
        // starts publishes nothing, and its turn would show it submitted for ever).
        if (cancelledEarly !== undefined) controller.abort({ cancelledBy: cancelledEarly });
        const result = await streaming;
        onResult?.(result, request);
      } catch (cause) {
        onError?.(ResumableError.from(cause), request);
      } finally {
        active.delete(responseId);
        requests.delete(responseId);
      }
    })();
    return request;
  }

  const cancel = (entry: Active, by: string | undefined) => {
    if (!entry.controller.signal.aborted) entry.controller.abort({ cancelledBy: by ?? 'unknown' });
  };

  const onMessage = (message: Ably.InboundMessage) => {
    if (stopped) return;
    // Own string entries only: a `__proto__` header decoded as a prototype (msgpack) supplies nothing.
    const headers: Record<string, string> = { ...headersOf(message) };
    const turnId = headers[TURN_ID_HEADER];
    const responseId = headers[RESPONSE_ID_HEADER];
    if (message.name === TURN_MESSAGE_NAME && turnId && typeof message.data === 'string') {
      if (turns.has(turnId)) return; // the same turn again: answered once
      const turn = { text: message.data, clientId: message.clientId, headers };
      turns.set(turnId, turn);
      const id = responseId || globalThis.crypto.randomUUID();
      if (answered.has(id)) return;
      answered.add(id);
      start(turnId, id, false, turn);
    } else if (message.name === REGENERATE_MESSAGE_NAME && turnId && responseId) {
      const turn = turns.get(turnId);
      if (!turn || answered.has(responseId)) return;
      answered.add(responseId);
      start(turnId, responseId, true, turn);
    } else if (message.name === CANCEL_MESSAGE_NAME) {
      let found = false;
      for (const entry of active.values()) {
        const named = responseId ? entry.request.responseId === responseId : entry.request.turnId === turnId;
        if (named) {
          found = true;
          cancel(entry, message.clientId);
        }
      }
      const finished = responseId ? answered.has(responseId) : turnId !== undefined && turns.has(turnId);
      if (!found && !finished) earlyCancels.remember({ responseId, turnId }, message.clientId ?? 'unknown');
    }
  };

  void channel.subscribe(onMessage).catch((cause: unknown) => {
    onError?.(ResumableError.from(cause), {
      turnId: '',
      text: '',
      clientId: undefined,
      responseId: '',
      regenerate: false,
      headers: {},
      signal: AbortSignal.abort(),
    });
  });

  const stop = () => {
    if (stopped) return;
    stopped = true;
    channel.unsubscribe(onMessage);
    for (const entry of active.values()) cancel(entry, undefined);
    stopSignal?.removeEventListener('abort', stop);
  };
  if (stopSignal?.aborted) stop();
  stopSignal?.addEventListener('abort', stop, { once: true });

  return {
    async publishTurn(turn) {
      const turnId = turn.turnId ?? globalThis.crypto.randomUUID();
      const responseId = turn.responseId ?? globalThis.crypto.randomUUID();
      const record = { text: turn.text, clientId: undefined, headers: {} };
      // Known before it is published, so an echo of it (echoMessages: true) is not answered twice.
      turns.set(turnId, record);
      answered.add(responseId);
      await publishTurn(channel, { text: turn.text, turnId, responseId });
      return start(turnId, responseId, false, record);
    },
    async regenerate(request) {
      const turn = turns.get(request.turnId);
      if (!turn) {
        throw new ResumableError(
          KIT_ERROR_CODES.invalidOptions,
          `No turn "${request.turnId}" was heard on this channel.`,
          'Regenerate a turn this answerer has seen: one published on the channel since it started, or by publishTurn.',
        );
      }
      const responseId = request.responseId ?? globalThis.crypto.randomUUID();
      if (answered.has(responseId)) {
        throw new ResumableError(
          KIT_ERROR_CODES.invalidOptions,
          `The response "${responseId}" was answered already.`,
          'Use a new responseId for each regenerate.',
        );
      }
      answered.add(responseId);
      await publishRegenerate(channel, { turnId: request.turnId, responseId });
      return start(request.turnId, responseId, true, turn);
    },
    active: requests,
    stop,
  };
}

/** The text of an answer cancelled before it started: nothing. */
async function* nothing(): AsyncGenerator<string> {}
