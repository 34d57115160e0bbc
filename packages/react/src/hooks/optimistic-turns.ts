/**
 * Optimistic turns: what this browser sent (a user turn, a regenerate) shown at once as `submitted`, before the
 * channel's copy arrives, then replaced by that copy without a double or a flicker. Keyed by the client-chosen
 * ids the convention puts on the channel, so reconciling is a lookup, never a text comparison.
 *
 * @module
 */
import type {
  ConversationResponse,
  ConversationResponseStatus,
  ConversationTurn,
  ResumableError,
} from '@resumable/core';

interface SentTurn {
  readonly turnId: string;
  readonly responseId: string;
  readonly text: string;
  readonly clientId: string | undefined;
  readonly headers: Readonly<Record<string, string>>;
  readonly createdAt: number;
  error: ResumableError | undefined;
}

interface SentRegenerate {
  readonly turnId: string;
  readonly responseId: string;
  readonly createdAt: number;
  error: ResumableError | undefined;
}

function placeholderResponse(
  responseId: string,
  turnId: string,
  clientId: string | undefined,
  createdAt: number,
  error: ResumableError | undefined,
): ConversationResponse {
  const status: ConversationResponseStatus = error ? 'error' : 'submitted';
  return Object.freeze({
    responseId,
    turnId,
    pattern: undefined,
    parts: Object.freeze([]),
    text: '',
    status,
    errorReason: error?.message,
    cancelledBy: undefined,
    cancelRequestedBy: undefined,
    clientId,
    createdAt,
    updatedAt: createdAt,
    seeded: false,
  });
}

/**
 * The turns this client sent that the channel has not shown yet, shared by every hook on one conversation.
 *
 * @example
 * ```ts
 * const optimistic = new OptimisticTurns();
 * optimistic.addTurn({ turnId: 't1', responseId: 'r1', text: 'Hi', clientId: 'ana', headers: {} });
 * const turns = optimistic.merge(store.getSnapshot().turns); // the store's turns, then t1 as submitted
 * ```
 */
export class OptimisticTurns {
  private readonly turns = new Map<string, SentTurn>();
  private readonly regenerates = new Map<string, SentRegenerate>();
  private readonly listeners = new Set<() => void>();
  private version = 0;
  private cached:
    | { base: readonly ConversationTurn[]; version: number; value: readonly ConversationTurn[] }
    | undefined;
  /** Merged turn objects, kept while their inputs are the same, so memoised rows do not re-render. */
  private readonly turnCache = new WeakMap<ConversationTurn, { key: string; value: ConversationTurn }>();
  private readonly sentTurnCache = new Map<string, { error: ResumableError | undefined; value: ConversationTurn }>();

  subscribe = (listener: () => void): (() => void) => {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  };

  private changed() {
    this.version++;
    for (const listener of [...this.listeners]) listener();
  }

  /** Show a turn this client is sending. */
  addTurn(turn: Omit<SentTurn, 'createdAt' | 'error'>): void {
    if (this.turns.has(turn.turnId)) {
      // A retry of a failed send: show it as submitted again.
      this.turns.get(turn.turnId)!.error = undefined;
    } else {
      this.turns.set(turn.turnId, { ...turn, createdAt: Date.now(), error: undefined });
    }
    this.changed();
  }

  /** Show a regenerated response this client asked for. */
  addRegenerate(turnId: string, responseId: string): void {
    this.regenerates.set(responseId, { turnId, responseId, createdAt: Date.now(), error: undefined });
    this.changed();
  }

  /** Mark a send or regenerate that failed: its response shows `error` with the reason. */
  fail(responseId: string, error: ResumableError): void {
    for (const turn of this.turns.values()) if (turn.responseId === responseId) turn.error = error;
    const regenerate = this.regenerates.get(responseId);
    if (regenerate) regenerate.error = error;
    this.changed();
  }

