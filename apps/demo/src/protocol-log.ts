import type * as Ably from 'ably';

/** One protocol event a client received, as shown in the inspector. */
export interface ProtocolEvent {
  readonly seq: number;
  /** ms since the log started. */
  readonly at: number;
  readonly kind: 'message' | 'connection' | 'channel';
  /** `message.create`, `message.append`, ... for messages; the new state for state changes. */
  readonly label: string;
  readonly detail: string;
  /** Bytes of data (messages only). */
  readonly size?: number;
}

export interface ProtocolLogSnapshot {
  readonly events: readonly ProtocolEvent[];
  readonly connectionState: string;
  readonly connectionId: string | undefined;
  readonly channelState: string;
  /** Connection states in the order they happened (the newest 12), kept apart from the busy event list. */
  readonly connectionTrail: readonly string[];
  /** Messages received, by action or name. */
  readonly counts: Readonly<Record<string, number>>;
  readonly messages: number;
  readonly bytes: number;
  /** Response ids seen on the channel, to look up how many tokens the model produced for them. */
  readonly responseIds: readonly string[];
}

const MAX_EVENTS = 300;
const encoder = new TextEncoder();

/**
 * Records what one Ably client sees: connection and channel state changes and every message the
 * channel delivers, for the inspector. An external store (`subscribe` / `getSnapshot`).
 */
export class ProtocolLog {
  private snapshot: ProtocolLogSnapshot = {
    events: [],
    connectionState: 'initialized',
    connectionId: undefined,
    channelState: 'initialized',
    connectionTrail: [],
    counts: {},
    messages: 0,
    bytes: 0,
    responseIds: [],
  };
  private readonly listeners = new Set<() => void>();
  private readonly started = performance.now();
  private seq = 0;
  private scheduled = false;
  private pending: ProtocolLogSnapshot | undefined;

  readonly subscribe = (listener: () => void) => {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  };

  readonly getSnapshot = () => this.snapshot;

  /** Watch a client and its channel; returns a function that stops watching. */
  watch(client: Ably.Realtime, channel: Ably.RealtimeChannel): () => void {
    const onConnection = (change: Ably.ConnectionStateChange) => {
      const reason = change.reason ? ` (${change.reason.code}: ${change.reason.message})` : '';
      this.update((s) => ({
        ...s,
        connectionState: change.current,
        connectionId: client.connection.id,
        connectionTrail: [...s.connectionTrail.slice(-11), change.current],
      }));
      this.push('connection', change.current, `${change.previous} → ${change.current}${reason}`);
    };
    const onChannel = (change: Ably.ChannelStateChange) => {
      const resumed = change.current === 'attached' ? ` resumed: ${change.resumed}` : '';
      const reason = change.reason ? ` (${change.reason.code})` : '';
      this.update((s) => ({ ...s, channelState: change.current }));
      this.push('channel', change.current, `${change.previous} → ${change.current}${resumed}${reason}`);
    };
    const onMessage = (message: Ably.InboundMessage) => {
      const size = byteSize(message.data);
      const label =
        message.action === 'message.create' && message.name ? `create ${message.name}` : shortAction(message);
      const headers = (message.extras as { headers?: Record<string, string> } | undefined)?.headers;
      // Only the answer's own messages: a turn or regenerate names a responseId before the agent started it.
      const isRequest = message.name === 'turn' || message.name === 'cancel' || message.name === 'regenerate';
      const responseId = isRequest ? undefined : headers?.responseId;
      const status = (message.version as { metadata?: Record<string, string> } | undefined)?.metadata?.status;
      this.update((s) => ({
        ...s,
        messages: s.messages + 1,
        bytes: s.bytes + size,
        counts: { ...s.counts, [label]: (s.counts[label] ?? 0) + 1 },
        responseIds: responseId && !s.responseIds.includes(responseId) ? [...s.responseIds, responseId] : s.responseIds,
      }));
      this.push(
        'message',
        label,
        `${message.name ?? ''}${responseId ? ` ${responseId.slice(0, 8)}` : ''}${status ? ` [${status}]` : ''}`,
        size,
      );
    };
    client.connection.on(onConnection);
    channel.on(onChannel);
    // Subscribing attaches, and the kit must make the first attach itself (it sets the rewind param
    // first). So listen only once the channel is attaching: the backlog arrives after that, still seen.
    let listening = false;
    const listen = () => {
      if (listening) return;
      listening = true;
      void channel.subscribe(onMessage).catch(() => {});
    };
    const onAttaching = () => listen();
    if (channel.state === 'initialized') channel.once('attaching', onAttaching);
    else listen();
    this.update((s) => ({
      ...s,
      connectionState: client.connection.state,
      connectionId: client.connection.id,
      channelState: channel.state,
    }));
    return () => {
      client.connection.off(onConnection);
      channel.off(onChannel);
      channel.off('attaching', onAttaching);
      channel.unsubscribe(onMessage);
    };
  }

  private push(kind: ProtocolEvent['kind'], label: string, detail: string, size?: number) {
    const event: ProtocolEvent = {
      seq: ++this.seq,
      at: Math.round(performance.now() - this.started),
      kind,
      label,
      detail,
      ...(size !== undefined ? { size } : {}),
    };
    this.update((s) => ({ ...s, events: [...s.events.slice(-(MAX_EVENTS - 1)), event] }));
  }

  /** Changes are batched per animation frame: the log must not cost more than the chat it watches. */
  private update(change: (snapshot: ProtocolLogSnapshot) => ProtocolLogSnapshot) {
    this.pending = change(this.pending ?? this.snapshot);
    if (this.scheduled) return;
    this.scheduled = true;
    const flush = () => {
      this.scheduled = false;
      if (!this.pending) return;
      this.snapshot = this.pending;
      this.pending = undefined;
      for (const listener of this.listeners) listener();
    };
    if (typeof requestAnimationFrame === 'function' && document.visibilityState === 'visible') {
      requestAnimationFrame(flush);
    } else setTimeout(flush, 16);
  }
}

function shortAction(message: Ably.InboundMessage): string {
  const action = message.action ?? 'message.create';
  return action.startsWith('message.') ? action.slice('message.'.length) : action;
}

function byteSize(data: unknown): number {
  if (typeof data === 'string') return encoder.encode(data).length;
  if (data instanceof ArrayBuffer) return data.byteLength;
  if (ArrayBuffer.isView(data)) return data.byteLength;
  return data == null ? 0 : encoder.encode(JSON.stringify(data)).length;
}
