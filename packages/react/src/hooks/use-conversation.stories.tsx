import { answerTurns, type PartEvent, partStream, type TurnAnswering } from '@resumable/agent';
import type { Meta, StoryObj } from '@storybook/react-vite';
import * as Ably from 'ably';
import { useEffect, useRef, useState } from 'react';
import { expect, userEvent, waitFor, within } from 'storybook/test';
import { StreamingMessage } from '../streaming-message/streaming-message.js';
import { emulatorClientOptions, injectFault } from './story-emulator.js';
import { useConversation } from './use-conversation.js';

const ANSWER_WORDS = ['It ', 'is ', '**sunny** ', 'in ', 'Paris, ', '21 ', '°C. ', 'Enjoy ', 'the ', 'walk.'];

/** A model that thinks, calls a weather tool (with a delay) and answers word by word. */
function weatherModel(turn: { signal: AbortSignal }) {
  const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
  return partStream(
    (async function* (): AsyncGenerator<PartEvent> {
      for (const word of ['The ', 'user ', 'asks ', 'about ', 'the ', 'weather.']) {
        yield { type: 'reasoning-delta', text: word };
        await pause(60);
      }
      yield { type: 'tool-input-delta', toolCallId: 'w1', toolName: 'weather', text: '{"city":' };
      await pause(120);
      yield { type: 'tool-input-delta', toolCallId: 'w1', toolName: 'weather', text: '"Paris"}' };
      yield { type: 'tool-call', toolCallId: 'w1', toolName: 'weather', input: { city: 'Paris' } };
      await pause(500);
      yield { type: 'tool-result', toolCallId: 'w1', toolName: 'weather', output: { sky: 'sunny', celsius: 21 } };
      for (const word of ANSWER_WORDS) {
        if (turn.signal.aborted) return;
        yield { type: 'text-delta', text: word };
        await pause(80);
      }
    })(),
  );
}

function ChatPage({ client, channelName }: { client: Ably.Realtime; channelName: string }) {
  const chat = useConversation({ client, channelName, strategy: 'history' });
  return (
    <section data-testid="chat" data-status={chat.status} data-connection={chat.connectionState}>
      <p>
        {chat.status} · {chat.connectionState}
      </p>
      <div role="log" aria-label="Conversation">
        {chat.turns.map((turn) => (
          <div key={turn.id} data-testid="turn">
            <p data-testid="user">{turn.user?.text}</p>
            {turn.responses.map((response) => (
              <StreamingMessage
                key={response.responseId}
                data-testid="answer"
                response={response}
                reconnecting={chat.connectionState !== 'connected'}
              />
            ))}
          </div>
        ))}
      </div>
      <button type="button" onClick={() => chat.send('Weather in Paris?')}>
        Send
      </button>
      <button type="button" onClick={() => chat.stop()}>
        Stop
      </button>
    </section>
  );
}

function ConversationDemo({ channelName }: { channelName: string }) {
  const [page, setPage] = useState(() => ({ client: new Ably.Realtime(emulatorClientOptions('viewer')), load: 1 }));
  const agent = useRef<{ client: Ably.Realtime; answering: TurnAnswering } | undefined>(undefined);
  const [agentReady, setAgentReady] = useState(false);
  useEffect(() => {
    const client = new Ably.Realtime({ ...emulatorClientOptions('agent'), echoMessages: false });
    const channel = client.channels.get(channelName);
    agent.current = { client, answering: answerTurns(channel, weatherModel) };
    // Turns published before the agent listens are not answered: the play waits for this.
    void channel.whenState('attached').then(() => setAgentReady(true));
    return () => {
      agent.current?.answering.stop();
      client.close();
    };
  }, [channelName]);
  useEffect(() => () => page.client.close(), [page.client]);
  const refresh = () => {
    page.client.close();
    setPage((current) => ({ client: new Ably.Realtime(emulatorClientOptions('viewer')), load: current.load + 1 }));
  };
  return (
    <div style={{ display: 'grid', gap: 12, fontFamily: 'system-ui, sans-serif', maxWidth: 640 }}>
      <output data-testid="agent" data-ready={agentReady}>
        agent: {agentReady ? 'listening' : 'starting'}
      </output>
      <div style={{ display: 'flex', gap: 8 }}>
        <button type="button" onClick={refresh}>
          Refresh the page
        </button>
        <button type="button" onClick={() => injectFault('drop', page.client.connection.id)}>
          Disconnect briefly
        </button>
      </div>
      <div key={page.load} data-testid="page">
        <ChatPage client={page.client} channelName={channelName} />
      </div>
    </div>
  );
}

