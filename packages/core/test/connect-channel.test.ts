import { DEFAULT_KEY } from '@resumable/emulator';
import type * as Ably from 'ably';
import { describe, expect, it } from 'vitest';
import { connectChannel } from '../src/connect-channel.js';
import type { ResponseStore } from '../src/response-store.js';
import type { HydrationStrategy } from '../src/types.js';
import { PerResponseAgent, PerTokenAgent, tokensOf, uniqueChannel, useEmulator, waitFor } from './helpers.js';

const SUBSCRIBE_ONLY_KEY = 'resumable.subonly:subscribe-only-secret';
// Publishers use the emulator's default append rollup window (40 ms), as on Ably.
const env = useEmulator({
  connectionStateTtl: 15_000,
  keys: [DEFAULT_KEY, { key: SUBSCRIBE_ONLY_KEY, capability: { '*': ['subscribe'] } }],
});

const TEXT = 'Resuming cleanly means nothing lost, nothing doubled, and no flicker when the page reloads.';
const strategies: HydrationStrategy[] = ['rewind', 'history'];

/** A second client (a fresh page) that hydrates a store from the channel. */
async function openPage(
  name: string,
  strategy: HydrationStrategy,
  extra: Parameters<typeof connectChannel>[2] = { strategy },
) {
  const client = env.client();
  const channel = client.channels.get(name);
  const { store, sync } = await env.connect(channel, { ...extra, strategy });
  return { client, channel, store, sync };
}

/**
 * History is applied before `ready` settles, so it must already hold. A rewind backlog has no end
 * marker (ready waits a settle time), so on a loaded machine it is waited for instead.
 */
async function expectBacklog(strategy: HydrationStrategy, holds: () => boolean) {
  if (strategy === 'history') expect(holds()).toBe(true);
  else await waitFor(holds, 'the rewind backlog');
}

function textOf(store: ResponseStore, responseId: string): string | undefined {
  return store.findByResponseId(responseId)?.text;
}

function statusOf(store: ResponseStore, responseId: string) {
  return store.findByResponseId(responseId)?.status;
}

async function waitComplete(store: ResponseStore, responseId: string, text: string) {
  await waitFor(
    () => statusOf(store, responseId) === 'complete' && textOf(store, responseId) === text,
    `"${responseId}" complete with the full text (have ${JSON.stringify(textOf(store, responseId))}, ${statusOf(store, responseId)})`,
  );
}

