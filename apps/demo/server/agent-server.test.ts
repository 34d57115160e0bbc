import {
  type ConversationResponse,
  createConversationStore,
  publishCancel,
  publishRegenerate,
  publishTurn,
} from '@resumable/core';
import type * as Ably from 'ably';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MAX_PROMPT_LENGTH } from '../src/conversation.js';
import { planAnswer } from './simulated-answer.js';
import { startTestServer, type TestServer } from './test-server.js';

let stack: TestServer;
beforeAll(async () => {
  stack = await startTestServer();
});
afterAll(async () => {
  await stack?.close();
});

const api = (path: string, init?: RequestInit) => stack.api(path, init);
const browserClient = (channelName: string, clientId = 'ann') => stack.browserClient(channelName, clientId);

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
    expect(JSON.stringify(body)).not.toContain(stack.backend.agentAblyOptions.key!.split(':')[1]!);

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
});
