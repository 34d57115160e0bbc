import { type StreamResult, streamResponse } from '@resumable/agent';
import type { ResponsePattern } from '@resumable/core';
import { startEmulator } from '@resumable/emulator';
import { waitFor } from '@testing-library/react';
import * as Ably from 'ably';

export type Emulator = Awaited<ReturnType<typeof startEmulator>>;

/** One emulator per test file, on a free port. */
export async function startTestEmulator(options: Parameters<typeof startEmulator>[0] = {}): Promise<Emulator> {
  return startEmulator({ ...options, port: 0 });
}

let channelCounter = 0;

/** A channel name nobody else in this run uses; the `ai` namespace has appends enabled. */
export function uniqueChannelName(namespace = 'ai'): string {
  channelCounter++;
  return `${namespace}:${Math.random().toString(36).slice(2, 8)}-${channelCounter}`;
}

const clients = new Set<Ably.Realtime>();

/** A real SDK client against the emulator; closed by {@link closeClients}. */
export function makeClient(emulator: Emulator, options: Partial<Ably.ClientOptions> = {}): Ably.Realtime {
  const client = new Ably.Realtime({
    ...(emulator.clientOptions({ clientId: 'viewer' }) as Ably.ClientOptions),
    ...options,
  });
  clients.add(client);
  return client;
}

/** Close every client made by {@link makeClient}. */
export function closeClients(): void {
  for (const client of clients) {
    try {
      client.close();
    } catch {
      // Already closed.
    }
  }
  clients.clear();
}

/** Close one client now (a page going away). */
export function closeClient(client: Ably.Realtime): void {
  clients.delete(client);
  client.close();
}

/** Words like a model would produce them: the text is their exact concatenation. */
export function makeTokens(count: number, seed = 1): string[] {
  const words = ['alpha', 'beta', 'gamma', 'delta', 'épsilon', 'zeta', '**eta**', 'θ', '\n', '`iota`', '🙂'];
  const tokens: string[] = [];
  let state = seed >>> 0 || 1;
  for (let i = 0; i < count; i++) {
    state = (state * 1_103_515_245 + 12_345) >>> 0;
    tokens.push(`${words[state % words.length]} `);
  }
  return tokens;
}

/** A text stream that yields `tokens` with `delayMs` between them and can be held at a gate. */
export function pacedTokens(tokens: readonly string[], delayMs: number): AsyncIterable<string> {
  return {
    async *[Symbol.asyncIterator]() {
      for (const token of tokens) {
        if (delayMs > 0) await sleep(delayMs);
        yield token;
      }
    },
  };
}

/** A text stream that yields the tokens it is given, until ended: the test drives it by hand. */
export function manualTokens() {
  const queue: string[] = [];
  let ended = false;
  let wake: (() => void) | undefined;
  const stream: AsyncIterable<string> = {
    async *[Symbol.asyncIterator]() {
      while (true) {
        while (queue.length > 0) yield queue.shift()!;
        if (ended) return;
        await new Promise<void>((resolve) => {
          wake = resolve;
        });
      }
    },
  };
  return {
    stream,
    push(...tokens: string[]) {
      queue.push(...tokens);
      wake?.();
    },
    end() {
      ended = true;
      wake?.();
    },
  };
}

/** Agents publish with Ably's default append rollup window (40 ms), as they would in production. */
export const AGENT_TRANSPORT_PARAMS = { appendRollupWindow: 40 };

/** An agent: its own client, streaming into `channelName` with `pattern`. */
export function makeAgent(emulator: Emulator, channelName: string) {
  const client = makeClient(emulator, {
    clientId: 'agent',
    echoMessages: false,
    transportParams: AGENT_TRANSPORT_PARAMS,
  });
  const channel = client.channels.get(channelName);
  return {
    client,
    channel,
    stream(text: AsyncIterable<string>, pattern: ResponsePattern, responseId?: string): Promise<StreamResult> {
      return streamResponse(channel, text, { pattern, ...(responseId ? { responseId } : {}) });
    },
  };
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** Wait for an element's text content to equal `expected` (the rendered text, exactly). */
export async function waitForText(get: () => HTMLElement | null, expected: string, timeout = 15_000): Promise<void> {
  await waitFor(
    () => {
      const element = get();
      if (!element) throw new Error('element not rendered');
      if (element.textContent !== expected) {
        throw new Error(`text is ${JSON.stringify(element.textContent)}, expected ${JSON.stringify(expected)}`);
      }
    },
    { timeout, interval: 20 },
  );
}

/** Wait until `predicate` holds. */
export async function waitUntil(predicate: () => boolean, timeout = 15_000, what = 'condition'): Promise<void> {
  await waitFor(
    () => {
      if (!predicate()) throw new Error(`timed out waiting for ${what}`);
    },
    { timeout, interval: 20 },
  );
}
