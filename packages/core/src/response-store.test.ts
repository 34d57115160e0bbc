import { afterEach, describe, expect, it, vi } from 'vitest';
import { createResponseStore, type ResponseStoreOptions } from './response-store.js';
import { createImmediateScheduler } from './schedulers.js';
import { append, create, fullText, remove, serialAt, start, stop, token, update } from './test-utils/messages.js';
import type { Diagnostic } from './types.js';

const s = serialAt;

function makeStore(options: ResponseStoreOptions = {}) {
  const diagnostics: Diagnostic[] = [];
  const store = createResponseStore({
    scheduler: createImmediateScheduler(),
    onDiagnostic: (d) => diagnostics.push(d),
    ...options,
  });
  return { store, diagnostics };
}

afterEach(() => {
  vi.useRealTimers();
});

describe('message-per-response', () => {
  it('builds a response from create and appends, keyed by serial', () => {
    const { store } = makeStore();
    store.apply(create({ serial: s(1), responseId: 'r1' }));
    store.apply(append({ serial: s(1), version: s(2), data: 'Hel', responseId: 'r1' }));
    store.apply(append({ serial: s(1), version: s(3), data: 'lo', responseId: 'r1' }));
    const response = store.getResponse(s(1))!;
    expect(response).toMatchObject({
      id: s(1),
      responseId: 'r1',
      pattern: 'message-per-response',
      text: 'Hello',
      status: 'streaming',
      version: s(3),
      clientId: 'agent',
    });
    expect(store.findByResponseId('r1')).toBe(response);
  });

  it('drops a delivery whose version.serial is at or below the applied one', () => {
    const { store, diagnostics } = makeStore();
    store.apply(create({ serial: s(1), responseId: 'r1' }));
    store.apply(append({ serial: s(1), version: s(3), data: 'ab', responseId: 'r1' }));
    store.apply(append({ serial: s(1), version: s(3), data: 'ab', responseId: 'r1' }));
    store.apply(append({ serial: s(1), version: s(2), data: 'zz', responseId: 'r1' }));
    expect(store.getResponse(s(1))!.text).toBe('ab');
    expect(diagnostics.map((d) => d.kind)).toEqual(['stale-version', 'stale-version']);
    expect(store.getDiagnostics()).toEqual({ total: 2, byKind: { 'stale-version': 2 } });
  });

  it('extends with only the new suffix when an update starts with the current text', () => {
    const { store } = makeStore();
    store.apply(create({ serial: s(1), data: 'Hello', responseId: 'r1' }));
    const before = store.getResponse(s(1));
    store.apply(update({ serial: s(1), version: s(2), data: 'Hello world', responseId: 'r1' }));
    expect(store.getResponse(s(1))!.text).toBe('Hello world');
    expect(store.getResponse(s(1))).not.toBe(before);
  });

  it('replaces the text when an update does not start with it', () => {
    const { store } = makeStore();
    store.apply(create({ serial: s(1), data: 'Hello wrold', responseId: 'r1' }));
    store.apply(update({ serial: s(1), version: s(2), data: 'Hello world', responseId: 'r1' }));
    expect(store.getResponse(s(1))!.text).toBe('Hello world');
    store.apply(update({ serial: s(1), version: s(3), data: 'Hi', responseId: 'r1' }));
    expect(store.getResponse(s(1))!.text).toBe('Hi');
  });

  it('treats an update for an unknown serial as first contact (late join)', () => {
    const { store } = makeStore();
    store.apply(update({ serial: s(1), version: s(5), data: 'So far', responseId: 'r1' }));
    store.apply(append({ serial: s(1), version: s(6), data: ' so good', responseId: 'r1' }));
    expect(store.getResponse(s(1))!.text).toBe('So far so good');
  });

  it('treats an append for an unknown serial with the responseId header as first contact, flagged incomplete', () => {
    const { store, diagnostics } = makeStore();
    store.apply(append({ serial: s(1), version: s(5), data: 'tail', responseId: 'r1' }));
    expect(store.getResponse(s(1))).toMatchObject({ text: 'tail', incomplete: true });
    // A later full state (history, resync) repairs the missing prefix.
    store.apply(update({ serial: s(1), version: s(6), data: 'head tail', responseId: 'r1' }));
    expect(store.getResponse(s(1))!.text).toBe('head tail');
    expect(store.getResponse(s(1))!.incomplete).toBeUndefined();
    expect(diagnostics.map((d) => d.kind)).toEqual(['partial-first-contact']);
  });

  it('keeps an append without headers for an unknown serial out (a response that never started)', () => {
    const { store, diagnostics } = makeStore();
    store.apply(append({ serial: s(1), version: s(2), data: 'orphan' }));
    expect(store.getSnapshot().responses).toEqual([]);
    expect(diagnostics.map((d) => d.kind)).toEqual(['orphan-append']);
  });

  it('ignores a second create for a known serial', () => {
    const { store, diagnostics } = makeStore();
    store.apply(create({ serial: s(1), data: 'a', responseId: 'r1' }));
    store.apply(append({ serial: s(1), version: s(2), data: 'b', responseId: 'r1' }));
    store.apply(create({ serial: s(1), data: 'a', responseId: 'r1' }));
    expect(store.getResponse(s(1))!.text).toBe('ab');
    expect(diagnostics.map((d) => d.kind)).toEqual(['duplicate']);
  });

  it('ignores a history aggregate already covered by live deltas', () => {
    const { store } = makeStore();
    store.apply(create({ serial: s(1), responseId: 'r1' }));
    store.apply(append({ serial: s(1), version: s(2), data: 'a', responseId: 'r1' }));
    store.apply(append({ serial: s(1), version: s(3), data: 'b', responseId: 'r1' }));
    store.apply(update({ serial: s(1), version: s(2), data: 'a', responseId: 'r1' }));
    expect(store.getResponse(s(1))!.text).toBe('ab');
  });

  it('reads completion, errors and cancellation from version.metadata', () => {
    const { store } = makeStore();
    store.apply(create({ serial: s(1), responseId: 'r1' }));
    store.apply(append({ serial: s(1), version: s(2), data: 'done', status: 'complete', responseId: 'r1' }));
    store.apply(create({ serial: s(3), responseId: 'r2' }));
    store.apply(append({ serial: s(3), version: s(4), data: '', status: 'error', error: 'model overloaded' }));
    store.apply(update({ serial: s(5), version: s(6), data: 'partial', status: 'cancelled', responseId: 'r3' }));
    expect(store.getResponse(s(1))).toMatchObject({ status: 'complete', text: 'done' });
    expect(store.getResponse(s(3))).toMatchObject({ status: 'error', errorReason: 'model overloaded' });
    expect(store.getResponse(s(5))).toMatchObject({ status: 'cancelled', text: 'partial' });
  });

  it('stays terminal when a later version carries no status', () => {
    const { store } = makeStore();
    store.apply(update({ serial: s(1), version: s(2), data: 'x', status: 'complete', responseId: 'r1' }));
    store.apply(update({ serial: s(1), version: s(3), data: 'xy', responseId: 'r1' }));
    expect(store.getResponse(s(1))).toMatchObject({ status: 'complete', text: 'xy' });
  });

  it('removes a deleted response and does not let older deliveries bring it back', () => {
    const { store } = makeStore();
    store.apply(create({ serial: s(1), data: 'a', responseId: 'r1' }));
    store.apply(remove({ serial: s(1), version: s(3), responseId: 'r1' }));
    store.apply(append({ serial: s(1), version: s(2), data: 'b', responseId: 'r1' }));
    expect(store.getResponse(s(1))).toBeUndefined();
    expect(store.findByResponseId('r1')).toBeUndefined();
    expect(store.getSnapshot().responses).toEqual([]);
  });

  it('takes a delivery without data as a change of metadata only', () => {
    const { store, diagnostics } = makeStore();
    store.apply(create({ serial: s(1), data: 'kept', responseId: 'r1' }));
    store.apply({ ...append({ serial: s(1), version: s(2), responseId: 'r1' }), data: undefined });
    store.apply({ ...update({ serial: s(1), version: s(3), status: 'complete', responseId: 'r1' }), data: null });
    expect(store.getResponse(s(1))).toMatchObject({ text: 'kept', status: 'complete' });
    expect(diagnostics).toEqual([]);
  });

  it('keeps the latest headers and keeps them when a delivery has none', () => {
    const { store } = makeStore();
    store.apply(create({ serial: s(1), responseId: 'r1', headers: { model: 'a' } }));
    store.apply(append({ serial: s(1), version: s(2), data: 'x', responseId: 'r1', headers: { model: 'b' } }));
    const bare = { ...append({ serial: s(1), version: s(3), data: 'y' }), extras: undefined };
    store.apply(bare);
    expect(store.getResponse(s(1))).toMatchObject({ text: 'xy', headers: { responseId: 'r1', model: 'b' } });
  });

  it('routes a nameless mutation of a known serial to its response', () => {
    const { store } = makeStore();
    store.apply(create({ serial: s(1), responseId: 'r1' }));
    store.apply({ ...append({ serial: s(1), version: s(2), data: 'x', responseId: 'r1' }), name: undefined });
    expect(store.getResponse(s(1))!.text).toBe('x');
  });

  it('accepts the numeric wire actions', () => {
    const { store } = makeStore();
    store.apply({ ...create({ serial: s(1), responseId: 'r1' }), action: 0 });
    store.apply({ ...append({ serial: s(1), version: s(2), data: 'x', responseId: 'r1' }), action: 5 });
    expect(store.getResponse(s(1))!.text).toBe('x');
  });

  it('orders responses by serial whatever the arrival order', () => {
    const { store } = makeStore();
    store.apply(update({ serial: s(5), version: s(6), data: 'second', responseId: 'b' }));
    store.apply(update({ serial: s(1), version: s(2), data: 'first', responseId: 'a' }));
    store.apply(create({ serial: s(9), data: 'third', responseId: 'c' }));
    expect(store.getSnapshot().responses.map((r) => r.text)).toEqual(['first', 'second', 'third']);
    expect(store.getResponseIds()).toEqual([s(1), s(5), s(9)]);
  });
});

