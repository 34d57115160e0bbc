import type * as Ably from 'ably';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from './test-server.js';

let stack: TestServer;
beforeAll(async () => {
  stack = await startTestServer();
});
afterAll(async () => {
  await stack?.close();
});

const api = (path: string, init?: RequestInit) => stack.api(path, init);
const browserClient = (channelName: string) => stack.browserClient(channelName);
const keyClient = () => stack.keyClient();

async function waitUntil(predicate: () => boolean, what: string): Promise<void> {
  const deadline = Date.now() + 10_000;
  while (!predicate()) {
    if (Date.now() > deadline) throw new Error(`Timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

/** The next `connected` that is not the first connect. */
function reconnected(client: Ably.Realtime): Promise<Ably.ConnectionStateChange> {
  return new Promise((resolve) => {
    client.connection.on('connected', function listener(change) {
      if (change.previous === 'initialized') return;
      client.connection.off('connected', listener);
      resolve(change);
    });
  });
}

/** Every connection state change of a client from now on. */
function stateChanges(client: Ably.Realtime): Ably.ConnectionState[] {
  const states: Ably.ConnectionState[] = [];
  client.connection.on((change) => states.push(change.current));
  return states;
}

const postFault = async (kind: string, body: unknown) => {
  const res = await api(`/api/faults/${kind}`, { method: 'POST', body: JSON.stringify(body) });
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
};

// Timers may fire a millisecond or two early against Date.now(): lower bounds keep some slack.
const SLACK_MS = 50;

describe('agent server faults', () => {
  it('proxies faults to the emulator, and refuses unknown ones', async () => {
    const res = await api('/api/faults/delay', { method: 'POST', body: JSON.stringify({ ms: 0 }) });
    expect(res.status).toBe(200);
    expect((await api('/api/faults/explode', { method: 'POST', body: '{}' })).status).toBe(404);
    const missing = await api('/api/faults/disconnect', { method: 'POST', body: '{}' });
    expect(await missing.json()).toMatchObject({ code: 40106 });
    expect(await postFault('disconnect', { connectionId: 'x', ms: -1 })).toMatchObject({
      status: 400,
      body: { code: 40106 },
    });
    // A connection the emulator does not know: its not-found code comes through, with its message.
    const unknown = await postFault('disconnect', { connectionId: 'noSuchConnection', ms: 100 });
    expect(unknown).toMatchObject({ status: 404, body: { code: 40400 } });
    expect(unknown.body.message).toContain('noSuchConnection');
  });

  it('disconnect cuts off only the given client for ms; it resumes with every missed message while others keep receiving', async () => {
    const channelName = 'ai:conv-cut-off';
    const cut = browserClient(channelName);
    const agent = keyClient();
    const cutReceived: unknown[] = [];
    await cut.channels.get(channelName).subscribe((message) => {
      cutReceived.push(message.data);
    });
    const agentReceived: Array<{ data: unknown; cutState: Ably.ConnectionState }> = [];
    const agentChannel = agent.channels.get(channelName);
    await agentChannel.subscribe((message) => {
      agentReceived.push({ data: message.data, cutState: cut.connection.state });
    });
    await agentChannel.publish('m', 'before');
    await waitUntil(() => cutReceived.length === 1 && agentReceived.length === 1, 'the first message');
    const cutId = cut.connection.id;
    const agentStates = stateChanges(agent);

    const back = reconnected(cut);
    const cutAt = Date.now();
    expect(await postFault('disconnect', { connectionId: cutId, ms: 1500 })).toEqual({
      status: 200,
      body: { affected: 1 },
    });
    for (const n of [1, 2, 3]) await agentChannel.publish('m', `during ${n}`);
    await waitUntil(() => agentReceived.length === 4, 'the agent to receive during the cut-off');
    const change = await back;
    expect(Date.now() - cutAt).toBeGreaterThanOrEqual(1500 - SLACK_MS);
    expect(change.reason).toBeFalsy();
    expect(cut.connection.id).toBe(cutId);
    // The agent kept its connection and its deliveries while the browser was cut off.
    expect(agentReceived.some((m) => m.data === 'during 1' && m.cutState !== 'connected')).toBe(true);

    await agentChannel.publish('m', 'after');
    const expected = ['before', 'during 1', 'during 2', 'during 3', 'after'];
    await waitUntil(() => cutReceived.length >= 5 && agentReceived.length >= 5, 'the last message');
    await new Promise((resolve) => setTimeout(resolve, 100)); // a duplicate would show up here
    expect(cutReceived).toEqual(expected);
    expect(agentReceived.map((m) => m.data)).toEqual(expected);
    expect(agentStates).toEqual([]);
  });

  it('outage cuts off only the given client and discards its state: it reconnects without resume after ms', async () => {
    const channelName = 'ai:conv-outage';
    const cut = browserClient(channelName);
    const agent = keyClient();
    const channel = cut.channels.get(channelName);
    await channel.attach();
    await agent.channels.get(channelName).attach();
    const cutId = cut.connection.id;
    const agentId = agent.connection.id;
    const agentStates = stateChanges(agent);

    const reattached = new Promise<Ably.ChannelStateChange>((resolve) => channel.once('attached', resolve));
    const back = reconnected(cut);
    const cutAt = Date.now();
    expect(await postFault('outage', { connectionId: cutId, ms: 1000 })).toEqual({
      status: 200,
      body: { affected: 1 },
    });
    const change = await back;
    expect(Date.now() - cutAt).toBeGreaterThanOrEqual(1000 - SLACK_MS);
    expect(change.reason?.code).toBe(80008);
    expect(cut.connection.id).not.toBe(cutId);
    expect((await reattached).resumed).toBe(false);
    expect(agentStates).toEqual([]);
    expect(agent.connection.id).toBe(agentId);
  });
});
