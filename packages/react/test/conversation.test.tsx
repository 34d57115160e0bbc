import { answerTurns, type PartEvent, partStream, type TurnRequest } from '@resumable/agent';
import type { ResponsePattern, SeedResponse } from '@resumable/core';
import { act, render, screen } from '@testing-library/react';
import type * as Ably from 'ably';
import { StrictMode } from 'react';
import { hydrateRoot } from 'react-dom/client';
import { renderToString } from 'react-dom/server';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import {
  type Conversation,
  type ConversationRequest,
  type UseConversationOptions,
  useConversation,
} from '../src/hooks.js';
import {
  AGENT_TRANSPORT_PARAMS,
  closeClients,
  type Emulator,
  makeClient,
  sleep,
  startTestEmulator,
  uniqueChannelName,
  waitUntil,
} from './helpers.js';

let emulator: Emulator;
beforeAll(async () => {
  emulator = await startTestEmulator();
});
afterEach(() => closeClients());
afterAll(async () => {
  await emulator?.stop();
});

/** Every render's view of the conversation, for asserting the states it went through. */
type Seen = { status: Conversation['status']; turns: string }[];

function describeTurns(chat: Conversation): string {
  return chat.turns
    .map((turn) => {
      const responses = turn.responses.map(
        (r) => `${r.status}[${r.parts.map((p) => `${p.kind}:${p.text}`).join('|')}]`,
      );
      return `${turn.user?.text ?? '?'} -> ${responses.join(' / ')}`;
    })
    .join('\n');
}

const latest: Record<string, Conversation> = {};

function Chat({ label, seen, ...options }: UseConversationOptions & { label: string; seen?: Seen }) {
  const chat = useConversation(options);
  latest[label] = chat;
  seen?.push({ status: chat.status, turns: describeTurns(chat) });
  return (
    <div data-testid={label} data-status={chat.status} data-connection={chat.connectionState ?? ''}>
      {chat.turns.map((turn) => (
        <section key={turn.id} data-testid={`${label}-turn`}>
          <p>{turn.user?.text}</p>
          {turn.responses.map((response) => (
            <p key={response.responseId} data-testid={`${label}-response`} data-status={response.status}>
              {response.text}
            </p>
          ))}
        </section>
      ))}
    </div>
  );
}

/** A gate the simulated model waits at, so tests can look at intermediate states. */
function gate() {
  let open: () => void = () => undefined;
  const opened = new Promise<void>((resolve) => {
    open = resolve;
  });
  return { open, opened };
}

/** A model that thinks, calls a tool and answers, waiting at `hold` before the answer's text. */
function thinkingModel(hold: Promise<void>) {
  return (turn: TurnRequest) =>
    partStream(
      (async function* (): AsyncGenerator<PartEvent> {
        yield { type: 'reasoning-delta', text: `Thinking about ${turn.text.length} characters.` };
        yield { type: 'tool-input-delta', toolCallId: 'c1', toolName: 'weather', text: '{"city":' };
        yield { type: 'tool-input-delta', toolCallId: 'c1', toolName: 'weather', text: '"Paris"}' };
        yield { type: 'tool-call', toolCallId: 'c1', toolName: 'weather', input: { city: 'Paris' } };
        yield { type: 'tool-result', toolCallId: 'c1', toolName: 'weather', output: { celsius: 18 } };
        await hold;
        for (const word of ['It ', 'is ', '18 ', '°C', turn.regenerate ? ' again.' : '.']) {
          if (turn.signal.aborted) return;
          yield { type: 'text-delta', text: word };
          await sleep(5);
        }
      })(),
    );
}

function startAgent(channelName: string, pattern: ResponsePattern, hold: Promise<void>) {
  const client = makeClient(emulator, {
    clientId: 'agent',
    echoMessages: false,
    transportParams: AGENT_TRANSPORT_PARAMS,
  });
  const channel = client.channels.get(channelName);
  return answerTurns(channel, thinkingModel(hold), { pattern });
}