describe('message-per-token', () => {
  it('groups start, tokens and stop by responseId', () => {
    const { store } = makeStore();
    store.apply(start({ serial: s(1), responseId: 'a' }));
    store.apply(start({ serial: s(2), responseId: 'b' }));
    store.apply(token({ serial: s(3), responseId: 'a', data: 'Hel' }));
    store.apply(token({ serial: s(4), responseId: 'b', data: 'Bon' }));
    store.apply(token({ serial: s(5), responseId: 'a', data: 'lo' }));
    store.apply(token({ serial: s(6), responseId: 'b', data: 'jour' }));
    store.apply(stop({ serial: s(7), responseId: 'a' }));
    store.apply(stop({ serial: s(8), responseId: 'b', status: 'cancelled' }));
    expect(store.findByResponseId('a')).toMatchObject({
      id: 'token:a',
      pattern: 'message-per-token',
      text: 'Hello',
      status: 'complete',
    });
    expect(store.findByResponseId('b')).toMatchObject({ text: 'Bonjour', status: 'cancelled' });
    expect(store.getSnapshot().responses.map((r) => r.responseId)).toEqual(['a', 'b']);
  });

  it('starts a response on its first token when there is no start', () => {
    const { store } = makeStore();
    store.apply(token({ serial: s(3), responseId: 'a', data: 'x' }));
    expect(store.findByResponseId('a')).toMatchObject({ text: 'x', status: 'streaming' });
  });

  it('dedupes tokens by serial and orders them by serial', () => {
    const { store, diagnostics } = makeStore();
    store.apply(token({ serial: s(3), responseId: 'a', data: 'c' }));
    store.apply(token({ serial: s(1), responseId: 'a', data: 'a' }));
    store.apply(token({ serial: s(2), responseId: 'a', data: 'b' }));
    store.apply(token({ serial: s(2), responseId: 'a', data: 'b' }));
    store.apply(token({ serial: s(3), responseId: 'a', data: 'c' }));
    expect(store.findByResponseId('a')!.text).toBe('abc');
    expect(diagnostics.map((d) => d.kind)).toEqual(['duplicate', 'duplicate']);
  });

  it('keeps order and dedupe exact within the reorder window and for long streams', () => {
    const { store } = makeStore({ reorderWindow: 4 });
    const expected: string[] = [];
    for (let i = 1; i <= 50; i++) {
      expected.push(`t${i} `);
      store.apply(token({ serial: s(i), responseId: 'a', data: `t${i} ` }));
      if (i % 3 === 0) store.apply(token({ serial: s(i - 1), responseId: 'a', data: `t${i - 1} ` }));
    }
    // a replay of everything (history after continuity loss)
    for (let i = 1; i <= 50; i++) store.apply(token({ serial: s(i), responseId: 'a', data: `t${i} ` }));
    expect(store.findByResponseId('a')!.text).toBe(expected.join(''));
  });

  it('replaces the accumulated text with response-complete', () => {
    const { store } = makeStore();
    store.apply(token({ serial: s(1), responseId: 'a', data: 'Hel' }));
    store.apply(token({ serial: s(3), responseId: 'a', data: 'world' }));
    store.apply(fullText({ serial: s(4), responseId: 'a', data: 'Hello world' }));
    expect(store.findByResponseId('a')).toMatchObject({ text: 'Hello world', status: 'complete' });
    // late and repeated tokens cannot double it
    store.apply(token({ serial: s(2), responseId: 'a', data: 'lo ' }));
    store.apply(fullText({ serial: s(4), responseId: 'a', data: 'Hello world' }));
    expect(store.findByResponseId('a')!.text).toBe('Hello world');
  });

  it('reads the end status and error from the stop headers', () => {
    const { store } = makeStore();
    store.apply(token({ serial: s(1), responseId: 'a', data: 'x' }));
    store.apply(stop({ serial: s(2), responseId: 'a', status: 'error', error: 'rate limited' }));
    expect(store.findByResponseId('a')).toMatchObject({ status: 'error', errorReason: 'rate limited' });
  });

  it('flags a response first met through a token or a stop as incomplete, never as exact', () => {
    const { store } = makeStore();
    store.apply(token({ serial: s(5), responseId: 'a', data: 'tail' }));
    store.apply(stop({ serial: s(6), responseId: 'a' }));
    store.apply(stop({ serial: s(9), responseId: 'b' }));
    expect(store.findByResponseId('a')).toMatchObject({ text: 'tail', status: 'complete', incomplete: true });
    expect(store.findByResponseId('b')).toMatchObject({ text: '', status: 'complete', incomplete: true });
  });

  it('has no incomplete field when the start was seen', () => {
    const { store } = makeStore();
    store.apply(start({ serial: s(1), responseId: 'a' }));
    store.apply(token({ serial: s(2), responseId: 'a', data: 'x' }));
    store.apply(stop({ serial: s(3), responseId: 'a' }));
    const response = store.findByResponseId('a')!;
    expect(response).toMatchObject({ text: 'x', status: 'complete' });
    expect('incomplete' in response).toBe(false);
  });

  it('clears the flag when a backfill brings the start and earlier tokens, even past the reorder window', () => {
    const { store, diagnostics } = makeStore({ reorderWindow: 4 });
    const words = Array.from({ length: 60 }, (_, i) => `w${i} `);
    // tokens 1..60 at serials 2..61; a rewind window shows only the newest 30, then live goes on
    for (let i = 30; i < 60; i++) store.apply(token({ serial: s(i + 2), responseId: 'a', data: words[i] }));
    store.apply(stop({ serial: s(62), responseId: 'a' }));
    expect(store.findByResponseId('a')).toMatchObject({ status: 'complete', incomplete: true });
    const notified = vi.fn();
    store.subscribeResponse('token:a', notified);
    // history newest first, overlapping what is already there
    const history = [start({ serial: s(1), responseId: 'a' })];
    for (let i = 0; i < 40; i++) history.push(token({ serial: s(i + 2), responseId: 'a', data: words[i] }));
    store.applyHistoryPage(history.reverse());
    const response = store.findByResponseId('a')!;
    expect(response.text).toBe(words.join(''));
    expect(response.status).toBe('complete');
    expect('incomplete' in response).toBe(false);
    expect(notified).toHaveBeenCalled();
    // the overlap is recognised, and a second backfill changes nothing
    store.applyHistoryPage(history);
    expect(store.findByResponseId('a')!.text).toBe(words.join(''));
    expect(diagnostics.every((d) => d.kind === 'duplicate')).toBe(true);
  });

  it('keeps the flag while the backfill has not reached the start', () => {
    const { store } = makeStore();
    store.apply(token({ serial: s(10), responseId: 'a', data: 'c' }));
    store.apply(token({ serial: s(9), responseId: 'a', data: 'b' }));
    expect(store.findByResponseId('a')).toMatchObject({ text: 'bc', incomplete: true });
    store.apply(start({ serial: s(7), responseId: 'a' }));
    store.apply(token({ serial: s(8), responseId: 'a', data: 'a' }));
    expect(store.findByResponseId('a')!.text).toBe('abc');
    expect(store.findByResponseId('a')!.incomplete).toBeUndefined();
  });

  it('takes a response-complete as the exact beginning, also when it is older than the first contact', () => {
    const { store } = makeStore();
    store.apply(token({ serial: s(10), responseId: 'a', data: ' world' }));
    expect(store.findByResponseId('a')!.incomplete).toBe(true);
    store.apply(token({ serial: s(4), responseId: 'a', data: 'Hel' }));
    store.apply(fullText({ serial: s(6), responseId: 'a', data: 'Hello' }));
    store.apply(fullText({ serial: s(6), responseId: 'a', data: 'Hello' }));
    const response = store.findByResponseId('a')!;
    expect(response.text).toBe('Hello world');
    expect(response.incomplete).toBeUndefined();
  });

  it('keeps tokens without a responseId out and counts them', () => {
    const { store, diagnostics } = makeStore();
    store.apply(token({ serial: s(1), data: 'x' }));
    expect(store.getSnapshot().responses).toEqual([]);
    expect(diagnostics.map((d) => d.kind)).toEqual(['bad-headers']);
  });
});

