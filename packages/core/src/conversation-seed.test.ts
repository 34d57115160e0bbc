import { describe, expect, it } from 'vitest';
import { createResponseStore } from './response-store.js';
import { createImmediateScheduler } from './schedulers.js';
import {
  append,
  create,
  makeConversationStore,
  partHeaders,
  start,
  stop,
  token,
  turnMessage,
} from './test-utils/conversation-messages.js';
import { serialAt } from './test-utils/messages.js';
import type { SeedResponse } from './types.js';

const s = serialAt;

const makeStore = makeConversationStore;

const stopped: SeedResponse = {
  responseId: 'r1',
  turnId: 't1',
  user: { text: 'Weather in Paris?', clientId: 'ana', createdAt: 1_000 },
  text: 'It is',
  parts: [
    { kind: 'reasoning', text: 'Look it up.' },
    { kind: 'tool-call', text: '{"city":"Paris"}', toolCallId: 'c1', toolName: 'weather' },
    { kind: 'tool-result', text: '{"c":18}', toolCallId: 'c1', toolName: 'weather' },
    { kind: 'text', text: 'It is' },
  ],
  status: 'cancelled',
  cancelledBy: 'ben',
  pattern: 'message-per-response',
  createdAt: 1_010,
};

describe('conversation seeds', () => {
  it('keep the user message, every part and how the response ended', () => {
    const { store } = makeStore();
    store.seed([stopped]);
    const [turn] = store.getSnapshot().turns;
    expect(turn?.user).toMatchObject({ turnId: 't1', text: 'Weather in Paris?', clientId: 'ana', createdAt: 1_000 });
    const response = turn!.responses[0]!;
    expect(response).toMatchObject({ responseId: 'r1', turnId: 't1', status: 'cancelled', cancelledBy: 'ben' });
    expect(response.seeded).toBe(true);
    expect(response.text).toBe('It is');
    expect(response.parts.map((part) => [part.index, part.kind, part.text, part.done])).toEqual([
      [0, 'reasoning', 'Look it up.', true],
      [1, 'tool-call', '{"city":"Paris"}', true],
      [2, 'tool-result', '{"c":18}', true],
      [3, 'text', 'It is', true],
    ]);
    expect(response.parts[1]).toMatchObject({ toolCallId: 'c1', toolName: 'weather', value: { city: 'Paris' } });
  });

  it('stay authoritative when the channel copy of the same turn and response arrives (history after the seed)', () => {
    const { store } = makeStore();
    store.seed([stopped]);
    store.apply(turnMessage({ serial: s(1), turnId: 't1', text: 'Weather in Paris?', responseId: 'r1' }));
    const h = (part: number, kind: string) => ({ responseId: 'r1', headers: partHeaders('t1', part, kind) });
    store.apply(create({ serial: s(2), data: 'Look it up.', ...h(0, 'reasoning') }));
    store.apply(create({ serial: s(3), data: 'It is', ...h(1, 'text') }));
    store.apply(append({ serial: s(3), version: s(4), data: ' sunny', ...h(1, 'text') }));
    const { turns } = store.getSnapshot();
    expect(turns).toHaveLength(1);
    expect(turns[0]!.responses).toHaveLength(1);
    expect(turns[0]!.responses[0]).toMatchObject({ status: 'cancelled', text: 'It is', cancelledBy: 'ben' });
  });

  it('keep an error reason, a per-token pattern, and order seeded turns by their times', () => {
    const { store } = makeStore();
    store.seed([
      {
        responseId: 'r2',
        turnId: 't2',
        user: { text: 'second', createdAt: 2_000 },
        text: 'Partial',
        status: 'error',
        errorReason: 'model overloaded',
        pattern: 'message-per-token',
        parts: [
          { kind: 'reasoning', text: 'Hmm' },
          { kind: 'text', text: 'Partial' },
        ],
        createdAt: 2_001,
      },
      { responseId: 'r1', turnId: 't1', user: { text: 'first', createdAt: 1_000 }, text: 'One', createdAt: 1_001 },
    ]);
    const { turns } = store.getSnapshot();
    expect(turns.map((turn) => turn.user?.text)).toEqual(['first', 'second']);
    expect(turns[1]!.responses[0]).toMatchObject({ status: 'error', errorReason: 'model overloaded' });
    expect(turns[1]!.responses[0]!.parts.map((part) => part.kind)).toEqual(['reasoning', 'text']);
    // Without parts, a seed is one text part that ended complete.
    expect(turns[0]!.responses[0]!.parts).toMatchObject([{ index: 0, kind: 'text', text: 'One', done: true }]);
    expect(turns[0]!.responses[0]!.status).toBe('complete');
  });

  it('put a live turn after the seeded ones and let a regenerated sibling join a seeded turn', () => {
    const { store } = makeStore();
    store.seed([stopped]);
    store.apply(turnMessage({ serial: s(10), turnId: 't1', text: 'Weather in Paris?', responseId: 'r1' }));
    store.apply(start({ serial: s(11), responseId: 'r9', headers: { turnId: 't1' } }));
    store.apply(token({ serial: s(12), responseId: 'r9', headers: { turnId: 't1' }, data: 'Sunny.' }));
    store.apply(stop({ serial: s(13), responseId: 'r9', headers: { turnId: 't1' }, status: 'complete' }));
    store.apply(turnMessage({ serial: s(14), turnId: 't2', text: 'And tomorrow?', responseId: 'r3' }));
    const { turns } = store.getSnapshot();
    expect(turns.map((turn) => turn.id)).toEqual(['t1', 't2']);
    expect(turns[0]!.responses.map((response) => [response.responseId, response.status])).toEqual([
      ['r1', 'cancelled'],
      ['r9', 'complete'],
    ]);
    expect(turns[1]!.responses[0]).toMatchObject({ responseId: 'r3', status: 'submitted' });
  });

  it('refuse malformed seeds with a bad-data diagnostic and keep the good ones', () => {
    const { store, diagnostics } = makeStore();
    store.seed([
      { responseId: 'bad-status', text: 'x', createdAt: 1, status: 'streaming' as never },
      { responseId: 'bad-part', text: 'x', createdAt: 1, parts: [{ kind: 'image' as never, text: 'x' }] },
      { responseId: '', text: 'x', createdAt: 1 },
      { responseId: 'good', text: 'fine', createdAt: 1 },
    ]);
    store.seed('not an array' as never);
    expect(store.getSnapshot().responses.map((response) => response.responseId)).toEqual(['good']);
    expect(diagnostics.map((d) => d.kind)).toEqual(['bad-data', 'bad-data', 'bad-data', 'bad-data']);
    expect(diagnostics[0]!.message).toMatch(/status must be complete, error or cancelled/);
  });
});

describe('response store seeds', () => {
  it('keep a seeded status and the joined text, whatever the parts', () => {
    const store = createResponseStore({ scheduler: createImmediateScheduler() });
    store.seed([stopped]);
    const [response] = store.getSnapshot().responses;
    expect(response).toMatchObject({ responseId: 'r1', status: 'cancelled', text: 'It is', seeded: true });
  });
});