const PATTERNS: ResponsePattern[] = ['message-per-response', 'message-per-token'];

describe.each(PATTERNS)('useConversation, %s', (pattern) => {
  it('goes ready → submitted → streaming → ready, showing the sent turn at once and once', async () => {
    const channelName = uniqueChannelName();
    const hold = gate();
    const answering = startAgent(channelName, pattern, hold.opened);
    const client = makeClient(emulator, { clientId: 'ana' });
    const seen: Seen = [];
    render(
      <StrictMode>
        <Chat label="a" seen={seen} client={client} channelName={channelName} strategy="history" />
      </StrictMode>,
    );
    await waitUntil(() => latest.a?.caughtUp === true, 10_000, 'caught up');
    expect(latest.a!.status).toBe('ready');
    expect(latest.a!.connectionState).toBe('connected');

    let sent: Promise<unknown> | undefined;
    act(() => {
      sent = latest.a!.send('Weather in Paris?');
    });
    // Optimistic: shown in the same act, before any round trip.
    expect(latest.a!.turns).toHaveLength(1);
    expect(latest.a!.turns[0]!.user?.text).toBe('Weather in Paris?');
    expect(latest.a!.status).toBe('submitted');
    await sent;

    await waitUntil(() => latest.a!.turns[0]?.responses[0]?.parts.some((p) => p.kind === 'tool-result') ?? false);
    expect(latest.a!.status).toBe('streaming');
    hold.open();
    await waitUntil(() => latest.a!.status === 'ready', 15_000, 'answer complete');

    const [turn] = latest.a!.turns;
    expect(latest.a!.turns).toHaveLength(1);
    expect(turn!.responses).toHaveLength(1);
    expect(turn!.responses[0]).toMatchObject({ status: 'complete', text: 'It is 18 °C.' });
    expect(turn!.responses[0]!.parts.map((p) => p.kind)).toEqual(['reasoning', 'tool-call', 'tool-result', 'text']);
    expect(turn!.responses[0]!.parts[1]).toMatchObject({ toolName: 'weather', value: { city: 'Paris' } });
    // Never two copies of the turn, never a user message that vanished and came back.
    expect(seen.every((view) => (view.turns.match(/Weather in Paris\?/g) ?? []).length <= 1)).toBe(true);
    const firstShown = seen.findIndex((view) => view.turns.includes('Weather in Paris?'));
    expect(seen.slice(firstShown).every((view) => view.turns.includes('Weather in Paris?'))).toBe(true);
    const order = seen.map((view) => view.status).filter((status, index, all) => status !== all[index - 1]);
    expect(order).toEqual(['ready', 'submitted', 'streaming', 'ready']);
    answering.stop();
  });

  it('is cancelled in every tab when another client stops it, and says who stopped it', async () => {
    const channelName = uniqueChannelName();
    const hold = gate();
    const answering = startAgent(channelName, pattern, hold.opened);
    const ana = makeClient(emulator, { clientId: 'ana' });
    const ben = makeClient(emulator, { clientId: 'ben' });
    render(
      <>
        <Chat label="ana" client={ana} channelName={channelName} strategy="history" />
        <Chat label="ben" client={ben} channelName={channelName} strategy="rewind" />
      </>,
    );
    await waitUntil(() => latest.ana?.caughtUp === true && latest.ben?.caughtUp === true, 10_000, 'caught up');
    await act(async () => {
      await latest.ana!.send('Weather in Paris?');
    });
    await waitUntil(() => latest.ben!.turns[0]?.responses[0]?.status === 'streaming', 15_000, 'ben sees it stream');
    await act(async () => {
      await latest.ben!.stop();
    });
    hold.open();
    await waitUntil(
      () => latest.ana!.turns[0]?.responses[0]?.status === 'cancelled' && latest.ben!.status === 'ready',
      15_000,
      'cancelled in both',
    );
    for (const label of ['ana', 'ben']) {
      const response = latest[label]!.turns[0]!.responses[0]!;
      expect(response).toMatchObject({ status: 'cancelled', cancelledBy: 'ben' });
      expect(response.text).not.toContain('18 °C.');
    }
    answering.stop();
  });

  it('regenerates: a sibling answer shows submitted at once and the first answer stays', async () => {
    const channelName = uniqueChannelName();
    const hold = gate();
    hold.open();
    const answering = startAgent(channelName, pattern, hold.opened);
    const client = makeClient(emulator, { clientId: 'ana' });
    render(<Chat label="a" client={client} channelName={channelName} strategy="rewind" />);
    await waitUntil(() => latest.a?.caughtUp === true, 10_000, 'caught up');
    await act(async () => {
      await latest.a!.send('Weather in Paris?');
    });
    await waitUntil(() => latest.a!.turns[0]?.responses[0]?.status === 'complete', 15_000, 'first answer');
    const turnId = latest.a!.turns[0]!.turnId!;
    act(() => {
      void latest.a!.regenerate(turnId);
    });
    expect(latest.a!.turns[0]!.responses.map((r) => r.status)).toEqual(['complete', 'submitted']);
    await waitUntil(() => latest.a!.turns[0]!.responses[1]?.status === 'complete', 15_000, 'second answer');
    expect(latest.a!.turns).toHaveLength(1);
    expect(latest.a!.turns[0]!.responses.map((r) => r.text)).toEqual(['It is 18 °C.', 'It is 18 °C again.']);
    answering.stop();
  });
});