describe('bad input', () => {
  it('keeps every kind of bad input out of the text, counts it and never throws', () => {
    const { store, diagnostics } = makeStore();
    store.apply(create({ serial: s(1), data: 'ok', responseId: 'r1' }));
    const bad: unknown[] = [
      null,
      42,
      'text',
      [],
      { ...append({ serial: s(1), version: s(2), data: 'x', responseId: 'r1' }), serial: undefined },
      append({ serial: s(1), version: s(3), data: 17, responseId: 'r1' }),
      append({ serial: s(1), version: s(4), data: { text: 'x' }, responseId: 'r1' }),
      { ...append({ serial: s(1), version: s(5), data: 'x', responseId: 'r1' }), action: 'message.explode' },
      { ...append({ serial: s(1), version: s(6), data: 'x', responseId: 'r1' }), action: 99 },
      append({ serial: s(9), version: s(9), data: 'orphan' }),
      token({ serial: s(10), responseId: 'a', data: 5 }),
      { ...token({ serial: s(11), responseId: 'a', data: 'x' }), serial: 12 },
    ];
    for (const message of bad) expect(() => store.apply(message)).not.toThrow();
    expect(store.getSnapshot().responses.map((r) => r.text)).toEqual(['ok']);
    expect(store.getDiagnostics().byKind).toEqual({
      'bad-data': 7,
      'missing-serial': 2,
      // A numeric serial says what was wrong with it before it counts as missing.
      'bad-serial': 1,
      'unknown-action': 2,
      'orphan-append': 1,
    });
    expect(diagnostics).toHaveLength(13);
  });

  it('keeps the text of a message with garbage headers and reports them', () => {
    const { store, diagnostics } = makeStore();
    store.apply({ ...create({ serial: s(1), data: 'a' }), extras: { headers: { responseId: 'r1', n: 3, o: {} } } });
    store.apply({ ...append({ serial: s(1), version: s(2), data: 'b' }), extras: 'nonsense' });
    store.apply({ ...append({ serial: s(1), version: s(3), data: 'c' }), extras: { headers: [1, 2] } });
    expect(store.getResponse(s(1))).toMatchObject({ text: 'abc', headers: { responseId: 'r1' } });
    expect(diagnostics.map((d) => d.kind)).toEqual(['bad-headers', 'bad-headers', 'bad-headers']);
  });

  it('ignores other message names and server meta messages without counting them', () => {
    const { store } = makeStore();
    store.apply({ ...create({ serial: s(1), data: 'hi' }), name: 'prompt' });
    store.apply({ action: 'meta', name: '[meta]occupancy', data: {} });
    expect(store.getSnapshot().responses).toEqual([]);
    expect(store.getDiagnostics().total).toBe(0);
  });

  it('survives a throwing diagnostics handler', () => {
    const store = createResponseStore({
      scheduler: createImmediateScheduler(),
      onDiagnostic: () => {
        throw new Error('handler bug');
      },
    });
    expect(() => store.apply(null)).not.toThrow();
    expect(store.getDiagnostics().total).toBe(1);
  });
});

