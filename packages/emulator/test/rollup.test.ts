import type * as Ably from 'ably';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { type Emulator, startEmulator } from '../src/index.js';
import { Clients, uniqueChannel, waitFor } from './helpers.js';

let emulator: Emulator;
const clients = new Clients(() => emulator);
beforeAll(async () => {
  emulator = await startEmulator({ port: 0 });
});
afterEach(() => clients.closeAll());
afterAll(() => emulator.stop());

/** Small seeded PRNG (mulberry32) so a failing schedule can be replayed. */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Rebuilds one message's text the way a correct client does: a snapshot or update replaces, an append
 * concatenates, anything at or below the version already applied is ignored.
 */
class Rebuilder {
  text = '';
  version = '';
  apply(message: Ably.InboundMessage | Ably.Message): void {
    const version = message.version?.serial ?? message.serial ?? '';
    if (version <= this.version) return;
    const data = typeof message.data === 'string' ? message.data : '';
    this.text = message.action === 'message.append' ? this.text + data : data;
    this.version = version;
  }
}

type ObserverKind = 'rewind' | 'history' | 'getMessage';

/** A client that joins mid-stream and rebuilds the response from a snapshot plus the live messages after it. */
async function observe(kind: ObserverKind, channelName: string, serial: string): Promise<Rebuilder> {
  const client = clients.realtime({ format: kind === 'history' ? 'json' : 'msgpack' });
  const rebuilt = new Rebuilder();
  const onMessage = (message: Ably.InboundMessage) => {
    if (message.serial === serial) rebuilt.apply(message);
  };
  if (kind === 'rewind') {
    await client.channels.get(channelName, { params: { rewind: '1' } }).subscribe(onMessage);
    return rebuilt;
  }
  // Subscribe first, hold live messages until the snapshot is in, then apply the snapshot and the held ones.
  const channel = client.channels.get(channelName);
  const held: Ably.InboundMessage[] = [];
  let live = false;
  await channel.subscribe((message) => (live ? onMessage(message) : held.push(message)));
  if (kind === 'history') {
    const page = await channel.history({ limit: 10 });
    for (const message of page.items) if (message.serial === serial) rebuilt.apply(message);
  } else {
    rebuilt.apply(await channel.getMessage(serial));
  }
  for (const message of held) onMessage(message);
  live = true;
  return rebuilt;
}

describe('append rollup and late joiners', () => {
  it.each([40, 100])(
    'every late joiner rebuilds exactly the published text (rollup %i ms)',
    async (rollupWindow) => {
      // Each round alone caught the duplicated-fragment bug on every run before snapshots settled rollups.
      for (let round = 0; round < 2; round++) {
        const random = prng(rollupWindow * 1000 + round);
        const name = uniqueChannel('ai:rollup');
        const publisher = clients.realtime({
          format: 'msgpack',
          transportParams: { appendRollupWindow: rollupWindow },
        });
        const channel = publisher.channels.get(name);
        const { serials } = await channel.publish({ name: 'response', data: '' });
        const serial = serials[0] as string;
        const kinds: ObserverKind[] = ['rewind', 'history', 'getMessage'];
        const observers: Array<Promise<Rebuilder>> = [];
        let published = '';
        const appends: Array<Promise<unknown>> = [];
        for (let i = 0; i < 60; i++) {
          const fragment = `<${i}:${Math.floor(random() * 1000)}>`;
          published += fragment;
          // Appends are pipelined like a streaming agent does; awaiting each would serialise them with the ACKs.
          appends.push(channel.appendMessage({ serial, data: fragment }));
          if (random() < 0.15)
            observers.push(observe(kinds[Math.floor(random() * kinds.length)] as ObserverKind, name, serial));
          await pause(Math.floor(random() * 12));
        }
        await Promise.all(appends);
        const joined = await Promise.all(observers);
        const final = await clients.rest({ format: 'json' }).channels.get(name).getMessage(serial);
        expect(final.data).toBe(published);
        const finalVersion = final.version?.serial as string;
        for (const rebuilt of joined) {
          await waitFor(() => rebuilt.version >= finalVersion, 10_000, 'the final version to reach every observer');
          expect(rebuilt.text).toBe(published);
        }
        clients.closeAll();
      }
    },
    60_000,
  );
});