describe('useConversation requests and paging', () => {
  it('sends through the app endpoint (a function), shows the turn once, and reports a failure as a value', async () => {
    const channelName = uniqueChannelName();
    const hold = gate();
    hold.open();
    const agentClient = makeClient(emulator, { clientId: 'agent', echoMessages: false });
    const answering = answerTurns(agentClient.channels.get(channelName), thinkingModel(hold.opened));
    const client = makeClient(emulator, { clientId: 'ana' });
    let failNext = true;
    const api = async (request: ConversationRequest) => {
      if (request.kind !== 'turn') throw new Error('only turns go to the endpoint in this test');
      if (failNext) {
        failNext = false;
        throw Object.assign(new Error('endpoint down'), { code: 50300 });
      }
      await answering.publishTurn({ text: request.text, turnId: request.turnId, responseId: request.responseId });
    };
    render(<Chat label="a" client={client} channelName={channelName} strategy="history" api={api} />);
    await waitUntil(() => latest.a?.caughtUp === true, 10_000, 'caught up');
    let first: Awaited<ReturnType<Conversation['send']>> | undefined;
    await act(async () => {
      first = await latest.a!.send('Weather in Paris?');
    });
    expect(first!.error).toMatchObject({ code: 50300, message: 'endpoint down' });
    expect(latest.a!.status).toBe('error');
    expect(latest.a!.turns[0]!.responses[0]!.status).toBe('error');
    // The retry with the same id is the same turn: it is not doubled.
    await act(async () => {
      await latest.a!.send('Weather in Paris?', { turnId: first!.turnId });
    });
    await waitUntil(() => latest.a!.status === 'ready' && latest.a!.turns[0]?.responses[0]?.status === 'complete');
    expect(latest.a!.turns).toHaveLength(1);
    expect(latest.a!.turns[0]!.responses).toHaveLength(1);
    expect(latest.a!.turns[0]!.responses[0]!.responseId).toBe(first!.responseId);
    answering.stop();
  });

  it('refuses bad options and empty text with a code and a hint, without touching the channel', async () => {
    const client = makeClient(emulator, { clientId: 'ana' });
    render(<Chat label="bad" client={client} channelName={uniqueChannelName()} strategy="history" pageSize={0} />);
    expect(latest.bad!.error).toMatchObject({ code: 40106 });
    expect(latest.bad!.error!.hint).toMatch(/pageSize/);
    const result = await latest.bad!.send('hello');
    expect(result.error?.code).toBe(40106);

    render(<Chat label="ok" client={client} channelName={uniqueChannelName()} strategy="history" />);
    await waitUntil(() => latest.ok?.caughtUp === true, 10_000, 'caught up');
    let empty: Awaited<ReturnType<Conversation['send']>> | undefined;
    await act(async () => {
      empty = await latest.ok!.send('   ');
    });
    expect(empty!.error?.hint).toMatch(/text/);
    expect(latest.ok!.turns).toHaveLength(0);
  });

  it('loads the newest turns first, then older ones with loadOlder, in channel order', async () => {
    const channelName = uniqueChannelName();
    const hold = gate();
    hold.open();
    // Message-per-token: about 13 messages a turn, so 12 turns need more than one 100-message history page.
    const answering = startAgent(channelName, 'message-per-token', hold.opened);
    const asked = Array.from({ length: 12 }, (_, index) => `question ${index}`);
    for (const text of asked) {
      const request = await answering.publishTurn({ text });
      await waitUntil(() => !answering.active.has(request.responseId), 15_000, text);
    }
    const client = makeClient(emulator, { clientId: 'ana' });
    render(<Chat label="paged" client={client} channelName={channelName} strategy="history" pageSize={2} />);
    await waitUntil(() => latest.paged?.caughtUp === true, 10_000, 'caught up');
    const questions = () => latest.paged!.turns.filter((t) => t.user).map((t) => t.user!.text);
    const first = questions();
    expect(first.length).toBeGreaterThanOrEqual(2);
    expect(first.length).toBeLessThan(asked.length);
    expect(first).toEqual(asked.slice(asked.length - first.length));
    expect(latest.paged!.hasOlder).toBe(true);
    for (let page = 0; page < 20 && latest.paged!.hasOlder; page++) {
      await act(async () => {
        await latest.paged!.loadOlder();
      });
    }
    expect(questions()).toEqual(asked);
    expect(latest.paged!.turns.every((turn) => turn.responses[0]?.status === 'complete')).toBe(true);
    expect(latest.paged!.turns.every((turn) => turn.responses[0]?.text === 'It is 18 °C.')).toBe(true);
    answering.stop();
  });

  it('renders a seeded conversation on the server and hydrates it without a mismatch', async () => {
    const seed: SeedResponse[] = [
      {
        responseId: 'r1',
        turnId: 't1',
        user: { text: 'Weather in Paris?', createdAt: 1_000 },
        text: 'It is',
        parts: [
          { kind: 'reasoning', text: 'Look it up.' },
          { kind: 'text', text: 'It is' },
        ],
        status: 'cancelled',
        cancelledBy: 'ben',
        createdAt: 1_001,
      },
    ];
    const channelName = uniqueChannelName();
    const html = renderToString(
      <Chat label="ssr" client={undefined} channelName={channelName} strategy="history" seed={seed} />,
    );
    expect(html).toContain('Weather in Paris?');
    expect(html).toContain('data-status="cancelled"');
    const container = document.createElement('div');
    container.innerHTML = html;
    document.body.append(container);
    const errors: unknown[] = [];
    const client = makeClient(emulator, { clientId: 'ana' });
    let root: ReturnType<typeof hydrateRoot> | undefined;
    await act(async () => {
      root = hydrateRoot(
        container,
        <Chat
          label="ssr"
          client={client as Ably.RealtimeClient}
          channelName={channelName}
          strategy="history"
          seed={seed}
        />,
        { onRecoverableError: (error) => errors.push(error) },
      );
    });
    await waitUntil(() => latest.ssr?.caughtUp === true, 10_000, 'caught up');
    expect(errors).toEqual([]);
    expect(latest.ssr!.turns[0]!.responses[0]).toMatchObject({ status: 'cancelled', cancelledBy: 'ben' });
    expect(screen.getAllByTestId('ssr-turn')).toHaveLength(1);
    act(() => root!.unmount());
    container.remove();
  });
});