const meta = {
  title: 'Hooks/useConversation',
  component: ConversationDemo,
  args: { channelName: 'ai:story-conversation' },
} satisfies Meta<typeof ConversationDemo>;

export default meta;
type Story = StoryObj<typeof meta>;

const unique = (base: string) => `${base}-${Math.random().toString(36).slice(2, 8)}`;
const answerText = ANSWER_WORDS.join('').replaceAll('**', '');

/** A turn with reasoning, a tool call and text; disconnected during the tool call, refreshed mid-answer: exact. */
export const RefreshAndDisconnect: Story = {
  args: { channelName: unique('ai:story-conversation') },
  play: async ({ canvasElement }) => {
    const canvas = within(canvasElement);
    await waitFor(() => expect(canvas.getByTestId('chat').dataset.connection).toBe('connected'), { timeout: 10_000 });
    await waitFor(() => expect(canvas.getByTestId('agent').dataset.ready).toBe('true'), { timeout: 10_000 });
    await userEvent.click(canvas.getByRole('button', { name: 'Send' }));
    // Shown at once, before the channel echoes it.
    expect(canvas.getByTestId('user').textContent).toBe('Weather in Paris?');
    await waitFor(() => expect(canvas.getByRole('region', { name: 'Tool weather: Running' })).toBeTruthy(), {
      timeout: 10_000,
    });
    await userEvent.click(canvas.getByRole('button', { name: 'Disconnect briefly' }));
    await waitFor(() => expect(canvas.getByRole('region', { name: 'Tool weather: Done' })).toBeTruthy(), {
      timeout: 15_000,
    });
    await userEvent.click(canvas.getByRole('button', { name: 'Refresh the page' }));
    await waitFor(
      () => {
        const answer = canvas.getByTestId('answer');
        expect(answer.dataset.status).toBe('complete');
        expect(answer.querySelector('[data-part="text"]')?.textContent).toBe(answerText.trim());
      },
      { timeout: 20_000 },
    );
    expect(canvas.getAllByTestId('turn')).toHaveLength(1);
    expect(canvas.getAllByTestId('answer')).toHaveLength(1);
    const card = canvas.getByRole('region', { name: 'Tool weather: Done' });
    expect(within(card).getByRole('region', { name: 'Result of weather' }).textContent).toContain('"sky": "sunny"');
    expect(canvasElement.querySelector('[data-part="reasoning"]')?.getAttribute('data-state')).toBe('done');
  },
};

/** Stop during the answer: it ends cancelled and stays cancelled after a refresh. */
export const StopThenRefresh: Story = {
  args: { channelName: unique('ai:story-conversation-stop') },
  play: async ({ canvasElement }) => {
    const canvas = within(canvasElement);
    await waitFor(() => expect(canvas.getByTestId('chat').dataset.connection).toBe('connected'), { timeout: 10_000 });
    await waitFor(() => expect(canvas.getByTestId('agent').dataset.ready).toBe('true'), { timeout: 10_000 });
    await userEvent.click(canvas.getByRole('button', { name: 'Send' }));
    await waitFor(() => expect(canvas.getByRole('region', { name: 'Tool weather: Running' })).toBeTruthy(), {
      timeout: 10_000,
    });
    await userEvent.click(canvas.getByRole('button', { name: 'Stop' }));
    await waitFor(() => expect(canvas.getByTestId('answer').dataset.status).toBe('cancelled'), { timeout: 10_000 });
    await userEvent.click(canvas.getByRole('button', { name: 'Refresh the page' }));
    await waitFor(() => expect(canvas.getByTestId('chat').dataset.status).toBe('ready'), { timeout: 10_000 });
    await waitFor(() => expect(canvas.getByTestId('answer').dataset.status).toBe('cancelled'), { timeout: 10_000 });
    expect(canvas.getByRole('region', { name: /^Tool weather: (Cancelled|Done)$/ })).toBeTruthy();
  },
};
