// Counts React commits while tokens pour in. Time is virtual: tokens are applied one per
// millisecond of a simulated clock and animation frames are ticked by hand every 1000/60 ms, each
// token in its own act() (its own task, the worst case for batching). The network plays no part in
// this question, so the messages are fed straight into a real store in the kit's wire shape.
import {
  createResponseStore,
  RESPONSE_ID_HEADER,
  type ResponseStore,
  STATUS_KEY,
  TOKEN_EVENT_NAMES,
} from '@resumable/core';
import { act, render, screen } from '@testing-library/react';
import { Profiler, StrictMode, useEffect, useState } from 'react';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { createFrameScheduler, useStreamedResponse } from '../src/index.js';

function installManualFrames() {
  let queue = new Map<number, FrameRequestCallback>();
  let next = 1;
  vi.stubGlobal('requestAnimationFrame', (callback: FrameRequestCallback) => {
    queue.set(next, callback);
    return next++;
  });
  vi.stubGlobal('cancelAnimationFrame', (handle: number) => {
    queue.delete(handle);
  });
  return {
    tick(time: number) {
      const due = queue;
      queue = new Map();
      for (const callback of due.values()) callback(time);
    },
  };
}

afterEach(() => {
  vi.unstubAllGlobals();
});

let serialCounter = 0;
function serial(): string {
  serialCounter++;
  return `01700000000000-${String(serialCounter).padStart(6, '0')}@test:000`;
}

function tokenMessage(name: string, responseId: string, data: string, headers: Record<string, string> = {}) {
  return {
    id: `m-${serialCounter}`,
    name,
    action: 'message.create',
    serial: serial(),
    data,
    timestamp: Date.now(),
    clientId: 'agent',
    extras: { headers: { [RESPONSE_ID_HEADER]: responseId, ...headers } },
  };
}

function StreamedMessage({ store, responseId }: { store: ResponseStore; responseId: string }) {
  const { text, status } = useStreamedResponse({ store, responseId });
  return (
    <p data-testid="ours" data-status={status}>
      {text}
    </p>
  );
}

/** The usual hand-rolled subscriber: one state update per token. */
function NaiveMessage({ subscribe }: { subscribe: (onToken: (token: string) => void) => () => void }) {
  const [text, setText] = useState('');
  useEffect(() => subscribe((token) => setText((previous) => previous + token)), [subscribe]);
  return <p data-testid="naive">{text}</p>;
}

describe('commit rate', () => {
  it('commits at most once per frame at 1,000 tokens/s for 2 s, first token and final state at once', () => {
    const frames = installManualFrames();
    const store = createResponseStore({ scheduler: createFrameScheduler() });
    const naiveListeners = new Set<(token: string) => void>();
    const subscribeNaive = (onToken: (token: string) => void) => {
      naiveListeners.add(onToken);
      return () => naiveListeners.delete(onToken);
    };
    let ourCommits = 0;
    let naiveCommits = 0;
    render(
      <StrictMode>
        <Profiler id="ours" onRender={() => ourCommits++}>
          <StreamedMessage store={store} responseId="fast-1" />
        </Profiler>
        <Profiler id="naive" onRender={() => naiveCommits++}>
          <NaiveMessage subscribe={subscribeNaive} />
        </Profiler>
      </StrictMode>,
    );
    const mountCommits = { ours: ourCommits, naive: naiveCommits };

    act(() => store.apply(tokenMessage(TOKEN_EVENT_NAMES.start, 'fast-1', '')));
    const tokens = Array.from({ length: 2000 }, (_, i) => `t${i} `);
    const frameMs = 1000 / 60;
    let nextFrameAt = frameMs;
    for (let ms = 0; ms < tokens.length; ms++) {
      const token = tokens[ms]!;
      act(() => {
        store.apply(tokenMessage(TOKEN_EVENT_NAMES.token, 'fast-1', token));
        for (const listener of naiveListeners) listener(token);
      });
      if (ms === 0) {
        // The first token is on screen before any frame.
        expect(screen.getByTestId('ours').textContent).toBe('t0 ');
      }
      while (ms + 1 >= nextFrameAt) {
        act(() => frames.tick(nextFrameAt));
        nextFrameAt += frameMs;
      }
    }
    const fullText = tokens.join('');
    act(() => store.apply(tokenMessage(TOKEN_EVENT_NAMES.stop, 'fast-1', '', { [STATUS_KEY]: 'complete' })));
    // The final state is on screen without waiting for a frame.
    expect(screen.getByTestId('ours').textContent).toBe(fullText);
    expect(screen.getByTestId('ours').dataset.status).toBe('complete');
    expect(screen.getByTestId('naive').textContent).toBe(fullText);

    const ours = ourCommits - mountCommits.ours;
    const naive = naiveCommits - mountCommits.naive;
    expect(ours).toBeLessThanOrEqual(130);
    expect(ours).toBeGreaterThanOrEqual(100);
    expect(naive).toBeGreaterThanOrEqual(2000);
    store.dispose();
  });
});
