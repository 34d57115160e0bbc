/**
 * The agent on a conversation's presence set: `online` while it listens, `responding` while it streams an answer,
 * so every browser can show "assistant is responding" (through ably/react's presence hooks) without polling.
 *
 * @module
 */
import type * as Ably from 'ably';

/** What the agent's presence data says. */
export type AgentPresenceStatus = 'online' | 'responding';

/**
 * The agent's presence on one channel, counting the answers in progress.
 *
 * @example
 * ```ts
 * const presence = new AgentPresence(channel);
 * await presence.enter();
 * presence.started(); // responding
 * presence.ended(); // online again
 * ```
 */
export class AgentPresence {
  private answering = 0;
  private shown: AgentPresenceStatus | undefined;

  constructor(private readonly channel: Ably.RealtimeChannel) {}

  /** Join the presence set as `online`. A failure is logged: presence is a hint, never a reason to stop. */
  async enter(): Promise<void> {
    this.shown = 'online';
    await this.channel.presence
      .enter({ status: 'online' })
      .catch((error: unknown) => console.error('[demo] presence enter failed:', error));
  }

  started(): void {
    this.answering++;
    this.show();
  }

  ended(): void {
    this.answering = Math.max(0, this.answering - 1);
    this.show();
  }

  /** Leave the set (the listening stopped). */
  leave(): void {
    this.shown = undefined;
    void this.channel.presence.leave().catch(() => undefined);
  }

  private show(): void {
    const status: AgentPresenceStatus = this.answering > 0 ? 'responding' : 'online';
    if (status === this.shown || this.shown === undefined) return;
    this.shown = status;
    void this.channel.presence
      .update({ status })
      .catch((error: unknown) => console.error('[demo] presence update failed:', error));
  }
}