describe.each(strategies)('connectChannel with strategy %s', (strategy) => {
  it('refresh mid-stream (message-per-response): a new client ends with exactly the text, once', async () => {
    const name = uniqueChannel();
    const agent = new PerResponseAgent(env.client().channels.get(name), 'r1');
    const tokens = tokensOf(TEXT);
    await agent.start();
    agent.send(...tokens.slice(0, 12));
    await agent.flush();

    const page = await openPage(name, strategy);
    expect(page.store.getSnapshot()).toMatchObject({ syncStatus: 'live', caughtUp: true });
    await expectBacklog(strategy, () => textOf(page.store, 'r1') === tokens.slice(0, 12).join(''));
    agent.send(...tokens.slice(12));
    await agent.finish();

    await waitComplete(page.store, 'r1', TEXT);
    expect(page.store.getSnapshot().responses).toHaveLength(1);
    expect(page.store.getSnapshot().resyncCount).toBe(0);
  });

  it('refresh mid-stream (message-per-token): tokens before and after the reload join exactly', async () => {
    const name = uniqueChannel();
    const agent = new PerTokenAgent(env.client().channels.get(name), 't1');
    const tokens = tokensOf(TEXT, 6);
    await agent.start();
    agent.send(...tokens.slice(0, 7));
    await agent.flush();

    const page = await openPage(name, strategy);
    await expectBacklog(strategy, () => textOf(page.store, 't1') === tokens.slice(0, 7).join(''));
    agent.send(...tokens.slice(7));
    await agent.finish();

    await waitComplete(page.store, 't1', TEXT);
    expect(page.store.getSnapshot().responses).toHaveLength(1);
  });

  it('late join: a response that finished before the client arrived is complete at once', async () => {
    const name = uniqueChannel();
    const publisher = env.client().channels.get(name);
    const first = new PerResponseAgent(publisher, 'done-1');
    await first.start();
    first.send(...tokensOf('First answer.'));
    await first.finish('complete');
    const second = new PerTokenAgent(publisher, 'done-2');
    await second.start();
    second.send(...tokensOf('Second answer, cut short.'));
    await second.finish('cancelled');

    const page = await openPage(name, strategy);
    await expectBacklog(strategy, () => page.store.getSnapshot().responses.length === 2);
    expect(page.store.getSnapshot().responses.map((r) => [r.responseId, r.text, r.status])).toEqual([
      ['done-1', 'First answer.', 'complete'],
      ['done-2', 'Second answer, cut short.', 'cancelled'],
    ]);
  });

  it('transient disconnect: the connection resumes and the text is exact without a resync', async () => {
    const name = uniqueChannel();
    const agent = new PerResponseAgent(env.client().channels.get(name), 'r1');
    const tokens = tokensOf(TEXT);
    const page = await openPage(name, strategy);
    await agent.start();
    agent.send(...tokens.slice(0, 10));
    await waitFor(() => textOf(page.store, 'r1') === tokens.slice(0, 10).join(''), 'first tokens');

    const disconnected = new Promise((resolve) => page.client.connection.once('disconnected', resolve));
    env.emulator.faults.pauseDelivery(200);
    expect(env.emulator.faults.dropConnections(page.client.connection.id)).toBe(1);
    await disconnected;
    agent.send(...tokens.slice(10, 20));
    await agent.flush();
    agent.send(...tokens.slice(20));
    await agent.finish();

    await waitComplete(page.store, 'r1', TEXT);
    expect(page.store.getSnapshot()).toMatchObject({ syncStatus: 'live', resyncCount: 0 });
  });

  it('connection state loss: the store notices, re-hydrates on its own and ends exact', async () => {
    const name = uniqueChannel();
    const publisher = env.client().channels.get(name);
    const perResponse = new PerResponseAgent(publisher, 'r1');
    const perToken = new PerTokenAgent(publisher, 't1');
    const tokens = tokensOf(TEXT);
    const page = await openPage(name, strategy);
    await perResponse.start();
    await perToken.start();
    perResponse.send(...tokens.slice(0, 8));
    perToken.send(...tokens.slice(0, 8));
    await waitFor(() => textOf(page.store, 't1') === tokens.slice(0, 8).join(''), 'first tokens');

    const statuses: string[] = [];
    page.store.subscribe(() => statuses.push(page.store.getSnapshot().syncStatus));
    // Hold delivery back so what is published meanwhile is certainly missed by the old connection.
    env.emulator.faults.pauseDelivery(300);
    expect(env.emulator.faults.expireConnections(page.client.connection.id)).toBe(1);
    perResponse.send(...tokens.slice(8, 20));
    perToken.send(...tokens.slice(8, 20));
    await perResponse.flush();
    await perToken.flush();
    await waitFor(() => page.store.getSnapshot().resyncCount >= 1, 'a resync');
    perResponse.send(...tokens.slice(20));
    perToken.send(...tokens.slice(20));
    await perResponse.finish();
    await perToken.finish();

    await waitComplete(page.store, 'r1', TEXT);
    await waitComplete(page.store, 't1', TEXT);
    await waitFor(() => page.store.getSnapshot().syncStatus === 'live', 'live again');
    expect(statuses).toContain('resyncing');
    expect(page.store.getSnapshot()).toMatchObject({ caughtUp: true, error: undefined });
    expect(page.store.getSnapshot().responses).toHaveLength(2);
  });

  it('re-attaches and re-hydrates when something else detaches the channel', async () => {
    const name = uniqueChannel();
    const agent = new PerResponseAgent(env.client().channels.get(name), 'r1');
    const tokens = tokensOf(TEXT);
    const page = await openPage(name, strategy);
    await agent.start();
    agent.send(...tokens.slice(0, 10));
    await waitFor(() => textOf(page.store, 'r1') === tokens.slice(0, 10).join(''), 'first tokens');
    await page.channel.detach();
    agent.send(...tokens.slice(10, 20));
    await agent.flush();
    await waitFor(() => page.channel.state === 'attached', 'the sync to attach again');
    agent.send(...tokens.slice(20));
    await agent.finish();
    await waitComplete(page.store, 'r1', TEXT);
    await waitFor(() => page.store.getSnapshot().syncStatus === 'live', 'live again');
    expect(page.store.getSnapshot().resyncCount).toBe(1);
    expect(page.sync.state).toBe('live');
    page.sync.stop();
    expect(page.sync.state).toBe('stopped');
  });

  it('seed plus in-progress: completed responses from the database, the running one from the channel', async () => {
    const name = uniqueChannel();
    const publisher = env.client().channels.get(name);
    const done = new PerResponseAgent(publisher, 'db-1');
    await done.start();
    done.send(...tokensOf('Stored answer.'));
    await done.finish();
    const history = await publisher.history({ limit: 1 });
    const storedAt = history.items[0]!.timestamp;
    const running = new PerResponseAgent(publisher, 'live-1');
    await running.start();
    running.send(...tokensOf('Still stream'));
    await running.flush();

    const seed = [
      { responseId: 'db-0', text: 'Older stored answer.', createdAt: storedAt - 60_000 },
      { responseId: 'db-1', text: 'Stored answer.', createdAt: storedAt },
    ];
    const page = await openPage(name, strategy, { strategy, seed });
    running.send(...tokensOf('ing on.'));
    await running.finish();
    await waitComplete(page.store, 'live-1', 'Still streaming on.');
    expect(page.store.getSnapshot().responses.map((r) => [r.responseId, r.text, r.seeded])).toEqual([
      ['db-0', 'Older stored answer.', true],
      ['db-1', 'Stored answer.', true],
      ['live-1', 'Still streaming on.', false],
    ]);
  });

  it('several concurrent responses on one channel, joined mid-stream', async () => {
    const name = uniqueChannel();
    const publishers = [env.client(), env.client()].map((client) => client.channels.get(name));
    const agents = [
      new PerResponseAgent(publishers[0]!, 'a'),
      new PerResponseAgent(publishers[1]!, 'b'),
      new PerTokenAgent(publishers[0]!, 'c'),
      new PerTokenAgent(publishers[1]!, 'd'),
    ];
    const texts = ['Alpha streams first. ', 'Bravo answers too, slowly. ', 'Charlie per token. ', 'Delta as well!'];
    const tokenLists = texts.map((text) => tokensOf(text, 2));
    for (const agent of agents) await agent.start();
    const sendStep = (step: number) => {
      for (const [i, agent] of agents.entries()) agent.send(...tokenLists[i]!.slice(step, step + 1));
    };
    for (let step = 0; step < 4; step++) sendStep(step);
    for (const agent of agents) await agent.flush();

    const page = await openPage(name, strategy);
    for (let step = 4; step < 30; step++) sendStep(step);
    await Promise.all(agents.map((agent) => agent.finish()));
    for (const [i, agent] of agents.entries()) await waitComplete(page.store, agent.responseId, texts[i]!);
    expect(page.store.getSnapshot().responses.map((r) => r.responseId)).toEqual(['a', 'b', 'c', 'd']);
  });
});

