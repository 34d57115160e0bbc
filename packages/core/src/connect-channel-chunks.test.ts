// The rewind backfill is a chunk of its own. When it cannot be loaded the sync still goes live with what
// the rewind delivered, and says that responses without their beginning stay incomplete.
import type * as Ably from 'ably';
import { describe, expect, it, vi } from 'vitest';
import { connectChannel } from './connect-channel.js';
import { createResponseStore } from './response-store.js';
import { createImmediateScheduler } from './schedulers.js';
import { serialAt, token } from './test-utils/messages.js';
import { ScriptedChannel } from './test-utils/scripted-channel.js';
import type { Diagnostic } from './types.js';

vi.mock('./rewind-backfill.js', () => {
  throw new Error('Failed to fetch dynamically imported module');
});

describe('a rewind whose backfill chunk does not load', () => {
  it('goes live with what was delivered and reports the responses that may lack their beginning', async () => {
    const scripted = new ScriptedChannel();
    const diagnostics: Diagnostic[] = [];
    const store = createResponseStore({
      scheduler: createImmediateScheduler(),
      onDiagnostic: (diagnostic) => diagnostics.push(diagnostic),
    });
    const sync = connectChannel(scripted as unknown as Ably.RealtimeChannel, store, { strategy: 'rewind' });
    await sync.ready;
    expect(store.getSnapshot()).toMatchObject({ syncStatus: 'live', error: undefined });
    expect(diagnostics).toMatchObject([{ kind: 'history-truncated' }]);
    expect(diagnostics[0]!.message).toMatch(/backfill could not load .*stay incomplete$/);
    // A token of a response whose start the window cut off: shown, flagged, and the failure said again.
    scripted.deliver(token({ serial: serialAt(7), responseId: 'late', data: 'tail' }));
    expect(store.findByResponseId('late')).toMatchObject({ text: 'tail', incomplete: true });
    await vi.waitFor(() => expect(diagnostics).toHaveLength(2));
    expect(scripted.historyCalls).toEqual([]);
  });
});
