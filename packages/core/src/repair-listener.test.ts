// The re-read code is a chunk of its own; when it cannot be loaded (a deploy replaced it, the network
// dropped), the request is not lost in silence: the store hears a `repair-failed` diagnostic.
import type * as Ably from 'ably';
import { describe, expect, it, vi } from 'vitest';
import { type RepairableStore, startRepairReads } from './repair-listener.js';
import type { Diagnostic, RepairRequest } from './types.js';

vi.mock('./repair-reads.js', () => {
  throw new Error('Failed to fetch dynamically imported module');
});

function storeWithOneRequest() {
  const diagnostics: Diagnostic[] = [];
  let listener: ((request: RepairRequest) => void) | undefined;
  const store: RepairableStore = {
    apply: () => undefined,
    applyHistoryPage: () => undefined,
    report: (diagnostic) => diagnostics.push(diagnostic),
    subscribeRepairs(next) {
      listener = next;
      return () => {
        listener = undefined;
      };
    },
  };
  const request: RepairRequest = Object.freeze({
    id: 'serial-1',
    pattern: 'message-per-response',
    responseId: 'r1',
    serial: 'serial-1',
    stillIncomplete: () => true,
  });
  return { store, diagnostics, ask: () => listener?.(request) };
}

const channel = {} as Ably.RealtimeChannel;
const limits = { historyPageSize: 100, maxHistoryPages: 50, maxHistoryMessages: 10_000 };

describe('repair reads whose code does not load', () => {
  it('report the response as still incomplete, once per request', async () => {
    const { store, diagnostics, ask } = storeWithOneRequest();
    startRepairReads(channel, store, limits);
    ask();
    ask();
    await vi.waitFor(() => expect(diagnostics).toHaveLength(1));
    expect(diagnostics[0]).toMatchObject({ kind: 'repair-failed', received: { responseId: 'r1' } });
    expect(diagnostics[0]!.message).toMatch(/^Response r1 could not be read again: .*it stays incomplete\.$/);
  });

  it('say nothing once the sync stopped', async () => {
    const { store, diagnostics, ask } = storeWithOneRequest();
    const stop = startRepairReads(channel, store, limits);
    ask();
    stop();
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(diagnostics).toEqual([]);
  });
});