describe('connectChannel with append rollup', () => {
  it('folds rolled-up appends (several tokens in one delivery) into the exact text', async () => {
    const name = uniqueChannel();
    const page = await openPage(name, 'history');
    const publisher = env.client({ transportParams: { appendRollupWindow: 40 } }).channels.get(name);
    const agent = new PerResponseAgent(publisher, 'r1');
    const deliveries: number[] = [];
    page.channel.subscribe((message) => {
      if (message.action === 'message.append') deliveries.push(1);
    });
    await agent.start();
    agent.send(...tokensOf(TEXT, 1));
    await agent.finish();
    await waitComplete(page.store, 'r1', TEXT);
    // Fewer deliveries than appends: the server did roll them up.
    expect(deliveries.length).toBeLessThan(TEXT.length);
  });
});

describe('rewind with message-per-token responses longer than the rewind window', () => {
  // 300 tokens plus start and stop: the beginning lies far outside a rewind of 100 messages.
  const LONG_TOKENS = Array.from({ length: 300 }, (_, index) => `w${index} `);

  async function publishLong(name: string, finished: boolean): Promise<PerTokenAgent> {
    const agent = new PerTokenAgent(env.client().channels.get(name), 'long');
    await agent.start();
    agent.send(...LONG_TOKENS);
    if (finished) await agent.finish();
    else await agent.flush();
    return agent;
  }

  async function openRewindPage(name: string, extra: Partial<Parameters<typeof connectChannel>[2]> = {}) {
    const diagnostics: string[] = [];
    const { store } = await env.connect(
      env.client().channels.get(name),
      { ...extra, strategy: 'rewind' },
      { onDiagnostic: (d) => diagnostics.push(d.kind) },
    );
    return { store, diagnostics };
  }

  it('a response still streaming when the page opens is rebuilt exactly from rewind plus history', async () => {
    const name = uniqueChannel();
    const agent = await publishLong(name, false);
    const { store, diagnostics } = await openRewindPage(name);
    await waitFor(
      () => textOf(store, 'long') === agent.text && store.findByResponseId('long')?.incomplete === undefined,
      'the whole beginning',
    );
    expect(statusOf(store, 'long')).toBe('streaming');
    agent.send('and ', 'the ', 'end.');
    await agent.finish();
    await waitComplete(store, 'long', `${LONG_TOKENS.join('')}and the end.`);
    expect('incomplete' in store.findByResponseId('long')!).toBe(false);
    expect(diagnostics).not.toContain('history-truncated');
    expect(store.getSnapshot().responses).toHaveLength(1);
  });

  it('a backlog that arrives after the sync went live is backfilled too (no settle time)', async () => {
    const name = uniqueChannel();
    const agent = await publishLong(name, true);
    const { store, diagnostics } = await openRewindPage(name, { rewind: '20', rewindSettleMs: 0 });
    await waitComplete(store, 'long', agent.text);
    expect(store.findByResponseId('long')!.incomplete).toBeUndefined();
    expect(diagnostics).not.toContain('history-truncated');
  });

  it('a response that finished before the page opened is complete with exactly its text', async () => {
    const name = uniqueChannel();
    const agent = await publishLong(name, true);
    const { store, diagnostics } = await openRewindPage(name);
    await waitComplete(store, 'long', agent.text);
    expect(store.findByResponseId('long')!.incomplete).toBeUndefined();
    expect(diagnostics).not.toContain('history-truncated');
  });
});