describe('seeds', () => {
  it('joins database responses with in-progress channel ones by responseId', () => {
    const { store } = makeStore({
      seed: [
        { responseId: 'r1', text: 'From the database', createdAt: 100 },
        { responseId: 'r0', text: 'Older', createdAt: 50 },
      ],
    });
    store.apply(
      update({ serial: s(1), version: s(2), data: 'From the database', status: 'complete', responseId: 'r1' }),
    );
    store.apply(update({ serial: s(3), version: s(4), data: 'In prog', responseId: 'r2' }));
    store.apply(append({ serial: s(1), version: s(5), data: 'more', responseId: 'r1' }));
    store.apply(append({ serial: s(3), version: s(6), data: 'ress', responseId: 'r2' }));
    store.apply(token({ serial: s(7), responseId: 'r0', data: 'dup' }));
    const responses = store.getSnapshot().responses;
    expect(responses.map((r) => [r.responseId, r.text, r.status, r.seeded])).toEqual([
      ['r0', 'Older', 'complete', true],
      ['r1', 'From the database', 'complete', true],
      ['r2', 'In progress', 'streaming', false],
    ]);
  });

  it('drops a channel response when a seed for it arrives later', () => {
    const { store } = makeStore();
    store.apply(update({ serial: s(1), version: s(2), data: 'channel', responseId: 'r1' }));
    store.seed([{ responseId: 'r1', text: 'database', createdAt: 1 }]);
    store.apply(append({ serial: s(1), version: s(3), data: '!' }));
    expect(store.getSnapshot().responses.map((r) => r.text)).toEqual(['database']);
  });
});

