// Shared by the hook stories: a viewer, an in-browser agent and fault buttons, all against the
// local emulator that `pnpm storybook` (and the Storybook test run) starts on port 8788.
import { streamResponse } from '@resumable/agent';
import type { HydrationStrategy, ResponsePattern } from '@resumable/core';
import * as Ably from 'ably';
import { type ReactNode, useEffect, useRef, useState } from 'react';
import { expect, userEvent, waitFor, type within } from 'storybook/test';

/** Where the stories find the emulator. */
export const STORY_EMULATOR_PORT = 8788;

/**
 * Plain ably client options for the local emulator. The page holds no key: the Storybook server signs
 * a token request for `clientId` (.storybook/story-tokens.ts), and the SDK fetches it again on expiry.
 */
export function emulatorClientOptions(clientId: string): Ably.ClientOptions {
  return {
    authUrl: new URL('/__story-emulator/token', location.href).toString(),
    authParams: { clientId },
    clientId,
    endpoint: '127.0.0.1',
    port: STORY_EMULATOR_PORT,
    tls: false,
    useBinaryProtocol: false,
    transports: ['web_socket'],
    disableConnectivityCheck: true,
    logLevel: 0,
  };
}

/**
 * Ask the emulator to drop (`drop`) or drop and forget (`expire`) one connection, through the Storybook
 * server (.storybook/emulator-bridge.ts): the emulator's control endpoint refuses web pages.
 */
export async function injectFault(kind: 'drop' | 'expire', connectionId: string | undefined): Promise<void> {
  const res = await fetch(`/__story-emulator/faults/${kind}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ connectionId }),
  });
  if (!res.ok) throw new Error(`The "${kind}" fault failed (${res.status}): ${await res.text()}`);
}

/** The rendered text of a `<StreamingMessage>` inside `element`, without its status announcement. */
export const renderedText = (element: HTMLElement) => element.querySelector('[data-part="content"]')?.textContent ?? '';

/** What the agent's markdown looks like once rendered: the same words, no `**` markers. */
export const asRendered = (markdown: string | undefined) => (markdown ?? '').replaceAll('**', '').trim();

/**
 * The start of every hook story's play: ask the agent, wait until the message with test id
 * `messageTestId` shows some text, press the fault buttons named in `faults` in order, and wait for
 * the agent to finish. Returns the markdown the agent sent.
 */
export async function askThenInterrupt(
  canvas: ReturnType<typeof within>,
  messageTestId: string,
  faults: readonly string[],
): Promise<string> {
  await userEvent.click(canvas.getByRole('button', { name: 'Ask the agent' }));
  await waitFor(() => expect(renderedText(canvas.getByTestId(messageTestId)).length).toBeGreaterThan(20), {
    timeout: 10_000,
  });
  for (const name of faults) await userEvent.click(canvas.getByRole('button', { name }));
  await waitFor(() => expect(canvas.getByTestId('agent').dataset.status).toBe('complete'), { timeout: 20_000 });
  return canvas.getByTestId('agent').dataset.expected ?? '';
}

const WORDS = [
  'Streaming ',
  'tokens ',
  'over ',
  'Ably ',
  'with ',
  '**resumable** ',
  'hooks, ',
  'one ',
  'frame ',
  'at a time. ',
];

/** A simulated model: `count` tokens, one every `delayMs`. */
async function* simulatedModel(count: number, delayMs: number): AsyncIterable<string> {
  for (let i = 0; i < count; i++) {
    await new Promise((resolve) => setTimeout(resolve, delayMs));
    yield WORDS[i % WORDS.length]!;
  }
}

export interface StoryControlsProps {
  readonly channelName: string;
  readonly pattern: ResponsePattern;
  readonly strategy: HydrationStrategy;
  /** Renders the page under test with a client; a new client on every refresh. */
  readonly children: (client: Ably.Realtime) => ReactNode;
}

/** Buttons that make an agent answer, refresh the page, or cut its connection. */
export function StoryControls({ channelName, pattern, children }: StoryControlsProps) {
  const [page, setPage] = useState(() => ({ client: new Ably.Realtime(emulatorClientOptions('viewer')), load: 1 }));
  const client = page.client;
  const [expected, setExpected] = useState('');
  const [agentStatus, setAgentStatus] = useState('idle');
  const agent = useRef<Ably.Realtime | undefined>(undefined);

  const ask = async () => {
    agent.current ??= new Ably.Realtime({
      ...emulatorClientOptions('agent'),
      echoMessages: false,
    });
    setAgentStatus('streaming');
    try {
      const result = await streamResponse(agent.current.channels.get(channelName), simulatedModel(60, 40), {
        pattern,
      });
      setExpected(result.text);
      setAgentStatus(result.status);
    } catch (error) {
      setAgentStatus(`failed: ${String(error)}`);
    }
  };
  const refresh = () => {
    client.close();
    setPage((current) => ({ client: new Ably.Realtime(emulatorClientOptions('viewer')), load: current.load + 1 }));
  };
  useEffect(() => () => client.close(), [client]);
  useEffect(() => () => agent.current?.close(), []);

  return (
    <div style={{ display: 'grid', gap: 12, fontFamily: 'system-ui, sans-serif', maxWidth: 640 }}>
      <div style={{ display: 'flex', gap: 8, flexWrap: 'wrap' }}>
        <button type="button" onClick={ask}>
          Ask the agent
        </button>
        <button type="button" onClick={refresh}>
          Refresh the page
        </button>
        <button type="button" onClick={() => injectFault('drop', client.connection.id)}>
          Disconnect briefly
        </button>
        <button type="button" onClick={() => injectFault('expire', client.connection.id)}>
          Lose connection state
        </button>
      </div>
      <output data-testid="agent" data-status={agentStatus} data-expected={expected}>
        agent: {agentStatus}
      </output>
      <div key={page.load} data-testid="page" data-load={page.load}>
        {children(client)}
      </div>
    </div>
  );
}
