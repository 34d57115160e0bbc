// The store's defence against text lost on the way: a response first met through an append fragment,
// and a text that does not match its end marker's proof, are shown `incomplete`, asked for again, and
// made whole by the full snapshot a re-read returns, even at a version the store already holds.
import { describe, expect, it } from 'vitest';
import { createResponseStore } from './response-store.js';
import { createImmediateScheduler } from './schedulers.js';
import { append, create, serialAt as s, start, stop, token, update } from './test-utils/messages.js';
import type { Diagnostic, RepairRequest } from './types.js';

function makeStore() {
  const diagnostics: Diagnostic[] = [];
  const requests: RepairRequest[] = [];
  const store = createResponseStore({
    scheduler: createImmediateScheduler(),
    onDiagnostic: (d) => diagnostics.push(d),
  });
  store.subscribeRepairs((request) => requests.push(request));
  const settled = () => new Promise((resolve) => queueMicrotask(() => resolve(undefined)));
  return { store, diagnostics, requests, settled };
}

const TEXT = 'alpha alpha beta gamma ';

describe('a response whose beginning never arrived (message-per-response)', () => {
  it('is the exact order of the chaos loss: fragments first, then history at the same version, made whole', async () => {
    const { store, diagnostics, requests, settled } = makeStore();
    // The create and "alpha " were before the attach point and the history read failed; the first thing
    // that arrived was a fragment, then the rest, then the end marker.
    store.apply(append({ serial: s(1), version: s(3), data: 'alpha beta ', responseId: 'r1' }));
    store.apply(append({ serial: s(1), version: s(4), data: 'gamma ', responseId: 'r1' }));
    store.apply(append({ serial: s(1), version: s(5), responseId: 'r1', status: 'complete', proofOf: TEXT }));
    expect(store.getResponse(s(1))).toMatchObject({ text: 'alpha beta gamma ', status: 'complete', incomplete: true });
    await settled();
    expect(requests).toMatchObject([{ id: s(1), pattern: 'message-per-response', responseId: 'r1', serial: s(1) }]);
    expect(requests[0]!.stillIncomplete()).toBe(true);
    // The retried history read: one aggregated message at the version the store already holds.
    store.apply(
      update({ serial: s(1), version: s(5), data: TEXT, responseId: 'r1', status: 'complete', proofOf: TEXT }),
    );
    const healed = store.getResponse(s(1))!;
    expect(healed).toMatchObject({ text: TEXT, status: 'complete' });
    expect(healed.incomplete).toBeUndefined();
    expect(diagnostics.map((d) => d.kind)).toEqual(['partial-first-contact', 'text-mismatch']);
  });

  it('is completed by an older snapshot plus the fragments that came after it', () => {
    const { store } = makeStore();
    store.apply(append({ serial: s(1), version: s(4), data: 'gamma ', responseId: 'r1' }));
    store.apply(append({ serial: s(1), version: s(5), data: 'delta ', responseId: 'r1' }));
    // A snapshot taken at version 4 (it holds "gamma ") arrives after both fragments.
    store.apply(update({ serial: s(1), version: s(4), data: 'alpha beta gamma ', responseId: 'r1' }));
    expect(store.getResponse(s(1))).toMatchObject({ text: 'alpha beta gamma delta ', version: s(5) });
    expect(store.getResponse(s(1))!.incomplete).toBeUndefined();
    // Whole again: older versions are stale as usual.
    store.apply(update({ serial: s(1), version: s(3), data: 'alpha beta ', responseId: 'r1' }));
    expect(store.getResponse(s(1))!.text).toBe('alpha beta gamma delta ');
  });

  it('stays incomplete for a snapshot that cannot help, and asks again only once per gap', async () => {
    const { store, requests, settled } = makeStore();
    store.apply(append({ serial: s(1), version: s(4), data: 'tail', responseId: 'r1' }));
    store.apply(append({ serial: s(1), version: s(5), data: '!', responseId: 'r1' }));
    await settled();
    expect(requests).toHaveLength(1);
    expect(store.getResponse(s(1))).toMatchObject({ text: 'tail!', incomplete: true });
  });
});