describe('notifications', () => {
  it('keeps objects stable until they change and notifies per response', () => {
    const { store } = makeStore();
    store.apply(create({ serial: s(1), responseId: 'a' }));
    store.apply(create({ serial: s(2), responseId: 'b' }));
    const a = store.getResponse(s(1));
    const snapshot = store.getSnapshot();
    expect(store.getSnapshot()).toBe(snapshot);
    const onA = vi.fn();
    const onB = vi.fn();
    const onList = vi.fn();
    store.subscribeResponse(s(1), onA);
    const offB = store.subscribeResponse(s(2), onB);
    store.subscribe(onList);
    store.apply(append({ serial: s(2), version: s(3), data: 'x', responseId: 'b' }));
    expect(onA).not.toHaveBeenCalled();
    expect(onB).toHaveBeenCalledTimes(1);
    expect(onList).toHaveBeenCalledTimes(1);
    expect(store.getResponse(s(1))).toBe(a);
    expect(store.getSnapshot()).not.toBe(snapshot);
    offB();
    store.apply(append({ serial: s(2), version: s(4), data: 'y', responseId: 'b' }));
    expect(onB).toHaveBeenCalledTimes(1);
  });

  it('tells a response subscriber when its response appears, and keeps the id list stable', () => {
    const { store } = makeStore();
    const onA = vi.fn();
    store.subscribeResponse('token:a', onA);
    store.apply(token({ serial: s(1), responseId: 'a', data: 'x' }));
    expect(onA).toHaveBeenCalledTimes(1);
    const ids = store.getResponseIds();
    store.apply(token({ serial: s(2), responseId: 'a', data: 'y' }));
    expect(store.getResponseIds()).toBe(ids);
    store.apply(token({ serial: s(3), responseId: 'b', data: 'z' }));
    expect(store.getResponseIds()).toEqual(['token:a', 'token:b']);
  });

  it('coalesces ordinary changes and flushes at once for the first text and the final state', () => {
    const calls: boolean[] = [];
    let pending: (() => void) | undefined;
    const store = createResponseStore({
      scheduler: {
        schedule(flush, urgent) {
          calls.push(urgent);
          pending = flush;
          if (urgent) flush();
        },
        cancel() {},
      },
    });
    const listener = vi.fn();
    store.subscribe(listener);
    store.apply(create({ serial: s(1), responseId: 'a' })); // new response: urgent
    store.apply(append({ serial: s(1), version: s(2), data: 'H', responseId: 'a' })); // first text: urgent
    store.apply(append({ serial: s(1), version: s(3), data: 'e', responseId: 'a' })); // coalesced
    store.apply(append({ serial: s(1), version: s(4), data: 'y', responseId: 'a' })); // coalesced
    expect(calls).toEqual([true, true, false]);
    expect(listener).toHaveBeenCalledTimes(2);
    store.apply(append({ serial: s(1), version: s(5), data: '', status: 'complete', responseId: 'a' }));
    expect(calls).toEqual([true, true, false, true]);
    expect(listener).toHaveBeenCalledTimes(3);
    pending?.();
    expect(listener).toHaveBeenCalledTimes(3);
    expect(store.getResponse(s(1))).toMatchObject({ text: 'Hey', status: 'complete' });
  });

  it('notifies on a microtask by default, once per batch', async () => {
    const store = createResponseStore();
    const listener = vi.fn();
    store.subscribe(listener);
    store.apply(create({ serial: s(1), responseId: 'a' }));
    for (let i = 2; i < 20; i++) store.apply(append({ serial: s(1), version: s(i), data: 'x', responseId: 'a' }));
    expect(listener).not.toHaveBeenCalled();
    await Promise.resolve();
    expect(listener).toHaveBeenCalledTimes(1);
  });

  it('keeps notifying other subscribers when one throws', async () => {
    const { store } = makeStore();
    const thrown: unknown[] = [];
    const onError = (error: unknown) => thrown.push(error);
    process.on('uncaughtException', onError);
    const good = vi.fn();
    store.subscribe(() => {
      throw new Error('subscriber bug');
    });
    store.subscribe(good);
    store.apply(create({ serial: s(1), responseId: 'a' }));
    expect(good).toHaveBeenCalledTimes(1);
    await new Promise((resolve) => setTimeout(resolve, 0));
    process.off('uncaughtException', onError);
    expect(thrown).toHaveLength(1);
  });

  it('tracks sync status and counts resyncs', () => {
    const { store } = makeStore();
    expect(store.getSnapshot()).toMatchObject({ syncStatus: 'hydrating', caughtUp: false, resyncCount: 0 });
    store.setSync('live', true);
    store.setSync('resyncing', false);
    store.setSync('resyncing', false);
    store.setSync('live', true);
    store.setSync('resyncing', false);
    expect(store.getSnapshot()).toMatchObject({ syncStatus: 'resyncing', caughtUp: false, resyncCount: 2 });
  });

  it('stops everything on dispose', () => {
    const { store } = makeStore();
    const listener = vi.fn();
    store.subscribe(listener);
    store.dispose();
    store.apply(create({ serial: s(1), responseId: 'a' }));
    expect(listener).not.toHaveBeenCalled();
    expect(store.getSnapshot().responses).toEqual([]);
  });
});