  /** The text and headers of a turn this client sent, for a retry with the same id. */
  sentTurn(
    turnId: string,
  ): { text: string; responseId: string; headers: Readonly<Record<string, string>> } | undefined {
    return this.turns.get(turnId);
  }

  /**
   * The store's turns with what is still only optimistic: unseen turns appended in the order they were sent,
   * unseen regenerated responses added to their turn, and a missing user message (a channel that does not echo
   * this client's messages) filled in. The same array until either side changes.
   */
  merge(base: readonly ConversationTurn[]): readonly ConversationTurn[] {
    if (this.cached && this.cached.base === base && this.cached.version === this.version) return this.cached.value;
    if (this.turns.size === 0 && this.regenerates.size === 0) {
      this.cached = { base, version: this.version, value: base };
      return base;
    }
    const known = new Map(base.map((turn) => [turn.turnId ?? turn.id, turn]));
    const seenResponses = new Set(base.flatMap((turn) => turn.responses.map((response) => response.responseId)));
    this.forgetSeen(known, seenResponses);
    const merged = base.map((turn) => this.withOptimistic(turn, seenResponses));
    for (const sent of this.turns.values()) {
      if (!known.has(sent.turnId)) merged.push(this.sentTurnView(sent));
    }
    const value = Object.freeze(merged);
    this.cached = { base, version: this.version, value };
    return value;
  }

  /** Drop what the channel now shows (a turn with its user message, a regenerated response). */
  private forgetSeen(known: Map<string, ConversationTurn>, seenResponses: Set<string>) {
    for (const turnId of this.turns.keys()) {
      // The channel has the turn itself: it was published (even if the acknowledgement was lost).
      if (known.get(turnId)?.user) {
        this.turns.delete(turnId);
        this.sentTurnCache.delete(turnId);
      }
    }
    for (const [responseId, regenerate] of this.regenerates) {
      if (seenResponses.has(responseId) && !regenerate.error) this.regenerates.delete(responseId);
    }
  }

  private withOptimistic(turn: ConversationTurn, seenResponses: Set<string>): ConversationTurn {
    const turnId = turn.turnId;
    if (!turnId) return turn;
    const sent = turn.user ? undefined : this.turns.get(turnId);
    const extra = [...this.regenerates.values()].filter(
      (regenerate) => regenerate.turnId === turnId && !seenResponses.has(regenerate.responseId),
    );
    if (!sent && extra.length === 0) return turn;
    const key = `${sent ? `u:${sent.createdAt}` : ''}|${extra.map((r) => `${r.responseId}:${r.error ? 1 : 0}`).join(',')}`;
    const cached = this.turnCache.get(turn);
    if (cached?.key === key) return cached.value;
    const value: ConversationTurn = Object.freeze({
      ...turn,
      user: turn.user ?? (sent ? userOf(sent) : undefined),
      responses: Object.freeze([
        ...turn.responses,
        ...extra.map((r) => placeholderResponse(r.responseId, turnId, undefined, r.createdAt, r.error)),
      ]),
    });
    this.turnCache.set(turn, { key, value });
    return value;
  }

  private sentTurnView(sent: SentTurn): ConversationTurn {
    const cached = this.sentTurnCache.get(sent.turnId);
    if (cached && cached.error === sent.error) return cached.value;
    const value: ConversationTurn = Object.freeze({
      id: sent.turnId,
      turnId: sent.turnId,
      user: userOf(sent),
      responses: Object.freeze([
        placeholderResponse(sent.responseId, sent.turnId, undefined, sent.createdAt, sent.error),
      ]),
    });
    this.sentTurnCache.set(sent.turnId, { error: sent.error, value });
    return value;
  }
}

function userOf(sent: SentTurn) {
  return Object.freeze({
    turnId: sent.turnId,
    text: sent.text,
    clientId: sent.clientId,
    createdAt: sent.createdAt,
    headers: sent.headers,
  });
}
