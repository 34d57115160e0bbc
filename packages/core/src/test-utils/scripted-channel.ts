// A scripted stand-in for a RealtimeChannel: just the members connectChannel uses, with state changes,
// deliveries, history pages and failures driven by the test.
import type * as Ably from 'ably';

type Listener = (change: Ably.ChannelStateChange) => void;

/** A scripted stand-in for a RealtimeChannel: just the members connectChannel uses. */
export class ScriptedChannel {
  name = 'ai:scripted';
  state: Ably.ChannelState = 'initialized';
  backlog: Ably.InboundMessage[] = [];
  historyCalls: Ably.RealtimeHistoryParams[] = [];
  attachCalls = 0;
  attachFailure: unknown;
  historyFailure: unknown;
  detachCalls = 0;
  /** When set, history() waits for this promise before answering. */
  historyGate: Promise<void> | undefined;
  private stateListeners: Listener[] = [];
  private messageListener: ((message: Ably.InboundMessage) => void) | undefined;

  on(listener: Listener) {
    this.stateListeners.push(listener);
  }
  off(listener: Listener) {
    this.stateListeners = this.stateListeners.filter((l) => l !== listener);
  }
  emit(current: Ably.ChannelState, resumed = false, reason?: Partial<Ably.ErrorInfo>) {
    const change = { previous: this.state, current, resumed, reason } as Ably.ChannelStateChange;
    this.state = current;
    for (const listener of [...this.stateListeners]) listener(change);
  }
  async subscribe(listener: (message: Ably.InboundMessage) => void) {
    this.messageListener = listener;
    return this.attach();
  }
  unsubscribe() {
    this.messageListener = undefined;
  }
  async attach() {
    this.attachCalls++;
    if (this.attachFailure) throw this.attachFailure;
    if (this.state === 'attached') return null;
    this.emit('attaching');
    this.emit('attached');
    return { current: 'attached', previous: 'attaching', resumed: false } as Ably.ChannelStateChange;
  }
  async detach() {
    this.detachCalls++;
    this.emit('detached');
  }
  async setOptions() {}
  deliver(message: unknown) {
    this.messageListener?.(message as Ably.InboundMessage);
  }
  async history(params: Ably.RealtimeHistoryParams) {
    this.historyCalls.push(params);
    if (this.historyGate) await this.historyGate;
    if (this.historyFailure) throw this.historyFailure;
    const newestFirst = [...this.backlog].reverse();
    const size = params.limit ?? 100;
    const page = (offset: number): Ably.PaginatedResult<Ably.InboundMessage> =>
      ({
        items: newestFirst.slice(offset, offset + size),
        hasNext: () => offset + size < newestFirst.length,
        next: async () => page(offset + size),
      }) as unknown as Ably.PaginatedResult<Ably.InboundMessage>;
    return page(0);
  }
}