describe('staleness', () => {
  it('marks a silent streaming response stale with one store timer, and streaming again when it resumes', () => {
    vi.useFakeTimers();
    let clock = 0;
    const { store } = makeStore({ staleAfterMs: 1000, now: () => clock });
    const tick = (ms: number) => {
      clock += ms;
      vi.advanceTimersByTime(ms);
    };
    store.apply(create({ serial: s(1), responseId: 'a', timestamp: 0 }));
    store.apply(create({ serial: s(2), responseId: 'b', timestamp: 0 }));
    expect(vi.getTimerCount()).toBe(1);
    tick(600);
    store.apply(append({ serial: s(2), version: s(3), data: 'x', responseId: 'b', versionTimestamp: 600 }));
    tick(500);
    expect(store.getResponse(s(1))!.status).toBe('stale');
    expect(store.getResponse(s(2))!.status).toBe('streaming');
    expect(vi.getTimerCount()).toBe(1);
    tick(600);
    expect(store.getResponse(s(2))!.status).toBe('stale');
    expect(vi.getTimerCount()).toBe(0);
    store.apply(append({ serial: s(1), version: s(4), data: 'back', responseId: 'a', versionTimestamp: 1700 }));
    expect(store.getResponse(s(1))).toMatchObject({ status: 'streaming', text: 'back' });
    store.apply(append({ serial: s(1), version: s(5), data: '', status: 'complete', responseId: 'a' }));
    tick(5000);
    expect(store.getResponse(s(1))!.status).toBe('complete');
  });

  it('judges hydrated responses by server time, so an abandoned one is stale without waiting', () => {
    vi.useFakeTimers();
    const { store } = makeStore({ staleAfterMs: 1000, now: () => 0 });
    store.apply(update({ serial: s(1), version: s(2), data: 'abandoned', responseId: 'a', versionTimestamp: 1000 }));
    store.apply(update({ serial: s(3), version: s(4), data: 'fresh', responseId: 'b', versionTimestamp: 9000 }));
    vi.advanceTimersByTime(1);
    expect(store.getResponse(s(1))!.status).toBe('stale');
    expect(store.getResponse(s(3))!.status).toBe('streaming');
  });
});

