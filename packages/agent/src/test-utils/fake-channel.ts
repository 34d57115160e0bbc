import type * as Ably from 'ably';

/** One operation the fake channel received, in order. */
export interface RecordedOperation {
  readonly kind: 'publish' | 'append' | 'update';
  readonly message: Ably.Message;
  readonly operation?: Ably.MessageOperation | undefined;
  /** Set when the operation was rejected. */
  rejected?: { code: number; message: string };
}

/** A stored message as a server would keep it: data concatenated by appends, extras replaced. */
export interface StoredMessage {
  serial: string;
  name: string | undefined;
  data: string;
  extras: unknown;
  versionMetadata: Record<string, string> | undefined;
}

type Rejection = { code: number; message: string; statusCode?: number };

interface FakeChannelOptions {
  name?: string;
  /** Whether appends and updates are allowed (the mutable-messages rule). */
  mutableMessages?: boolean;
  maxMessageSize?: number;
  /** Decide whether the n-th (0-based) append or token publish is rejected. */
  reject?: (operation: RecordedOperation, index: number) => Rejection | undefined;
}

/**
 * A channel double for unit tests: acknowledges asynchronously and applies publishes, appends and updates the
 * way Ably does, so tests can read back what a subscriber would end up with. The integration tests run the
 * same scenarios against the emulator with the real SDK.
 */
export function createFakeChannel(options: FakeChannelOptions = {}) {
  const name = options.name ?? 'ai:test';
  const operations: RecordedOperation[] = [];
  const messages: StoredMessage[] = [];
  const listeners = new Map<(change: Ably.ConnectionStateChange) => void, string[]>();
  let nextSerial = 1;
  let streamed = 0;
  const connection = {
    id: 'connection-1' as string | undefined,
    state: 'connected' as Ably.ConnectionState,
    errorReason: null as Ably.ErrorInfo | null,
    on(events: string[], listener: (change: Ably.ConnectionStateChange) => void) {
      listeners.set(listener, events);
    },
    off(listener: (change: Ably.ConnectionStateChange) => void) {
      listeners.delete(listener);
    },
  };
  const client = { connection, options: { maxMessageSize: options.maxMessageSize ?? 65536 }, auth: { clientId: null } };

  function size(message: StoredMessage | Ably.Message): number {
    return (
      Buffer.byteLength(message.name ?? '') +
      (message.extras === undefined ? 0 : Buffer.byteLength(JSON.stringify(message.extras))) +
      Buffer.byteLength(String(message.data ?? ''))
    );
  }

  let held: Array<() => void> | undefined;

  function settle<T>(record: RecordedOperation, apply: () => T): Promise<T> {
    operations.push(record);
    return new Promise<T>((resolve, reject) => {
      const acknowledge = () => {
        if (connection.state !== 'connected') {
          record.rejected = { code: 80002, message: `connection ${connection.state}` };
          reject(Object.assign(new Error(record.rejected.message), record.rejected));
          return;
        }
        const streaming = record.kind === 'append' || (record.kind === 'publish' && record.message.name === 'token');
        const rejection = streaming ? options.reject?.(record, streamed++) : undefined;
        if (rejection) {
          record.rejected = rejection;
          reject(Object.assign(new Error(rejection.message), rejection));
          return;
        }
        try {
          resolve(apply());
        } catch (error) {
          record.rejected = error as Rejection;
          reject(error);
        }
      };
      if (held) held.push(acknowledge);
      else setTimeout(acknowledge, 0);
    });
  }

  function find(serial: string | undefined): StoredMessage {
    const message = messages.find((m) => m.serial === serial);
    if (!message) throw Object.assign(new Error('unknown serial'), { code: 40400 });
    return message;
  }

  function requireMutable(): void {
    if (options.mutableMessages === false) {
      throw Object.assign(
        new Error('Can only update/delete/append messages on channels with mutableMessages enabled'),
        { code: 93002, statusCode: 400 },
      );
    }
  }

  function checkSize(message: StoredMessage | Ably.Message): void {
    if (size(message) > client.options.maxMessageSize) {
      throw Object.assign(new Error('message too large'), { code: 40009, statusCode: 413 });
    }
  }

  const channel = {
    name,
    state: 'attached' as Ably.ChannelState,
    errorReason: null as Ably.ErrorInfo | null,
    client,
    subscribe() {
      return Promise.resolve(null);
    },
    unsubscribe() {},
    publish(message: Ably.Message): Promise<Ably.PublishResult> {
      return settle({ kind: 'publish', message }, () => {
        checkSize(message);
        const serial = `s${String(nextSerial++).padStart(6, '0')}`;
        messages.push({
          serial,
          name: message.name,
          data: String(message.data ?? ''),
          extras: message.extras,
          versionMetadata: undefined,
        });
        return { serials: [serial] };
      });
    },
    appendMessage(message: Ably.Message, operation?: Ably.MessageOperation): Promise<Ably.UpdateDeleteResult> {
      return settle({ kind: 'append', message, operation }, () => {
        requireMutable();
        const stored = find(message.serial);
        const next = { ...stored, data: stored.data + String(message.data ?? '') };
        checkSize(next);
        stored.data = next.data;
        if (message.extras !== undefined) stored.extras = message.extras;
        stored.versionMetadata = operation?.metadata;
        return { versionSerial: `${stored.serial}v${nextSerial++}` };
      });
    },
    updateMessage(message: Ably.Message, operation?: Ably.MessageOperation): Promise<Ably.UpdateDeleteResult> {
      return settle({ kind: 'update', message, operation }, () => {
        requireMutable();
        const stored = find(message.serial);
        if (message.data !== undefined) stored.data = String(message.data);
        if (message.extras !== undefined) stored.extras = message.extras;
        stored.versionMetadata = operation?.metadata;
        return { versionSerial: `${stored.serial}v${nextSerial++}` };
      });
    },
  };

  return {
    channel: channel as unknown as Ably.RealtimeChannel,
    operations,
    messages,
    /** Move the connection to a state and tell the listeners, as the SDK does. */
    setConnectionState(state: Ably.ConnectionState) {
      const previous = connection.state;
      connection.state = state;
      for (const [listener, events] of listeners) {
        if (events.includes(state)) listener({ previous, current: state } as Ably.ConnectionStateChange);
      }
    },
    /** Hold every acknowledgement until {@link release}. */
    hold() {
      held ??= [];
    },
    release() {
      const queued = held ?? [];
      held = undefined;
      for (const acknowledge of queued) acknowledge();
    },
    /** Replace the connection, as a failed resume does. */
    replaceConnection(id: string) {
      connection.id = id;
    },
    setChannelState(state: Ably.ChannelState) {
      channel.state = state;
    },
  };
}

/** An async generator over the given chunks. */
export async function* chunks(...pieces: unknown[]): AsyncGenerator<string> {
  for (const piece of pieces) yield piece as string;
}
