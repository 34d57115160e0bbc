import type * as Ably from 'ably';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { type Emulator, startEmulator } from '../src/index.js';
import { Clients, collect, formats, rawConnection, sleep, uniqueChannel, waitFor } from './helpers.js';

let emulator: Emulator;
const clients = new Clients(() => emulator);
beforeAll(async () => {
  emulator = await startEmulator({ port: 0 });
});
afterEach(() => clients.closeAll());
afterAll(() => emulator.stop());

const FILTER = 'name == `"ice-cream"` && headers.flavor == `"strawberry"` && headers.cost < `50`';

describe.each(formats)('subscription filters over %s', (format) => {
  it('delivers only the messages a derived channel filter selects (JMESPath over name and headers)', async () => {
    const name = uniqueChannel();
    const client = clients.realtime({ format });
    const filtered = client.channels.getDerived(name, { filter: FILTER });
    const received = await collect(filtered);
    const all = await collect(client.channels.get(name));
    const publisher = clients.rest({ format }).channels.get(name);
    await publisher.publish([
      { name: 'ice-cream', data: 'yes', extras: { headers: { flavor: 'strawberry', cost: 35 } } },
      { name: 'ice-cream', data: 'too dear', extras: { headers: { flavor: 'strawberry', cost: 80 } } },
      { name: 'ice-cream', data: 'wrong flavour', extras: { headers: { flavor: 'mint', cost: 10 } } },
      { name: 'sorbet', data: 'wrong name', extras: { headers: { flavor: 'strawberry', cost: 10 } } },
      { name: 'ice-cream', data: 'no headers' },
    ]);
    await publisher.publish({
      name: 'ice-cream',
      data: 'also yes',
      extras: { headers: { flavor: 'strawberry', cost: 1 } },
    });
    await waitFor(() => all.length === 6, 5000, 'unfiltered');
    await waitFor(() => received.length === 2, 5000, 'filtered');
    await sleep(50);
    expect(received.map((m) => m.data)).toEqual(['yes', 'also yes']);
    expect(filtered.name).toMatch(/^\[filter=/);
  });

  it('refuses publishing, presence and rewind on a derived channel, and an invalid expression', async () => {
    const name = uniqueChannel();
    const client = clients.realtime({ format, clientId: 'alice' });
    const filtered = client.channels.getDerived(name, { filter: 'name == `"x"`' });
    await filtered.attach();
    expect(filtered.modes).not.toContain('publish');
    expect(filtered.modes).not.toContain('presence');
    await expect(filtered.publish('x', 'y')).rejects.toMatchObject({ code: 40000 });
    await expect(filtered.presence.enter('here')).rejects.toMatchObject({ code: 40000 });
    const unattached = client.channels.getDerived(uniqueChannel(), { filter: 'name == `"x"`' });
    await expect(unattached.publish('x', 'y')).rejects.toMatchObject({ code: 40000 });
    const rewound = client.channels.getDerived(
      uniqueChannel(),
      { filter: 'name == `"x"`' },
      { params: { rewind: '1' } },
    );
    await expect(rewound.attach()).rejects.toMatchObject({ code: 40000 });
    const invalid = client.channels.getDerived(uniqueChannel(), { filter: 'name == ' });
    await expect(invalid.attach()).rejects.toMatchObject({ code: 40000 });
    expect(invalid.errorReason?.message).toContain('Invalid subscription filter');
  });
});

describe.each(formats)('delta compression over %s', (format) => {
  it('refuses params.delta with 40000 and a hint instead of ignoring it', async () => {
    const client = clients.realtime({ format });
    const channel = client.channels.get(uniqueChannel(), { params: { delta: 'vcdiff' } });
    const error = (await channel.attach().catch((e: Ably.ErrorInfo) => e)) as Ably.ErrorInfo;
    expect(error.code).toBe(40000);
    expect(error.message).toContain('Delta compression');
    expect(channel.state).toBe('failed');
  });
});

describe('qualifiers', () => {
  it('refuses a qualifier the emulator does not implement (40010)', async () => {
    const raw = await rawConnection(emulator, `key=${encodeURIComponent(emulator.key)}&format=json&v=6`);
    await raw.next(4);
    raw.send({ action: 10, channel: '[meta]channel.lifecycle' });
    const error = await raw.next(9);
    expect(error).toMatchObject({ channel: '[meta]channel.lifecycle', error: { code: 40010 } });
    raw.close();
  });
});