describe('connectChannel errors and limits', () => {
  it('reports a missing history capability as a value with a hint, and still goes live', async () => {
    const name = uniqueChannel();
    // A key that may subscribe but not read history.
    const client = env.client({ key: SUBSCRIBE_ONLY_KEY });
    const { store } = await env.connect(client.channels.get(name), { strategy: 'history' });
    const { syncStatus, error } = store.getSnapshot();
    expect(syncStatus).toBe('error');
    expect(error?.code).toBe(40160);
    expect(error?.hint).toMatch(/history/);
  });

  it('rewind without the history capability re-hydrates after state loss with a fresh rewind', async () => {
    const name = uniqueChannel();
    const agent = new PerResponseAgent(env.client().channels.get(name), 'r1');
    const tokens = tokensOf(TEXT);
    const client = env.client({ key: SUBSCRIBE_ONLY_KEY });
    const { store } = await env.connect(client.channels.get(name), { strategy: 'rewind' });
    await agent.start();
    agent.send(...tokens.slice(0, 8));
    await waitFor(() => textOf(store, 'r1') === tokens.slice(0, 8).join(''), 'first tokens');
    env.emulator.faults.pauseDelivery(300);
    expect(env.emulator.faults.expireConnections(client.connection.id)).toBe(1);
    agent.send(...tokens.slice(8, 20));
    await agent.flush();
    await waitFor(() => store.getSnapshot().resyncCount >= 1, 'a resync');
    agent.send(...tokens.slice(20));
    await agent.finish();
    await waitComplete(store, 'r1', TEXT);
    await waitFor(() => store.getSnapshot().syncStatus === 'live', 'live again');
    expect(store.getSnapshot().error).toBeUndefined();
  });

  it('rewind without the history capability flags a response longer than the window, never shows it as exact', async () => {
    const name = uniqueChannel();
    const agent = new PerTokenAgent(env.client().channels.get(name), 'long');
    await agent.start();
    agent.send(...Array.from({ length: 300 }, (_, index) => `w${index} `));
    await agent.finish();
    const diagnostics: string[] = [];
    const { store } = await env.connect(
      env.client({ key: SUBSCRIBE_ONLY_KEY }).channels.get(name),
      { strategy: 'rewind' },
      { onDiagnostic: (d) => diagnostics.push(d.kind) },
    );
    await waitFor(
      () => statusOf(store, 'long') === 'complete' && diagnostics.includes('history-truncated'),
      'the end of the backlog and a diagnostic',
    );
    const response = store.findByResponseId('long')!;
    expect(response.incomplete).toBe(true);
    // What arrived is the end of the text, with its beginning missing.
    expect(response.text.length).toBeGreaterThan(0);
    expect(response.text.length).toBeLessThan(agent.text.length);
    expect(agent.text.endsWith(response.text)).toBe(true);
    // Rewind without history is a supported setup: the store stays live.
    expect(store.getSnapshot()).toMatchObject({ syncStatus: 'live', error: undefined });
  });

  it('rewind flags the response and reports when the history limits end the backfill before its start', async () => {
    const name = uniqueChannel();
    const agent = new PerTokenAgent(env.client().channels.get(name), 'long');
    await agent.start();
    agent.send(...Array.from({ length: 300 }, (_, index) => `w${index} `));
    await agent.finish();
    const diagnostics: string[] = [];
    const { store } = await env.connect(
      env.client().channels.get(name),
      { strategy: 'rewind', historyPageSize: 50, maxHistoryPages: 2 },
      { onDiagnostic: (d) => diagnostics.push(d.kind) },
    );
    await waitFor(
      () => statusOf(store, 'long') === 'complete' && diagnostics.includes('history-truncated'),
      'the end of the backlog and a diagnostic',
    );
    const response = store.findByResponseId('long')!;
    expect(response.incomplete).toBe(true);
    expect(agent.text.endsWith(response.text)).toBe(true);
    expect(response.text.length).toBeLessThan(agent.text.length);
  });

  it('rejects invalid options through the store status, without throwing', async () => {
    const store = env.store();
    const channel = env.client().channels.get(uniqueChannel());
    const sync = connectChannel(channel, store, { strategy: 'history', historyPageSize: 5000 });
    await sync.ready;
    expect(store.getSnapshot().error).toMatchObject({ code: 40106 });
    expect(channel.state).toBe('initialized');
  });

  it('bounds history by page and message limits and says so', async () => {
    const name = uniqueChannel();
    const publisher = env.client().channels.get(name);
    for (let i = 0; i < 6; i++) {
      const agent = new PerTokenAgent(publisher, `m${i}`);
      await agent.start();
      agent.send('x');
      await agent.finish();
    }
    const page = await openPage(name, 'history', { strategy: 'history', historyPageSize: 4, maxHistoryPages: 2 });
    expect(page.store.getDiagnostics().byKind['history-truncated']).toBe(1);
    // 8 newest messages: the last two responses whole, the one before only its stop.
    expect(page.store.getSnapshot().responses.map((r) => r.responseId)).toEqual(['m3', 'm4', 'm5']);
    expect(page.store.getResponse('token:m5')!.text).toBe('x');
    // m3 lost its start to the limit: its text is flagged, the whole ones are not.
    expect(page.store.getResponse('token:m3')).toMatchObject({ text: 'x', status: 'complete', incomplete: true });
    expect(page.store.getResponse('token:m4')!.incomplete).toBeUndefined();
  });

  it('stops when the signal aborts: no more messages reach the store', async () => {
    const name = uniqueChannel();
    const controller = new AbortController();
    const client = env.client();
    const store = env.store();
    const sync = connectChannel(client.channels.get(name), store, { strategy: 'rewind', signal: controller.signal });
    await sync.ready;
    controller.abort();
    const agent = new PerTokenAgent(env.client().channels.get(name), 'late');
    await agent.start();
    agent.send('ignored');
    await agent.finish();
    // A second subscriber sees the stop, so the first one would have too.
    const witness = await openPage(name, 'history');
    expect(statusOf(witness.store, 'late')).toBe('complete');
    expect(store.getSnapshot().responses).toEqual([]);
  });

  it('joins a channel the app attached earlier without losing what arrived in between', async () => {
    const name = uniqueChannel();
    const client = env.client();
    const channel = client.channels.get(name);
    // Another part of the app listens on the channel already.
    const seenElsewhere: string[] = [];
    await channel.subscribe('token', (message) => {
      seenElsewhere.push(String(message.data));
    });
    const agent = new PerTokenAgent(env.client().channels.get(name), 't1');
    await agent.start();
    agent.send('sent ', 'after ', 'the attach');
    await waitFor(() => seenElsewhere.length === 3, 'the other listener to receive the tokens');
    const { store } = await env.connect(channel, { strategy: 'history' });
    agent.send(' and more');
    await agent.finish();
    await waitComplete(store, 't1', 'sent after the attach and more');
  });

  it('attaches a channel whose options turn attach-on-subscribe off (ably/react ChannelProvider)', async () => {
    const name = uniqueChannel();
    const agent = new PerResponseAgent(env.client().channels.get(name), 'r1');
    await agent.start();
    agent.send('before ');
    await agent.flush();
    for (const strategy of strategies) {
      const channel = env.client().channels.get(name, { attachOnSubscribe: false });
      const { store } = await env.connect(channel, { strategy });
      expect(channel.state).toBe('attached');
      expect(store.getSnapshot()).toMatchObject({ syncStatus: 'live', error: undefined });
      await waitFor(() => textOf(store, 'r1') === 'before ', `${strategy} backlog`);
    }
  });

  it('reads msgpack deliveries the same way', async () => {
    const name = uniqueChannel();
    const publisher = env.client({ format: 'msgpack' }).channels.get(name);
    const agent = new PerTokenAgent(publisher, 't1');
    await agent.start();
    agent.send('binary ', 'protocol ');
    await agent.flush();
    const channel = env.client({ format: 'msgpack' }).channels.get(name);
    const { store } = await env.connect(channel, { strategy: 'history' });
    agent.send('works');
    await agent.finish();
    await waitComplete(store, 't1', 'binary protocol works');
  });

  it('falls back to history when the channel is already attached (rewind cannot apply)', async () => {
    const name = uniqueChannel();
    const agent = new PerResponseAgent(env.client().channels.get(name), 'r1');
    await agent.start();
    agent.send('already ', 'there');
    await agent.finish();
    const client = env.client();
    const channel: Ably.RealtimeChannel = client.channels.get(name);
    await channel.attach();
    const { store } = await env.connect(channel, { strategy: 'rewind' });
    expect(textOf(store, 'r1')).toBe('already there');
  });
});