describe('store ids', () => {
  it('never collide with wire serials, however a serial is spelled', () => {
    const { store } = makeStore();
    // Serials that look like the store's own ids, next to the responses those ids belong to.
    store.apply(start({ serial: s(1), responseId: 'r1' }));
    store.apply(token({ serial: s(2), responseId: 'r1', data: 'per-token' }));
    store.seed([{ responseId: 'db', text: 'seeded', createdAt: 0 }]);
    for (const serial of ['token:r1', 'seed:db', 'serial:token:r1']) {
      store.apply(create({ serial, responseId: `mpr-${serial}`, data: serial }));
    }
    const texts = store.getSnapshot().responses.map((response) => response.text);
    expect(texts.sort()).toEqual(['per-token', 'seed:db', 'seeded', 'serial:token:r1', 'token:r1'].sort());
    const ids = store.getResponseIds();
    expect(new Set(ids).size).toBe(ids.length);
    expect(store.getResponse('token:r1')?.text).toBe('per-token');
    expect(store.getResponse('seed:db')?.text).toBe('seeded');
    expect(store.findByResponseId('mpr-token:r1')?.text).toBe('token:r1');
  });

  it('keeps parts after the first out of a response store (they belong to conversations)', () => {
    const { store, diagnostics } = makeStore();
    store.apply(create({ serial: s(1), responseId: 'r1', data: 'answer' }));
    store.apply(
      create({ serial: s(2), responseId: 'r1', data: '{"q":1}', headers: { part: '1', partKind: 'tool-call' } }),
    );
    store.apply(token({ serial: s(3), responseId: 'r2', data: 'x', headers: { part: '2' } }));
    expect(store.getSnapshot().responses.map((response) => response.text)).toEqual(['answer']);
    expect(diagnostics).toEqual([]);
  });
});
