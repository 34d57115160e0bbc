import {
  answerTurns,
  type PartEvent,
  type PartStream,
  partStream,
  type StreamResult,
  type TurnRequest,
} from '@resumable/agent';
import {
  headerOf,
  publishTurn,
  REGENERATE_MESSAGE_NAME,
  RESPONSE_ID_HEADER,
  type ResumableError,
  TURN_ID_HEADER,
} from '@resumable/core';
import type * as Ably from 'ably';
import { channelNameFor, MAX_PROMPT_LENGTH } from '../src/conversation.js';
import { AgentPresence } from './agent-presence.js';
import type { ConversationRecords, UserRecord } from './conversation-records.js';
import { HttpError } from './http-utils.js';
import { applyControls, type ModelControls, savedControls } from './model-controls.js';
import { PartRecorder } from './part-record.js';
import type { RealModel } from './real-model.js';
import { simulateAnswer } from './simulated-answer.js';
import { PauseGate } from './simulated-model.js';

type TurnAnswering = ReturnType<typeof answerTurns>;

/** An answer the agent is streaming now. */
export interface LiveAnswer {
  readonly conversationId: string;
  readonly responseId: string;
  readonly turnId: string;
  readonly recorder: PartRecorder;
  readonly createdAt: number;
  /** When a cancel reached the agent (ms epoch). */
  cancelReceivedAt?: number;
}

/** What a conversation's answering works with (see {@link Conversation}). */
interface ConversationState {
  readonly id: string;
  controls: ModelControls;
  /** Holds every answer of the conversation between two tokens while the model is paused. */
  readonly gate: PauseGate;
  /** Turns the current `answerTurns` has seen (it can regenerate only those); a new set for each. */
  knownToAnswering: Set<string>;
  /** User messages by turnId, kept across restarts of the answering (the database has the older ones). */
  readonly turns: Map<string, UserRecord>;
  readonly live: Map<string, LiveAnswer>;
  /** Turns published through the HTTP endpoint, so a repeated POST publishes nothing. */
  readonly posted: Set<string>;
}

/** The channel a conversation's `answerTurns` listens on, and the answering itself. */
interface Listening {
  readonly channel: Ably.RealtimeChannel;
  readonly answering: TurnAnswering;
  /** The agent on the channel's presence set: online, or responding. */
  readonly presence: AgentPresence;
}

type Conversation = ConversationState & Listening;

export interface ConversationAgentsOptions {
  readonly records: ConversationRecords;
  /** The agent's connection for a rollup window (`appendRollupWindow` is a connection parameter). */
  readonly agentFor: (rollupWindowMs: number) => Ably.Realtime;
  /** Publishes turns on users' behalf: not the agent's connection (it hears no echo of its own messages). */
  readonly publisher: Ably.Rest;
  readonly model?: RealModel | undefined;
  /** Shown with every answer (`model` header). */
  readonly modelLabel: string;
}

/** A turn's headers without the convention's own (they are the turn's identity, not the app's). */
const appHeaders = (headers: Readonly<Record<string, string>>) => {
  const { [TURN_ID_HEADER]: _turn, [RESPONSE_ID_HEADER]: _response, ...rest } = headers;
  return rest;
};

/**
 * One `answerTurns` per conversation channel: it answers the turns any browser publishes there (or the
 * server publishes on a user's behalf), stops an answer when a cancel arrives on the channel, answers
 * regenerate requests, and writes every answer to the database when it ends.
 *
 * @example
 * ```ts
 * const agents = new ConversationAgents({ records, agentFor, modelLabel: 'simulated' });
 * await agents.open('c-1'); // listening on ai:c-1
 * ```
 */
export class ConversationAgents {
  private readonly conversations = new Map<string, Promise<Conversation>>();
  /** Conversations whose answering is running. */
  private readonly started = new Map<string, Conversation>();
  /** The agent's presence per conversation, told when answers start and end. */
  private readonly presences = new Map<string, AgentPresence>();
  private readonly writes = new Set<Promise<void>>();

  constructor(private readonly options: ConversationAgentsOptions) {}

  /** Start answering on a conversation's channel (once); resolves when the agent is attached there. */
  open(conversationId: string): Promise<Conversation> {
    let opening = this.conversations.get(conversationId);
    if (!opening) {
      opening = this.start(conversationId);
      this.conversations.set(conversationId, opening);
      opening.catch(() => this.conversations.delete(conversationId));
    }
    return opening;
  }

  async controls(conversationId: string): Promise<ModelControls> {
    return (await this.open(conversationId)).controls;
  }

