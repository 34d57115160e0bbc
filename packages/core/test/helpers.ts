import { type Emulator, startEmulator } from '@resumable/emulator';
import * as Ably from 'ably';
import { afterAll, afterEach, beforeAll } from 'vitest';
import { type ConnectChannelOptions, connectChannel } from '../src/connect-channel.js';
import { createResponseStore, type ResponseStore, type ResponseStoreOptions } from '../src/response-store.js';
import { textProof } from '../src/text-integrity.js';

/** Start one emulator for the test file and close every client after each test. */
export function useEmulator(options: Parameters<typeof startEmulator>[0] = {}) {
  const state: { emulator?: Emulator } = {};
  const opened: Array<{ close(): void }> = [];
  beforeAll(async () => {
    state.emulator = await startEmulator({ port: 0, ...options });
  });
  afterEach(() => {
    for (const item of opened.splice(0)) item.close();
  });
  afterAll(async () => {
    await state.emulator?.stop();
  });
  return {
    get emulator(): Emulator {
      if (!state.emulator) throw new Error('emulator not started');
      return state.emulator;
    },
    /** A realtime client (the plain SDK) closed after the test. */
    client(options: Partial<Ably.ClientOptions> & { format?: 'json' | 'msgpack'; key?: string } = {}): Ably.Realtime {
      const { format = 'json', key, ...rest } = options;
      const request: { format: 'json' | 'msgpack'; key?: string } = { format };
      if (key !== undefined) request.key = key;
      const client = new Ably.Realtime({
        ...this.emulator.clientOptions(request),
        logLevel: 0,
        ...rest,
      } as Ably.ClientOptions);
      opened.push(client);
      return client;
    },
    /** A response store disposed after the test. */
    store(options: ResponseStoreOptions = {}): ResponseStore {
      const store = createResponseStore(options);
      opened.push({ close: () => store.dispose() });
      return store;
    },
    /** Hydrate a fresh store from `channel` (stopped after the test); resolves once the sync is ready. */
    async connect(
      channel: Ably.RealtimeChannel,
      options: ConnectChannelOptions,
      storeOptions: ResponseStoreOptions = {},
    ) {
      const store = this.store(storeOptions);
      const sync = connectChannel(channel, store, options);
      this.track(sync);
      await sync.ready;
      return { store, sync };
    },
    /** Something to stop after the test (a channel sync). */
    track(item: { stop(): void }) {
      opened.push({ close: () => item.stop() });
    },
  };
}

let counter = 0;
/** A unique channel name in the `ai` namespace (mutable messages on). */
export function uniqueChannel(prefix = 'ai:core'): string {
  counter += 1;
  return `${prefix}-${process.pid}-${counter}`;
}

/** Resolve when `predicate` holds, polling every 5 ms; fail with `what` after `timeoutMs`. */
export async function waitFor(predicate: () => boolean, what: string, timeoutMs = 15_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!predicate()) {
    if (Date.now() > deadline) throw new Error(`Timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

/** Split text into token-sized pieces. */
export function tokensOf(text: string, size = 3): string[] {
  const tokens: string[] = [];
  for (let index = 0; index < text.length; index += size) tokens.push(text.slice(index, index + size));
  return tokens;
}

/**
 * An agent publishing one message-per-response response with the plain SDK and the kit's wire
 * convention: create with the responseId header, un-awaited appends that resend the headers, and a
 * final empty append whose operation metadata carries the status.
 */
export class PerResponseAgent {
  private serial: string | undefined;
  private pending: Promise<unknown>[] = [];
  readonly sent: string[] = [];

  constructor(
    private readonly channel: Ably.RealtimeChannel,
    readonly responseId: string,
  ) {}

  private get extras() {
    return { headers: { responseId: this.responseId } };
  }

  async start(): Promise<string> {
    const result = await this.channel.publish({ name: 'response', data: '', extras: this.extras });
    this.serial = result.serials[0]!;
    return this.serial;
  }

  send(...tokens: string[]): void {
    for (const data of tokens) {
      this.sent.push(data);
      this.pending.push(this.channel.appendMessage({ serial: this.serial!, data, extras: this.extras }));
    }
  }

  /** Wait until every append so far was acknowledged. */
  async flush(): Promise<void> {
    await Promise.all(this.pending);
  }

  async finish(status: 'complete' | 'error' | 'cancelled' = 'complete'): Promise<void> {
    await this.flush();
    // The end marker proves the text, as the kit's agent writes it.
    const metadata = { status, ...textProof(this.text) };
    await this.channel.appendMessage({ serial: this.serial!, data: '', extras: this.extras }, { metadata });
  }

  get text(): string {
    return this.sent.join('');
  }
}

/** An agent publishing one message-per-token response: start, token..., stop. */
export class PerTokenAgent {
  private pending: Promise<unknown>[] = [];
  readonly sent: string[] = [];

  constructor(
    private readonly channel: Ably.RealtimeChannel,
    readonly responseId: string,
  ) {}

  async start(): Promise<void> {
    await this.channel.publish({ name: 'start', data: '', extras: { headers: { responseId: this.responseId } } });
  }

  send(...tokens: string[]): void {
    for (const data of tokens) {
      this.sent.push(data);
      this.pending.push(
        this.channel.publish({ name: 'token', data, extras: { headers: { responseId: this.responseId } } }),
      );
    }
  }

  async flush(): Promise<void> {
    await Promise.all(this.pending);
  }

  async finish(status: 'complete' | 'error' | 'cancelled' = 'complete'): Promise<void> {
    await this.flush();
    await this.channel.publish({
      name: 'stop',
      data: '',
      extras: { headers: { responseId: this.responseId, status, ...textProof(this.text) } },
    });
  }

  get text(): string {
    return this.sent.join('');
  }
}
