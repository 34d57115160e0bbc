// Unit tests of the continuity state machine with a scripted channel. The behaviour against the real
// SDK and server is covered by test/connect-channel.test.ts; this file drives the transitions that
// the emulator cannot produce on demand (failed, suspended, an `update` without `resumed`).
import type * as Ably from 'ably';
import { describe, expect, it } from 'vitest';
import { connectChannel } from './connect-channel.js';
import { createResponseStore } from './response-store.js';
import { createImmediateScheduler } from './schedulers.js';
import { serialAt, token } from './test-utils/messages.js';
import { ScriptedChannel } from './test-utils/scripted-channel.js';

function setup(strategy: 'history' | 'rewind' = 'history', extra = {}) {
  const scripted = new ScriptedChannel();
  const store = createResponseStore({ scheduler: createImmediateScheduler() });
  const sync = connectChannel(scripted as unknown as Ably.RealtimeChannel, store, { strategy, ...extra });
  return { scripted, backlog: scripted.backlog, store, sync };
}

const tick = () => new Promise((resolve) => setTimeout(resolve, 0));
const tokenMessage = (n: number, data: string) =>
  token({ serial: serialAt(n), responseId: 'a', data }) as unknown as Ably.InboundMessage;

describe('connectChannel continuity (scripted channel)', () => {
  it('holds live messages while history is read, folds history oldest first, then drains', async () => {
    const { scripted, backlog, store, sync } = setup();
    backlog.push(tokenMessage(1, 'a'), tokenMessage(2, 'b'));
    let open!: () => void;
    scripted.historyGate = new Promise((resolve) => {
      open = resolve;
    });
    await tick();
    scripted.deliver(tokenMessage(3, 'c'));
    expect(store.getSnapshot().responses).toEqual([]);
    expect(store.getSnapshot().syncStatus).toBe('hydrating');
    open();
    await sync.ready;
    expect(store.findByResponseId('a')!.text).toBe('abc');
    expect(store.getSnapshot()).toMatchObject({ syncStatus: 'live', caughtUp: true });
    expect(scripted.historyCalls[0]).toMatchObject({ untilAttach: true, limit: 100 });
  });

  it('re-attaches a failed channel and re-hydrates', async () => {
    const { scripted, backlog, store, sync } = setup();
    await sync.ready;
    scripted.emit('failed', false, { code: 90000, message: 'channel failed' });
    expect(store.getSnapshot()).toMatchObject({ syncStatus: 'resyncing', resyncCount: 1 });
    backlog.push(tokenMessage(1, 'missed'));
    await tick();
    await tick();
    expect(scripted.attachCalls).toBe(2);
    expect(store.getSnapshot()).toMatchObject({ syncStatus: 'live', caughtUp: true, error: undefined });
    expect(store.findByResponseId('a')!.text).toBe('missed');
  });

  it('reports an error when the failed channel cannot be attached again', async () => {
    const { scripted, store, sync } = setup();
    await sync.ready;
    scripted.attachFailure = { code: 40160, message: 'denied', statusCode: 401 };
    scripted.emit('failed', false, { code: 90000, message: 'channel failed' });
    await tick();
    await tick();
    const { syncStatus, error } = store.getSnapshot();
    expect(syncStatus).toBe('error');
    expect(error).toMatchObject({ code: 40160 });
    expect(error!.hint).toMatch(/capability/);
  });

  it('does not retry a channel that failed for a capability, and recovers when the app attaches it', async () => {
    const { scripted, backlog, store, sync } = setup();
    await sync.ready;
    scripted.emit('failed', false, { code: 40160, message: 'denied' });
    await tick();
    expect(scripted.attachCalls).toBe(1);
    expect(store.getSnapshot()).toMatchObject({ syncStatus: 'error', error: { code: 40160 } });
    backlog.push(tokenMessage(1, 'back'));
    await scripted.attach();
    await tick();
    await tick();
    expect(store.getSnapshot()).toMatchObject({ syncStatus: 'live', error: undefined });
    expect(store.findByResponseId('a')!.text).toBe('back');
  });

  it('waits through suspended and re-hydrates on the next attach, even a resumed one', async () => {
    const { scripted, backlog, store, sync } = setup();
    await sync.ready;
    scripted.emit('suspended', false, { code: 80002, message: 'suspended' });
    expect(store.getSnapshot()).toMatchObject({ syncStatus: 'resyncing', caughtUp: false });
    expect(store.getSnapshot().error).toMatchObject({ code: 80002 });
    scripted.deliver(tokenMessage(3, 'c'));
    await tick();
    expect(scripted.attachCalls).toBe(1);
    backlog.push(tokenMessage(1, 'a'), tokenMessage(2, 'b'));
    scripted.emit('attaching');
    scripted.emit('attached', true);
    await tick();
    await tick();
    expect(store.findByResponseId('a')!.text).toBe('abc');
    expect(store.getSnapshot()).toMatchObject({ syncStatus: 'live', resyncCount: 1, error: undefined });
  });

  it('treats an update without resumed as lost continuity', async () => {
    const { scripted, backlog, store, sync } = setup();
    await sync.ready;
    backlog.push(tokenMessage(5, 'x'));
    scripted.emit('attached', false);
    await tick();
    await tick();
    expect(store.getSnapshot().resyncCount).toBe(1);
    expect(store.findByResponseId('a')!.text).toBe('x');
    expect(scripted.historyCalls).toHaveLength(2);
  });

  it('ignores a resumed attach when nothing was lost', async () => {
    const { scripted, store, sync } = setup();
    await sync.ready;
    scripted.emit('attached', true);
    await tick();
    expect(store.getSnapshot().resyncCount).toBe(0);
    expect(scripted.historyCalls).toHaveLength(1);
  });

  it('rewind strategy: reads the gap from history after a reattach without resumed', async () => {
    const { scripted, backlog, store, sync } = setup('rewind');
    await sync.ready;
    expect(scripted.historyCalls).toHaveLength(0);
    backlog.push(tokenMessage(1, 'a'), tokenMessage(2, 'b'));
    scripted.emit('attached', false);
    scripted.deliver(tokenMessage(3, 'c'));
    await tick();
    await tick();
    expect(scripted.historyCalls).toHaveLength(1);
    expect(scripted.detachCalls).toBe(0);
    expect(store.findByResponseId('a')!.text).toBe('abc');
    expect(store.getSnapshot()).toMatchObject({ syncStatus: 'live', resyncCount: 1 });
  });

  it('rewind strategy: rewinds again (detach, attach) when history is not allowed', async () => {
    const { scripted, store, sync } = setup('rewind');
    await sync.ready;
    scripted.historyFailure = { code: 40160, message: 'no history', statusCode: 401 };
    scripted.emit('attached', false);
    scripted.deliver(tokenMessage(3, 'c'));
    await tick();
    await tick();
    expect(scripted.detachCalls).toBe(1);
    expect(scripted.attachCalls).toBe(2);
    expect(store.findByResponseId('a')!.text).toBe('c');
    expect(store.getSnapshot()).toMatchObject({ syncStatus: 'live', resyncCount: 1, error: undefined });
  });

  it('stops cleanly in the middle of a history read', async () => {
    const controller = new AbortController();
    const { scripted, backlog, store, sync } = setup('history', { signal: controller.signal });
    backlog.push(tokenMessage(1, 'a'));
    let open!: () => void;
    scripted.historyGate = new Promise((resolve) => {
      open = resolve;
    });
    await tick();
    controller.abort();
    await sync.ready;
    open();
    await tick();
    expect(store.getSnapshot().responses).toEqual([]);
    scripted.deliver(tokenMessage(2, 'b'));
    expect(store.getSnapshot().responses).toEqual([]);
  });

  it('stops reading history at the message limit and reports it', async () => {
    const { backlog, store, sync } = setup('history', { maxHistoryMessages: 3, historyPageSize: 2 });
    for (let n = 1; n <= 6; n++) backlog.push(tokenMessage(n, String(n)));
    await sync.ready;
    expect(store.findByResponseId('a')!.text).toBe('456');
    expect(store.getDiagnostics().byKind['history-truncated']).toBe(1);
  });

  it('starts on a channel that failed before the sync, attaching it first', async () => {
    const scripted = new ScriptedChannel();
    scripted.state = 'failed';
    scripted.backlog.push(tokenMessage(1, 'a'));
    const subscribe = scripted.subscribe.bind(scripted);
    scripted.subscribe = async (listener) => {
      if (scripted.state === 'failed') throw new Error('cannot subscribe on a failed channel');
      return subscribe(listener);
    };
    const store = createResponseStore({ scheduler: createImmediateScheduler() });
    await connectChannel(scripted as unknown as Ably.RealtimeChannel, store, { strategy: 'history' }).ready;
    expect(store.getSnapshot()).toMatchObject({ syncStatus: 'live', error: undefined });
    expect(store.findByResponseId('a')!.text).toBe('a');
  });

  it('rejects a malformed rewind and an unknown strategy', async () => {
    const store = createResponseStore();
    const channel = new ScriptedChannel() as unknown as Ably.RealtimeChannel;
    await connectChannel(channel, store, { strategy: 'rewind', rewind: 'ten' }).ready;
    expect(store.getSnapshot().error).toMatchObject({ code: 40106 });
    await connectChannel(channel, store, { strategy: 'replay' as 'rewind' }).ready;
    expect(store.getSnapshot().error!.message).toMatch(/strategy/);
  });
});