  /**
   * Change a conversation's controls. Pattern and rollup window change how the agent publishes, so they
   * wait until no answer streams.
   *
   * @throws HttpError 400 for a bad field, 409 (40900) for a pattern change while an answer streams
   */
  async updateControls(conversationId: string, change: Record<string, unknown>): Promise<ModelControls> {
    const conversation = await this.open(conversationId);
    const next = applyControls(conversation.controls, change);
    const republish =
      next.pattern !== conversation.controls.pattern || next.rollupWindowMs !== conversation.controls.rollupWindowMs;
    if (republish && conversation.live.size > 0) {
      throw new HttpError(
        409,
        40900,
        'The pattern and rollup window cannot change while an answer streams',
        'Wait for the answer to end, or stop it, then change them.',
      );
    }
    this.setControls(conversation, next);
    if (republish) {
      conversation.answering.stop();
      conversation.presence.leave();
      Object.assign(conversation, await this.listen(conversation));
    }
    return next;
  }

  /**
   * Publish a turn on the user's behalf (for apps whose browser may not publish). The same turnId twice
   * is one turn. Resolves with false when the turn was known already.
   */
  async publishTurn(
    conversationId: string,
    turn: { turnId: string; responseId: string; text: string; headers: Record<string, string> },
  ): Promise<boolean> {
    const conversation = await this.open(conversationId);
    const known = conversation.posted.has(turn.turnId) || conversation.turns.has(turn.turnId);
    if (known || (await this.options.records.turn(conversationId, turn.turnId))) return false;
    // Again after the await: a concurrent POST of the same turn may have got here first.
    if (conversation.posted.has(turn.turnId)) return false;
    conversation.posted.add(turn.turnId);
    // The conversation's answerTurns hears it like a turn from any browser, and answers it.
    await publishTurn(this.options.publisher.channels.get(channelNameFor(conversationId)), turn).catch(
      (error: unknown) => {
        conversation.posted.delete(turn.turnId);
        throw error;
      },
    );
    return true;
  }

  /** Answers streaming in a conversation. */
  inProgress(conversationId: string): LiveAnswer[] {
    return [...(this.started.get(conversationId)?.live.values() ?? [])];
  }

  /** An answer streaming now, in any conversation. */
  liveAnswer(responseId: string): { answer: LiveAnswer; paused: boolean } | undefined {
    for (const conversation of this.started.values()) {
      const answer = conversation.live.get(responseId);
      if (answer) return { answer, paused: conversation.gate.paused };
    }
    return undefined;
  }

