import { describe, expect, it, vi } from 'vitest';
import { createConversationStore } from './conversation-store.js';
import { createImmediateScheduler } from './schedulers.js';
import {
  append,
  create,
  makeConversationStore,
  partHeaders,
  requestMessage,
  start,
  stop,
  token,
  turnMessage,
} from './test-utils/conversation-messages.js';
import { serialAt } from './test-utils/messages.js';

const s = serialAt;

const makeStore = makeConversationStore;

describe('conversation store', () => {
  it('builds a turn with a multi-part message-per-response answer: reasoning, tool call, tool result, text', () => {
    const { store } = makeStore();
    store.apply(turnMessage({ serial: s(1), turnId: 't1', text: 'Weather in Paris?', responseId: 'r1' }));
    expect(store.getResponse('r1')?.status).toBe('submitted');
    const h = (part: number, kind: string, extra?: Record<string, string>) => ({
      responseId: 'r1',
      headers: partHeaders('t1', part, kind, extra),
    });
    store.apply(create({ serial: s(2), ...h(0, 'reasoning') }));
    store.apply(append({ serial: s(2), version: s(3), data: 'Look it up.', ...h(0, 'reasoning') }));
    expect(store.getResponse('r1')?.status).toBe('streaming');
    const tool = { toolCallId: 'c1', toolName: 'weather' };
    store.apply(create({ serial: s(4), ...h(1, 'tool-call', tool) }));
    store.apply(append({ serial: s(4), version: s(5), data: '{"city":', ...h(1, 'tool-call', tool) }));
    store.apply(append({ serial: s(4), version: s(6), data: '"Paris"}', ...h(1, 'tool-call', tool) }));
    store.apply(create({ serial: s(7), data: '{"c":18}', ...h(2, 'tool-result', tool) }));
    store.apply(create({ serial: s(8), data: 'It is 18 °C.', ...h(3, 'text') }));
    store.apply(append({ serial: s(8), version: s(9), data: '', status: 'complete', ...h(3, 'text') }));

    const [turn] = store.getSnapshot().turns;
    expect(turn?.user).toMatchObject({ turnId: 't1', text: 'Weather in Paris?', clientId: 'user' });
    const response = turn!.responses[0]!;
    expect(response).toMatchObject({ responseId: 'r1', turnId: 't1', status: 'complete', text: 'It is 18 °C.' });
    expect(response.parts.map((part) => [part.index, part.kind, part.done])).toEqual([
      [0, 'reasoning', true],
      [1, 'tool-call', true],
      [2, 'tool-result', true],
      [3, 'text', true],
    ]);
    expect(response.parts[1]).toMatchObject({ toolCallId: 'c1', toolName: 'weather', value: { city: 'Paris' } });
    expect(response.parts[2]).toMatchObject({ value: { c: 18 } });
  });

  it('message-per-token parts by their part index, one stop for the response', () => {
    const { store } = makeStore();
    store.apply(turnMessage({ serial: s(1), turnId: 't1', text: 'hi' }));
    store.apply(start({ serial: s(2), responseId: 'r1', headers: { turnId: 't1' } }));
    store.apply(token({ serial: s(3), responseId: 'r1', data: 'think', headers: partHeaders('t1', 0, 'reasoning') }));
    store.apply(token({ serial: s(5), responseId: 'r1', data: 'lo', headers: partHeaders('t1', 1, 'text') }));
    store.apply(token({ serial: s(4), responseId: 'r1', data: 'Hel', headers: partHeaders('t1', 1, 'text') }));
    expect(store.getResponse('r1')?.parts.map((part) => part.done)).toEqual([true, false]);
    store.apply(stop({ serial: s(6), responseId: 'r1', status: 'complete', headers: { turnId: 't1' } }));
    const response = store.getResponse('r1')!;
    expect(response.parts.map((part) => [part.kind, part.text])).toEqual([
      ['reasoning', 'think'],
      ['text', 'Hello'],
    ]);
    expect(response.status).toBe('complete');
    expect(response.incomplete).toBeUndefined();
  });

  it('a turn sent twice with the same id appears once', () => {
    const { store, diagnostics } = makeStore();
    store.apply(turnMessage({ serial: s(2), turnId: 't1', text: 'hi' }));
    store.apply(turnMessage({ serial: s(1), turnId: 't1', text: 'hi' }));
    expect(store.getSnapshot().turns).toHaveLength(1);
    expect(diagnostics.map((d) => d.kind)).toEqual(['duplicate']);
  });

  it('regenerate adds a sibling; cancel ends with who cancelled it', () => {
    const { store } = makeStore();
    store.apply(turnMessage({ serial: s(1), turnId: 't1', text: 'joke?', responseId: 'r1' }));
    store.apply(create({ serial: s(2), responseId: 'r1', data: 'A joke', headers: { turnId: 't1' } }));
    store.apply(
      append({ serial: s(2), version: s(3), responseId: 'r1', status: 'complete', headers: { turnId: 't1' } }),
    );
    store.apply(requestMessage('regenerate', { serial: s(4), turnId: 't1', responseId: 'r2' }));
    expect(store.getSnapshot().turns[0]!.responses.map((r) => [r.responseId, r.status])).toEqual([
      ['r1', 'complete'],
      ['r2', 'submitted'],
    ]);
    store.apply(create({ serial: s(5), responseId: 'r2', data: 'Another', headers: { turnId: 't1' } }));
    store.apply(requestMessage('cancel', { serial: s(6), responseId: 'r2', clientId: 'ann' }));
    expect(store.getResponse('r2')).toMatchObject({ status: 'streaming', cancelRequestedBy: 'ann' });
    store.apply(
      append({
        serial: s(5),
        version: s(7),
        responseId: 'r2',
        headers: { turnId: 't1' },
        status: 'cancelled',
      }),
    );
    expect(store.getResponse('r2')).toMatchObject({ status: 'cancelled', cancelledBy: 'ann' });
    expect(store.getResponse('r1')?.status).toBe('complete');
  });

  it('reads an old channel (text responses without turns) as turns of one response each', () => {
    const { store } = makeStore();
    store.apply(create({ serial: s(1), responseId: 'old', data: 'Hello' }));
    store.apply(start({ serial: s(2), responseId: 'tok' }));
    store.apply(token({ serial: s(3), responseId: 'tok', data: 'Hi' }));
    const turns = store.getSnapshot().turns;
    expect(turns.map((turn) => [turn.id, turn.user, turn.responses[0]?.text])).toEqual([
      ['response:old', undefined, 'Hello'],
      ['response:tok', undefined, 'Hi'],
    ]);
  });

  it('ignores foreign and malformed messages with a diagnostic, never showing them', () => {
    const { store, diagnostics } = makeStore();
    store.apply({ name: 'ai-transport-run', serial: s(1), action: 'message.create', data: { x: 1 } });
    store.apply(create({ serial: s(2), data: 'no responseId' }));
    store.apply(create({ serial: s(3), responseId: 'r1', data: 'x', headers: { part: 'one' } }));
    store.apply(create({ serial: s(4), responseId: 'r1', data: 'x', headers: { partKind: 'image' } }));
    store.apply(turnMessage({ serial: s(5), turnId: '', text: 'x' }));
    expect(() => store.apply(null)).not.toThrow();
    expect(store.getSnapshot().turns).toEqual([]);
    expect(diagnostics.map((d) => d.kind)).toEqual([
      'foreign',
      'foreign',
      'bad-headers',
      'bad-headers',
      'bad-headers',
      'bad-data',
    ]);
  });

  it('keeps identity: a token in one response leaves other turns and responses the same objects', () => {
    const { store } = makeStore();
    store.apply(turnMessage({ serial: s(1), turnId: 't1', text: 'a' }));
    store.apply(create({ serial: s(2), responseId: 'r1', data: 'one', headers: { turnId: 't1' } }));
    store.apply(turnMessage({ serial: s(3), turnId: 't2', text: 'b' }));
    store.apply(create({ serial: s(4), responseId: 'r2', data: 'two', headers: { turnId: 't2' } }));
    const before = store.getSnapshot();
    const calls: string[] = [];
    store.subscribeResponse('r1', () => calls.push('r1'));
    store.subscribeResponse('r2', () => calls.push('r2'));
    store.apply(append({ serial: s(4), version: s(5), data: '!', responseId: 'r2', headers: { turnId: 't2' } }));
    const after = store.getSnapshot();
    expect(after).not.toBe(before);
    expect(after.turns[0]).toBe(before.turns[0]);
    expect(after.turns[1]).not.toBe(before.turns[1]);
    expect(after.turns[1]!.user).toEqual(before.turns[1]!.user);
    expect(calls).toEqual(['r2']);
    expect(store.getSnapshot()).toBe(after);
  });

  it('a cancel naming the turn before its response exists applies to that response, not to a later regenerate', () => {
    const { store } = makeStore();
    store.apply(turnMessage({ serial: s(1), turnId: 't1', text: 'q', responseId: 'r1' }));
    store.apply(requestMessage('cancel', { serial: s(2), turnId: 't1', clientId: 'ann' }));
    expect(store.getResponse('r1')).toMatchObject({ status: 'submitted', cancelRequestedBy: 'ann' });
    store.apply(start({ serial: s(3), responseId: 'r1', headers: { turnId: 't1' } }));
    store.apply(stop({ serial: s(4), responseId: 'r1', status: 'cancelled', headers: { turnId: 't1' } }));
    expect(store.getResponse('r1')).toMatchObject({ status: 'cancelled', cancelledBy: 'ann' });
    store.apply(requestMessage('regenerate', { serial: s(5), turnId: 't1', responseId: 'r2' }));
    expect(store.getResponse('r2')).toMatchObject({ status: 'submitted', cancelRequestedBy: undefined });
  });

  it('a response that falls silent goes stale on the server clock, and streams again when messages resume', () => {
    vi.useFakeTimers();
    try {
      const store = createConversationStore({ scheduler: createImmediateScheduler(), staleAfterMs: 1000 });
      store.apply(create({ serial: s(1), responseId: 'r1', data: 'Hel', timestamp: 10_000, versionTimestamp: 10_000 }));
      expect(store.getResponse('r1')?.status).toBe('streaming');
      vi.advanceTimersByTime(1500);
      expect(store.getResponse('r1')?.status).toBe('stale');
      store.apply(append({ serial: s(1), version: s(2), data: 'lo', responseId: 'r1', versionTimestamp: 11_600 }));
      expect(store.getResponse('r1')).toMatchObject({ status: 'streaming', text: 'Hello' });
      store.dispose();
    } finally {
      vi.useRealTimers();
    }
  });
});
