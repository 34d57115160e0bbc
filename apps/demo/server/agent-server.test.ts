import {
  type ConversationResponse,
  createConversationStore,
  publishCancel,
  publishRegenerate,
  publishTurn,
} from '@resumable/core';
import * as Ably from 'ably';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MAX_PROMPT_LENGTH } from '../src/conversation.js';
import { type AgentServer, startAgentServer } from './agent-server.js';
import { type Backend, startBackend } from './backend.js';
import { ConversationRecords } from './conversation-records.js';
import { openDatabase, type SqlDatabase } from './database.js';
import { planAnswer } from './simulated-answer.js';

let backend: Backend;
let server: AgentServer;
let db: SqlDatabase;
const clients: Ably.Realtime[] = [];

beforeAll(async () => {
  backend = await startBackend({});
  db = await openDatabase();
  server = await startAgentServer({ ...backend, backend: backend.kind, records: await ConversationRecords.open(db) });
});
afterAll(async () => {
  for (const client of clients) client.close();
  await server?.close();
  await backend?.stop();
  await db?.close();
});

const api = (path: string, init?: RequestInit) =>
  fetch(`${server.url}${path}`, { ...init, headers: init?.body ? { 'content-type': 'application/json' } : {} });

/** A client that authenticates the way the browser does: a token request signed by the agent server. */
function browserClient(channelName: string, clientId = 'ann'): Ably.Realtime {
  const client = new Ably.Realtime({
    ...backend.browserAblyOptions,
    logLevel: 0,
    authCallback: (_params, callback) => {
      api(`/api/token?channel=${encodeURIComponent(channelName)}&clientId=${clientId}`)
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

/** A browser's view of a conversation: the kit's conversation store on the live channel. */
async function watchConversation(conversationId: string, clientId = 'ann') {
  const channel = browserClient(`ai:${conversationId}`, clientId).channels.get(`ai:${conversationId}`);
  const store = createConversationStore();
  await channel.subscribe((message) => store.apply(message));
  const ended = (responseId: string) =>
    waitFor(() => {
      const response = store.getResponse(responseId);
      return response && ['complete', 'error', 'cancelled'].includes(response.status) ? response : undefined;
    }, `response ${responseId} to end`);
  return { channel, store, ended };
}

async function waitFor<T>(probe: () => T | undefined, what: string, ms = 20_000): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const value = probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`Timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

const setControls = (conversationId: string, controls: object) =>
  api(`/api/conversations/${conversationId}/controls`, { method: 'POST', body: JSON.stringify(controls) });

/** What the simulated model answers to `prompt`, as the parts a reader assembles (tool ids vary). */
function expectedParts(prompt: string) {
  const plan = planAnswer(prompt);
  const tool = { toolName: plan.tool.toolName };
  return [
    { kind: 'reasoning', text: plan.reasoning },
    { kind: 'tool-call', text: JSON.stringify(plan.tool.input), ...tool },
    { kind: 'tool-result', text: JSON.stringify(plan.tool.output), ...tool },
    { kind: 'text', text: plan.text },
  ];
}

const partsOf = (
  response:
    | Pick<ConversationResponse, 'parts'>
    | { parts: readonly { kind: string; text: string; toolName?: string }[] },
) =>
  response.parts.map((part) => ({
    kind: part.kind,
    text: part.text,
    ...(part.toolName ? { toolName: part.toolName } : {}),
  }));

interface SeedBody {
  responses: {
    responseId: string;
    errorReason?: string;
    turnId: string;
    status: string;
    cancelledBy?: string;
    text: string;
    user?: { text: string; clientId?: string };
    parts: { kind: string; text: string; toolName?: string }[];
  }[];
  inProgress: { responseId: string; tokens: number }[];
  controls: Record<string, unknown>;
}
const seedOf = async (conversationId: string) =>
  (await (await api(`/api/conversations/${conversationId}`)).json()) as SeedBody;

/** The conversation's seed once the answer is in the database (it is written right after it ends). */
async function storedSeed(conversationId: string, responseId: string): Promise<SeedBody> {
  for (let attempt = 0; attempt < 200; attempt++) {
    const seed = await seedOf(conversationId);
    if (seed.responses.some((response) => response.responseId === responseId)) return seed;
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
  throw new Error(`response ${responseId} was not stored`);
}

describe('agent server', () => {
  it('hands browsers a token for their conversation only: subscribe, history, and publish their turns', async () => {
    const body = (await (await api('/api/token?channel=ai:conv-a&clientId=ann')).json()) as Ably.TokenRequest;
    expect(JSON.parse(body.capability as string)).toEqual({ 'ai:conv-a': ['history', 'publish', 'subscribe'] });
    expect(body.clientId).toBe('ann');
    expect(JSON.stringify(body)).not.toContain(backend.agentAblyOptions.key!.split(':')[1]!);

    const client = browserClient('ai:conv-a');
    await expect(client.channels.get('ai:someone-else').attach()).rejects.toMatchObject({ code: 40160 });
    expect(await (await api('/api/token?channel=ai:conv-a&clientId=agent')).json()).toMatchObject({ code: 40106 });
  });

  it('refuses token requests for channels outside the demo namespace, with a hint', async () => {
    const res = await api('/api/token?channel=other:conv');
    expect(res.status).toBe(400);
    expect(await res.json()).toMatchObject({ code: 40106, hint: expect.stringContaining('ai:') });
  });

  it('rejects bad turns and controls with a code and a hint', async () => {
    const post = (body: unknown) =>
      api('/api/conversations/conv-b/turns', { method: 'POST', body: JSON.stringify(body) });
    const turn = { turnId: 't-1', responseId: 'r-1' };
    expect(await (await post({ ...turn, text: '  ' })).json()).toMatchObject({
      code: 40106,
      message: 'The message is empty',
    });
    expect((await post({ ...turn, text: 'x'.repeat(MAX_PROMPT_LENGTH + 1) })).status).toBe(400);
    expect(await (await post({ text: 'hi', turnId: 'a b', responseId: 'r' })).json()).toMatchObject({ code: 40106 });
    expect(await (await post({ ...turn, text: 'hi', headers: { turnId: 'x' } })).json()).toMatchObject({ code: 40106 });
    expect(await (await setControls('conv-b', { pattern: 'bogus' })).json()).toMatchObject({ code: 40106 });
    expect(await (await setControls('conv-b', { tokensPerSecond: -1 })).json()).toMatchObject({ code: 40106 });
    expect(await (await setControls('conv-b', { colour: 'red' })).json()).toMatchObject({ code: 40106 });
    expect((await api('/api/conversations/bad%20id/turns', { method: 'POST', body: '{}' })).status).toBe(400);
    expect((await api('/api/conversations/conv-b/turns', { method: 'POST', body: '[1,2]' })).status).toBe(400);
    expect((await api('/api/nothing')).status).toBe(404);
  });

  for (const pattern of ['message-per-response', 'message-per-token'] as const) {
    it(`answers a turn a browser publishes with reasoning, a tool call, its result and text (${pattern}), and stores it`, async () => {
      const conversation = `conv-${pattern}`;
      expect(
        (await setControls(conversation, { pattern, tokensPerSecond: 2000, rollupWindowMs: 20, toolDelayMs: 50 }))
          .status,
      ).toBe(200);
      const prompt = 'what is the weather in Lisbon';
      const reader = await watchConversation(conversation);
      const { turnId, responseId } = await publishTurn(reader.channel, { text: prompt });
      const response = await reader.ended(responseId);
      expect(response).toMatchObject({ status: 'complete', turnId, pattern, text: planAnswer(prompt).text });
      expect(partsOf(response)).toEqual(expectedParts(prompt));

      // The database holds the same turn: the user's message and every part, exactly.
      const stored = await storedSeed(conversation, responseId);
      const [record] = stored.responses;
      expect(record).toMatchObject({ responseId, turnId, status: 'complete', user: { text: prompt, clientId: 'ann' } });
      expect(partsOf(record!)).toEqual(expectedParts(prompt));
      expect(stored.inProgress).toEqual([]);
    });
  }

  it('answers a turn too long to take with an error that says why, kept in the database', async () => {
    const conversation = 'conv-too-long';
    const reader = await watchConversation(conversation);
    const { responseId } = await publishTurn(reader.channel, { text: 'x'.repeat(MAX_PROMPT_LENGTH + 1) });
    const response = await reader.ended(responseId);
    expect(response).toMatchObject({ status: 'error', errorReason: expect.stringContaining('shorter') });
    const stored = await storedSeed(conversation, responseId);
    expect(stored.responses[0]).toMatchObject({ status: 'error', errorReason: response.errorReason });
  });

  it('publishes a turn sent over HTTP once, however often it is sent', async () => {
    const conversation = 'conv-http';
    await setControls(conversation, { tokensPerSecond: 2000, toolDelayMs: 0 });
    const reader = await watchConversation(conversation);
    const body = JSON.stringify({
      turnId: 'turn-http-1',
      responseId: 'resp-http-1',
      text: 'what is 6 * 7',
      headers: { app: 'x' },
    });
    const posts = await Promise.all(
      [1, 2, 3].map(() => api(`/api/conversations/${conversation}/turns`, { method: 'POST', body })),
    );
    expect(posts.map((res) => res.status).sort()).toEqual([200, 200, 202]);
    const response = await reader.ended('resp-http-1');
    expect(response.text).toBe('`6 * 7` = **42**');
    const again = await api(`/api/conversations/${conversation}/turns`, { method: 'POST', body });
    expect(await again.json()).toMatchObject({ duplicate: true });
    expect(reader.store.getSnapshot().turns.map((turn) => turn.user?.text)).toEqual(['what is 6 * 7']);
    expect(reader.store.getSnapshot().turns[0]?.responses).toHaveLength(1);
  });

  it('a cancel published by another browser stops the answer; both see it cancelled by that browser, and so does the database', async () => {
    const conversation = 'conv-cancel';
    await setControls(conversation, { tokensPerSecond: 2000, pauseAfterTokens: 5 });
    const ann = await watchConversation(conversation, 'ann');
    const bob = await watchConversation(conversation, 'bob');
    const { responseId } = await publishTurn(ann.channel, { text: 'write a debounce function' });
    await waitFor(
      () => ((bob.store.getResponse(responseId)?.parts.length ?? 0) > 0 ? true : undefined),
      'the first part',
    );
    const stoppedAt = performance.now();
    await publishCancel(bob.channel, { responseId });
    const [seenByAnn, seenByBob] = await Promise.all([ann.ended(responseId), bob.ended(responseId)]);
    const cancelMs = performance.now() - stoppedAt;
    console.log(`[measure] cancel published → cancelled end seen by both browsers: ${cancelMs.toFixed(0)} ms`);
    for (const seen of [seenByAnn, seenByBob]) expect(seen).toMatchObject({ status: 'cancelled', cancelledBy: 'bob' });
    const stored = await storedSeed(conversation, responseId);
    expect(stored.responses[0]).toMatchObject({ responseId, status: 'cancelled', cancelledBy: 'bob' });
    expect(partsOf(stored.responses[0]!)).toEqual(partsOf(seenByAnn));
    // The model was held when it was stopped: unpause for the next tests of this conversation.
    expect(stored.controls).toMatchObject({ paused: true });
  });

  it('regenerates a turn, also one answered before the pattern changed (a new answerTurns that never saw it)', async () => {
    const conversation = 'conv-regenerate';
    await setControls(conversation, { tokensPerSecond: 2000, toolDelayMs: 0 });
    const reader = await watchConversation(conversation);
    const { turnId, responseId } = await publishTurn(reader.channel, { text: 'what is 1 + 2' });
    await reader.ended(responseId);
    const second = await publishRegenerate(reader.channel, { turnId });
    await reader.ended(second.responseId);
    await storedSeed(conversation, second.responseId);
    expect((await setControls(conversation, { pattern: 'message-per-token' })).status).toBe(200);
    const third = await publishRegenerate(reader.channel, { turnId });
    expect(await reader.ended(third.responseId)).toMatchObject({ status: 'complete', pattern: 'message-per-token' });
    const [turn, ...others] = reader.store.getSnapshot().turns;
    expect(others).toEqual([]);
    expect(turn?.user?.text).toBe('what is 1 + 2');
    expect(turn?.responses.map((response) => [response.text, response.status])).toEqual([
      ['`1 + 2` = **3**', 'complete'],
      ['`1 + 2` = **3**', 'complete'],
      ['`1 + 2` = **3**', 'complete'],
    ]);
    const stored = await storedSeed(conversation, third.responseId);
    expect(stored.responses.map((response) => response.turnId)).toEqual([turnId, turnId, turnId]);
  });

  it('refuses a pattern change while an answer streams', async () => {
    const conversation = 'conv-busy';
    await setControls(conversation, { pauseAfterTokens: 1 });
    const reader = await watchConversation(conversation);
    const { responseId } = await publishTurn(reader.channel, { text: 'hello' });
    await waitFor(() => reader.store.getResponse(responseId)?.parts.length || undefined, 'the first part');
    const refused = await setControls(conversation, { pattern: 'message-per-token' });
    expect(refused.status).toBe(409);
    expect(await refused.json()).toMatchObject({ code: 40900, hint: expect.stringContaining('stop it') });
    await publishCancel(reader.channel, { responseId });
    expect(await reader.ended(responseId)).toMatchObject({ status: 'cancelled', cancelledBy: 'ann' });
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
