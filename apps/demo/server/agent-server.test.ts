import { createResponseStore } from '@resumable/core';
import * as Ably from 'ably';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type AgentServer, startAgentServer } from './agent-server.js';
import { type Backend, startBackend } from './backend.js';
import { pickAnswer } from './canned-answers.js';
import { ConversationStore } from './conversation-store.js';
import { tokenize } from './simulated-model.js';

let backend: Backend;
let server: AgentServer;
const clients: Ably.Realtime[] = [];

beforeAll(async () => {
  backend = await startBackend({});
  server = await startAgentServer({ ...backend, backend: backend.kind, store: await ConversationStore.open() });
});
afterAll(async () => {
  for (const client of clients) client.close();
  await server?.close();
  await backend?.stop();
});

const api = (path: string, init?: RequestInit) =>
  fetch(`${server.url}${path}`, { ...init, headers: init?.body ? { 'content-type': 'application/json' } : {} });

/** A client that authenticates the way the browser does: a token request signed by the agent server. */
function browserClient(channelName: string): Ably.Realtime {
  const client = new Ably.Realtime({
    ...backend.browserAblyOptions,
    logLevel: 0,
    authCallback: (_params, callback) => {
      api(`/api/token?channel=${encodeURIComponent(channelName)}`)
        .then((res) => res.json())
        .then(
          (tokenRequest: Ably.TokenRequest) => callback(null, tokenRequest),
          (error) => callback(String(error), null),
        );
    },
  });
  clients.push(client);
  return client;
}

/** A client with the agent's key (it can publish), standing for the agent or another browser. */
function keyClient(): Ably.Realtime {
  const client = new Ably.Realtime({ ...backend.agentAblyOptions, logLevel: 0 });
  clients.push(client);
  return client;
}

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

async function waitForCompletion(responseId: string): Promise<{ status: string; text: string; tokens: number }> {
  for (let i = 0; i < 400; i++) {
    const report = (await (await api(`/api/responses/${responseId}`)).json()) as {
      status: string;
      text: string;
      tokens: number;
    };
    if (report.status !== 'streaming') return report;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error('the response did not finish');
}

describe('agent server', () => {
  it('hands browsers a token that can only subscribe to and read the history of their conversation', async () => {
    const body = (await (await api('/api/token?channel=ai:conv-a')).json()) as Ably.TokenRequest;
    expect(JSON.parse(body.capability as string)).toEqual({ 'ai:conv-a': ['history', 'subscribe'] });
    expect(JSON.stringify(body)).not.toContain(backend.agentAblyOptions.key!.split(':')[1]!);

    const client = browserClient('ai:conv-a');
    const channel = client.channels.get('ai:conv-a');
    await channel.attach();
    await expect(channel.publish('response', 'not allowed')).rejects.toMatchObject({ code: 40160 });
    await expect(client.channels.get('ai:someone-else').attach()).rejects.toMatchObject({ code: 40160 });
  });

  it('refuses token requests for channels outside the demo namespace, with a hint', async () => {
    const res = await api('/api/token?channel=other:conv');
    expect(res.status).toBe(400);
    expect(await res.json()).toMatchObject({ code: 40106, hint: expect.stringContaining('ai:') });
  });

  it('rejects bad messages with a code and a hint', async () => {
    const post = (body: unknown) =>
      api('/api/conversations/conv-b/messages', { method: 'POST', body: JSON.stringify(body) });
    expect(await (await post({ prompt: '  ' })).json()).toMatchObject({ code: 40106, message: 'The message is empty' });
    expect((await post({ prompt: 'x'.repeat(501) })).status).toBe(400);
    expect(await (await post({ prompt: 'hi', pattern: 'bogus' })).json()).toMatchObject({ code: 40106 });
    expect(await (await post({ prompt: 'hi', tokensPerSecond: -1 })).json()).toMatchObject({ code: 40106 });
    expect((await api('/api/conversations/bad%20id/messages', { method: 'POST', body: '{}' })).status).toBe(400);
    expect((await api('/api/conversations/conv-b/messages', { method: 'POST', body: '[1,2]' })).status).toBe(400);
    expect((await api('/api/nothing')).status).toBe(404);
  });

  for (const pattern of ['message-per-response', 'message-per-token'] as const) {
    it(`streams the simulated model into the channel (${pattern}) and keeps the completed answer as the seed`, async () => {
      const conversation = `conv-${pattern}`;
      const prompt = 'compare websockets and sse';
      const res = await api(`/api/conversations/${conversation}/messages`, {
        method: 'POST',
        body: JSON.stringify({ prompt, pattern, tokensPerSecond: 2000, rollupWindowMs: 20 }),
      });
      expect(res.status).toBe(202);
      const { responseId } = (await res.json()) as { responseId: string };
      const report = await waitForCompletion(responseId);
      const expected = pickAnswer(prompt).text;
      expect(report).toMatchObject({ status: 'complete', text: expected, tokens: tokenize(expected).length });

      // What a browser rebuilds from the channel's history equals the model's text exactly.
      const channel = browserClient(`ai:${conversation}`).channels.get(`ai:${conversation}`);
      const store = createResponseStore();
      let page: Ably.PaginatedResult<Ably.InboundMessage> | null = await channel.history({ limit: 1000 });
      while (page) {
        store.applyHistoryPage(page.items);
        page = page.hasNext() ? await page.next() : null;
      }
      const rebuilt = store.findByResponseId(responseId);
      expect(rebuilt).toMatchObject({ text: expected, status: 'complete', pattern });
      expect(rebuilt?.headers).toMatchObject({ prompt, model: 'simulated' });

      const seed = (await (await api(`/api/conversations/${conversation}`)).json()) as {
        responses: { text: string }[];
      };
      expect(seed.responses.map((response) => response.text)).toEqual([expected]);
    });
  }

  it('cancels a response on request and records it as cancelled', async () => {
    const res = await api('/api/conversations/conv-c/messages', {
      method: 'POST',
      body: JSON.stringify({ prompt: 'write a debounce function', tokensPerSecond: 20 }),
    });
    const { responseId } = (await res.json()) as { responseId: string };
    expect((await api(`/api/responses/${responseId}/cancel`, { method: 'POST', body: '{}' })).status).toBe(202);
    expect((await waitForCompletion(responseId)).status).toBe('cancelled');
  });

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
