import { describe, expect, it } from 'vitest';
import { connectChannel } from '../src/connect-channel.js';
import { createConversationStore } from '../src/conversation-store.js';
import { uniqueChannel, useEmulator, waitFor } from './helpers.js';

const env = useEmulator();

function conversationStore() {
  const store = createConversationStore();
  env.track({ stop: () => store.dispose() });
  return store;
}

describe('conversations on the real SDK', () => {
  it('a user turn sent twice with the same id appears once', async () => {
    const name = uniqueChannel();
    const browser = env.client({ clientId: 'ann' }).channels.get(name);
    const turn = { id: 'turn-1', name: 'turn', data: 'Hello?', extras: { headers: { turnId: 'turn-1' } } };
    await browser.publish(turn);
    // A retry after a dropped ACK, and another tab after a refresh: the same id.
    await browser.publish(turn);
    await env.client({ clientId: 'ann' }).channels.get(name).publish(turn);

    const store = conversationStore();
    const sync = connectChannel(env.client().channels.get(name), store, { strategy: 'history' });
    env.track(sync);
    await sync.ready;
    expect(store.getSnapshot().turns.map((t) => [t.turnId, t.user?.text, t.user?.clientId])).toEqual([
      ['turn-1', 'Hello?', 'ann'],
    ]);
  });

  it('loadOlder pages through a 200-turn conversation, newest turns first', { timeout: 60_000 }, async () => {
    const name = uniqueChannel();
    const agent = env.client({ clientId: 'agent' }).channels.get(name);
    const pending: Promise<unknown>[] = [];
    for (let t = 0; t < 200; t++) {
      const turnId = `t${t}`;
      const headers = { turnId, responseId: `r${t}` };
      pending.push(agent.publish({ id: turnId, name: 'turn', data: `question ${t}`, extras: { headers } }));
      const created = await agent.publish({ name: 'response', data: `answer ${t}`, extras: { headers } });
      pending.push(
        agent.appendMessage(
          { serial: created.serials[0]!, data: '', extras: { headers } },
          { metadata: { status: 'complete' } },
        ),
      );
    }
    await Promise.all(pending);

    const store = conversationStore();
    const sync = connectChannel(env.client().channels.get(name), store, {
      strategy: 'history',
      pageTurns: 20,
      historyPageSize: 20,
    });
    env.track(sync);
    await sync.ready;
    const first = store.getSnapshot().turns;
    // The first paint holds the newest turns only, each whole.
    expect(first.length).toBeGreaterThanOrEqual(20);
    expect(first.length).toBeLessThan(60);
    expect(first.at(-1)).toMatchObject({ turnId: 't199', user: { text: 'question 199' } });
    expect(first.at(-1)?.responses[0]).toMatchObject({ text: 'answer 199', status: 'complete' });
    expect(sync.hasOlder).toBe(true);

    let loads = 0;
    while (sync.hasOlder) {
      const before = store.getSnapshot().turns.length;
      await sync.loadOlder();
      loads++;
      expect(store.getSnapshot().turns.length).toBeGreaterThan(before);
    }
    expect(loads).toBeGreaterThan(3);
    const turns = store.getSnapshot().turns;
    expect(turns.map((turn) => turn.turnId)).toEqual(Array.from({ length: 200 }, (_, t) => `t${t}`));
    for (const [t, turn] of turns.entries()) {
      expect(turn.user?.text).toBe(`question ${t}`);
      expect(turn.responses.map((response) => [response.text, response.status])).toEqual([[`answer ${t}`, 'complete']]);
    }
    await waitFor(() => store.getSnapshot().syncStatus === 'live', 'live');
  });
});