  /** Stop answering everywhere; resolves once the answers cut short are written. */
  async close(): Promise<void> {
    for (const conversation of this.started.values()) conversation.answering.stop();
    // Cancelled answers end (and are written) shortly after stop().
    const deadline = Date.now() + 5000;
    const anyLive = () => [...this.started.values()].some((conversation) => conversation.live.size > 0);
    while (anyLive() && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 20));
    await Promise.allSettled([...this.writes]);
  }

  private async start(conversationId: string): Promise<Conversation> {
    const controls = savedControls(await this.options.records.controls(conversationId));
    const state: ConversationState = {
      id: conversationId,
      controls,
      gate: new PauseGate(),
      knownToAnswering: new Set<string>(),
      turns: new Map(),
      live: new Map(),
      posted: new Set(),
    };
    if (controls.paused) state.gate.pause();
    const conversation: Conversation = Object.assign(state, await this.listen(state));
    this.started.set(conversationId, conversation);
    return conversation;
  }

  /** (Re)start `answerTurns` with the conversation's pattern, on the connection of its rollup window. */
  private async listen(conversation: ConversationState): Promise<Listening> {
    const { pattern, rollupWindowMs } = conversation.controls;
    const channel = this.options.agentFor(rollupWindowMs).channels.get(channelNameFor(conversation.id));
    conversation.knownToAnswering = new Set();
    const known = conversation.knownToAnswering;
    const answering = answerTurns(channel, (turn) => this.answer(conversation, known, turn), {
      pattern,
      // Per-token has no server-side rollup: the agent batches tokens produced within the same window instead.
      batchMs: pattern === 'message-per-token' ? rollupWindowMs : 0,
      headers: { model: this.options.modelLabel },
      onResult: (result, turn) => this.finish(conversation, turn, result),
      onError: (error: ResumableError, turn) => {
        if (!turn.responseId) return console.error(`[demo] ${conversation.id}: ${error.message}`);
        console.error(`[demo] response ${turn.responseId} failed:`, error.message);
        this.finish(conversation, turn, { status: 'error', error });
      },
    });
    // A regenerate of a turn this answerTurns never saw (answered before a restart or a pattern change):
    // publish the turn again with the new responseId; readers count a repeated turn once.
    const onRegenerate = (message: Ably.InboundMessage) => {
      const turnId = headerOf(message, TURN_ID_HEADER);
      const responseId = headerOf(message, RESPONSE_ID_HEADER);
      if (conversation.knownToAnswering !== known || !turnId || !responseId || known.has(turnId)) return;
      known.add(turnId);
      void (async () => {
        const user = conversation.turns.get(turnId) ?? (await this.options.records.turn(conversation.id, turnId));
        if (!user) return;
        conversation.turns.set(turnId, user);
        await answering.publishTurn({ text: user.text, turnId, responseId });
      })().catch((error: unknown) => console.error('[demo] regenerate failed:', error));
    };
    await channel.subscribe(REGENERATE_MESSAGE_NAME, onRegenerate);
    await channel.attach();
    const presence = new AgentPresence(channel);
    this.presences.set(conversation.id, presence);
    await presence.enter();
    return { channel, answering, presence };
  }

  private setControls(conversation: ConversationState, next: ModelControls): void {
    conversation.controls = next;
    if (next.paused) conversation.gate.pause();
    else conversation.gate.resume();
    void this.options.records
      .saveControls(conversation.id, next)
      .catch((error: unknown) => console.error('[demo] could not save controls:', error));
  }

  private answer(conversation: ConversationState, known: Set<string>, turn: TurnRequest): PartStream {
    known.add(turn.turnId);
    this.presences.get(conversation.id)?.started();
    const user: UserRecord = conversation.turns.get(turn.turnId) ?? {
      turnId: turn.turnId,
      text: turn.text,
      clientId: turn.clientId,
      createdAt: Date.now(),
      headers: appHeaders(turn.headers),
    };
    conversation.turns.set(turn.turnId, user);
    const live: LiveAnswer = {
      conversationId: conversation.id,
      responseId: turn.responseId,
      turnId: turn.turnId,
      recorder: new PartRecorder(),
      createdAt: Math.max(Date.now(), user.createdAt + 1),
    };
    conversation.live.set(turn.responseId, live);
    turn.signal.addEventListener(
      'abort',
      () => {
        live.cancelReceivedAt = Date.now();
      },
      { once: true },
    );
    if (turn.text.length > MAX_PROMPT_LENGTH) {
      const error = new Error(`The message is longer than ${MAX_PROMPT_LENGTH} characters; send a shorter one.`);
      return partStream([{ type: 'error', error }]);
    }
    const { tokensPerSecond, jitter, toolDelayMs } = conversation.controls;
    const source: AsyncIterable<PartEvent> = this.options.model
      ? this.options.model.stream(turn.text, turn.signal)
      : simulateAnswer(turn.text, { tokensPerSecond, jitter, toolDelayMs, signal: turn.signal });
    return partStream(this.gated(conversation, live, source, turn.signal));
  }

  /** Record what the model produced (the database keeps exactly that) and hold it while paused. */
  private async *gated(
    conversation: ConversationState,
    live: LiveAnswer,
    source: AsyncIterable<PartEvent>,
    signal: AbortSignal,
  ): AsyncGenerator<PartEvent> {
    for await (const event of source) {
      if (signal.aborted) return;
      // Recorded and handed on in one synchronous step, so a cancel cannot fall between the two.
      live.recorder.add(event);
      yield event;
      const { pauseAfterTokens } = conversation.controls;
      if (pauseAfterTokens > 0 && live.recorder.tokens >= pauseAfterTokens) {
        this.setControls(conversation, { ...conversation.controls, paused: true, pauseAfterTokens: 0 });
      }
      await conversation.gate.wait(signal);
    }
  }

  private finish(
    conversation: ConversationState,
    turn: TurnRequest,
    result: Pick<StreamResult, 'status' | 'error'> & Partial<StreamResult>,
  ): void {
    const { status } = result;
    this.presences.get(conversation.id)?.ended();
    const live = conversation.live.get(turn.responseId);
    const user = conversation.turns.get(turn.turnId);
    const recorder = live?.recorder ?? new PartRecorder();
    const write = this.options.records
      .save({
        conversationId: conversation.id,
        responseId: turn.responseId,
        turnId: turn.turnId,
        user,
        pattern: conversation.controls.pattern,
        status,
        errorReason: status === 'error' ? (result.error?.message ?? 'The answer failed') : undefined,
        cancelledBy: status === 'cancelled' ? cancelledBy(turn.signal) : undefined,
        clientId: 'agent',
        text: recorder.text(),
        parts: recorder.parts(),
        createdAt: live?.createdAt ?? Date.now(),
        endedAt: Date.now(),
        tokens: recorder.tokens,
        messagesPublished: result.messagesPublished ?? 0,
        failuresRepaired: result.failuresRepaired ?? 0,
        cancelReceivedAt: status === 'cancelled' ? live?.cancelReceivedAt : undefined,
      })
      .then(
        () => undefined,
        (error: unknown) => console.error(`[demo] could not store response ${turn.responseId}:`, error),
      )
      // Streaming until stored: a reload in between finds it on the channel, never nowhere.
      .finally(() => {
        conversation.live.delete(turn.responseId);
        this.writes.delete(write);
      });
    this.writes.add(write);
  }
}

/** Who cancelled, when the abort reason says (answerTurns aborts with `{ cancelledBy }`). */
function cancelledBy(signal: AbortSignal): string | undefined {
  const reason = signal.reason as { cancelledBy?: unknown } | undefined;
  return typeof reason?.cancelledBy === 'string' && reason.cancelledBy !== 'unknown' ? reason.cancelledBy : undefined;
}