describe('the end marker proof', () => {
  it('keeps a whole text complete with no flag and no request', async () => {
    const { store, diagnostics, requests, settled } = makeStore();
    store.apply(create({ serial: s(1), responseId: 'r1' }));
    store.apply(append({ serial: s(1), version: s(2), data: TEXT, responseId: 'r1' }));
    store.apply(append({ serial: s(1), version: s(3), responseId: 'r1', status: 'complete', proofOf: TEXT }));
    await settled();
    const response = store.getResponse(s(1))!;
    expect(response).toMatchObject({ text: TEXT, status: 'complete' });
    expect(response.incomplete).toBeUndefined();
    expect(diagnostics).toEqual([]);
    expect(requests).toEqual([]);
  });

  it('flags a text that lost a fragment in the middle, and a re-read at the same version repairs it', async () => {
    const { store, diagnostics, requests, settled } = makeStore();
    store.apply(create({ serial: s(1), responseId: 'r1' }));
    store.apply(append({ serial: s(1), version: s(2), data: 'alpha ', responseId: 'r1' }));
    // version 3 ("alpha beta ") never arrived
    store.apply(append({ serial: s(1), version: s(4), data: 'gamma ', responseId: 'r1' }));
    store.apply(append({ serial: s(1), version: s(5), responseId: 'r1', status: 'complete', proofOf: TEXT }));
    expect(store.getResponse(s(1))).toMatchObject({ status: 'complete', incomplete: true });
    expect(diagnostics.map((d) => d.kind)).toEqual(['text-mismatch']);
    await settled();
    expect(requests.map((r) => r.serial)).toEqual([s(1)]);
    store.apply(
      update({ serial: s(1), version: s(5), data: TEXT, responseId: 'r1', status: 'complete', proofOf: TEXT }),
    );
    expect(store.getResponse(s(1))!.text).toBe(TEXT);
    expect(store.getResponse(s(1))!.incomplete).toBeUndefined();
  });

  it('ignores an end marker without a proof (older agents) and a malformed one', () => {
    const { store, diagnostics } = makeStore();
    store.apply(create({ serial: s(1), responseId: 'r1' }));
    store.apply(append({ serial: s(1), version: s(2), data: 'x', responseId: 'r1', status: 'complete' }));
    store.apply(create({ serial: s(3), responseId: 'r2' }));
    store.apply(append({ serial: s(3), version: s(4), data: 'y', responseId: 'r2', status: 'complete', headers: {} }));
    expect(store.getResponse(s(1))!.incomplete).toBeUndefined();
    expect(store.getResponse(s(3))!.incomplete).toBeUndefined();
    expect(diagnostics).toEqual([]);
  });

  it('checks message-per-token texts too, and a late token completes them', async () => {
    const { store, diagnostics, requests, settled } = makeStore();
    store.apply(start({ serial: s(1), responseId: 't1' }));
    store.apply(token({ serial: s(2), responseId: 't1', data: 'alpha ' }));
    store.apply(stop({ serial: s(4), responseId: 't1', status: 'complete', proofOf: 'alpha beta ' }));
    const id = store.getResponseIds()[0]!;
    expect(store.getResponse(id)).toMatchObject({ text: 'alpha ', status: 'complete', incomplete: true });
    await settled();
    expect(requests).toMatchObject([{ id, pattern: 'message-per-token', responseId: 't1' }]);
    store.apply(token({ serial: s(3), responseId: 't1', data: 'beta ' }));
    expect(store.getResponse(id)!.text).toBe('alpha beta ');
    expect(store.getResponse(id)!.incomplete).toBeUndefined();
    expect(diagnostics.map((d) => d.kind)).toEqual(['text-mismatch']);
  });

  it('delivers requests made before anyone listened', async () => {
    const store = createResponseStore({ scheduler: createImmediateScheduler() });
    store.apply(append({ serial: s(1), version: s(2), data: 'tail', responseId: 'r1' }));
    const requests: RepairRequest[] = [];
    store.subscribeRepairs((request) => requests.push(request));
    await new Promise((resolve) => setTimeout(resolve, 0));
    expect(requests.map((r) => r.responseId)).toEqual(['r1']);
  });
});
