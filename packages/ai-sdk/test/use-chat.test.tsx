import { useChat } from '@ai-sdk/react';
import type { TurnAnswering } from '@resumable/agent';
import { answerChatRequest } from '@resumable/agent/ai-sdk';
import { type Emulator, startEmulator } from '@resumable/emulator';
import { renderHook, waitFor } from '@testing-library/react';
import * as Ably from 'ably';
import type { UIMessage } from 'ai';
import { StrictMode } from 'react';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createResumableChatTransport } from '../src/chat-transport.js';
import { toUIMessages } from '../src/ui-messages.js';
import { ANSWER, gate, startAgent } from './chat-agent.js';

let emulator: Emulator;
const cleanups: Array<() => void> = [];
let counter = 0;

beforeAll(async () => {
  emulator = await startEmulator({ port: 0 });
});
afterEach(() => {
  for (const cleanup of cleanups.splice(0).reverse()) cleanup();
});
afterAll(async () => {
  await emulator?.stop();
});

async function client(clientId: string, echo = true): Promise<Ably.Realtime> {
  const realtime = new Ably.Realtime({
    ...(emulator.clientOptions({ format: 'json', clientId }) as Ably.ClientOptions),
    echoMessages: echo,
    logLevel: 0,
  });
  cleanups.push(() => realtime.close());
  await realtime.connection.whenState('connected');
  return realtime;
}

function startAgentFor(channel: Ably.RealtimeChannel, midAnswer: ReturnType<typeof gate>, resume: Promise<void>) {
  const answering = startAgent(channel, midAnswer, resume);
  cleanups.push(() => answering.stop());
  return answering;
}

/** The app's endpoint, in process: the transport's POST body goes to answerChatRequest. */
function endpoint(answering: TurnAnswering): typeof fetch {
  return async (_url, init) => {
    await answerChatRequest(answering, JSON.parse(String(init?.body)));
    return new Response(null, { status: 202 });
  };
}

async function browser(name: string, answering: TurnAnswering) {
  const realtime = await client('ann');
  const transport = createResumableChatTransport({
    channel: () => realtime.channels.get(name),
    fetch: endpoint(answering),
  });
  cleanups.push(() => transport.close());
  /** The tab is gone (a refresh): its connection closes, nothing of React's cleanup runs. */
  const closeTab = () => {
    transport.close();
    realtime.close();
  };
  return { transport, closeTab, realtime };
}

const textOf = (message: UIMessage | undefined) =>
  (message?.parts ?? []).map((part) => (part.type === 'text' ? part.text : '')).join('');
const roles = (messages: UIMessage[]) => messages.map((message) => message.role);

describe('useChat with the resumable transport', () => {
  it('send, stream, reload mid-stream with resume, stop: exact text, one assistant message per answer', async () => {
    const name = `ai:chat-${process.pid}-${++counter}`;
    const chatId = `chat-${counter}`;
    const midAnswer = gate();
    const resume = gate();
    const answering = startAgentFor((await client('agent', false)).channels.get(name), midAnswer, resume.opened);

    // Send, and stream until the answer's text is half written.
    const { transport: first, closeTab } = await browser(name, answering);
    const page1 = renderHook(() => useChat({ id: chatId, transport: first }), { wrapper: StrictMode });
    void page1.result.current.sendMessage({ text: 'Weather in Paris?' });
    await midAnswer.opened;
    await waitFor(() => expect(textOf(page1.result.current.messages.at(-1))).toBe('It is 18 °C '));
    expect(page1.result.current.status).toBe('streaming');
    const streamingParts = page1.result.current.messages.at(-1)!.parts.map((part) => part.type);
    expect(streamingParts).toEqual(['step-start', 'reasoning', 'tool-weather', 'text']);

    // Reload: a new page (new Ably client, new transport) starts from the channel and resumes the stream.
    closeTab();
    const { transport: second } = await browser(name, answering);
    const restored = await second.loadMessages(chatId);
    expect(roles(restored)).toEqual(['user', 'assistant']);
    expect(textOf(restored[1])).toBe('It is 18 °C ');
    const page2 = renderHook(() => useChat({ id: chatId, messages: restored, transport: second, resume: true }), {
      wrapper: StrictMode,
    });
    await waitFor(() => expect(page2.result.current.status).toBe('streaming'));
    resume.open();
    await waitFor(() => expect(page2.result.current.status).toBe('ready'));
    const messages = page2.result.current.messages;
    expect(roles(messages)).toEqual(['user', 'assistant']);
    expect(textOf(messages[1])).toBe(ANSWER);
    expect(messages[1]!.parts.find((part) => part.type === 'tool-weather')).toMatchObject({
      state: 'output-available',
      input: { city: 'Paris' },
      output: { celsius: 18 },
    });
    // What useChat built from the stream is what the converter builds from the channel.
    const { store } = second.conversation(chatId);
    await waitFor(() => expect(store.getSnapshot().turns[0]?.responses[0]?.status).toBe('complete'));
    expect(messages).toEqual(toUIMessages(store.getSnapshot()));

    // Stop: the agent is asked on the channel, the answer ends cancelled, still one assistant message.
    void page2.result.current.sendMessage({ text: 'talk' });
    await waitFor(() => expect(textOf(page2.result.current.messages.at(-1))).toMatch(/word2 /));
    await page2.result.current.stop();
    await waitFor(() => expect(page2.result.current.status).toBe('ready'));
    const stoppedAt = textOf(page2.result.current.messages.at(-1));
    await waitFor(() => expect(store.getSnapshot().turns[1]?.responses[0]?.status).toBe('cancelled'));
    const cancelled = store.getSnapshot().turns[1]!.responses[0]!;
    expect(cancelled.cancelledBy).toBe('ann');
    expect(cancelled.text.startsWith(stoppedAt)).toBe(true);
    expect(roles(page2.result.current.messages)).toEqual(['user', 'assistant', 'user', 'assistant']);

    // A reload after the stop shows the channel's exact text and resumes nothing.
    page2.unmount();
    second.close();
    const { transport: third } = await browser(name, answering);
    const afterStop = await third.loadMessages(chatId);
    const page3 = renderHook(() => useChat({ id: chatId, messages: afterStop, transport: third, resume: true }));
    await waitFor(() => expect(page3.result.current.status).toBe('ready'));
    expect(roles(page3.result.current.messages)).toEqual(['user', 'assistant', 'user', 'assistant']);
    expect(textOf(page3.result.current.messages[3])).toBe(cancelled.text);
    expect(textOf(page3.result.current.messages[1])).toBe(ANSWER);
  });
});

describe('regenerate', () => {
  it('answers the turn again under a new id: still one assistant message, the old answer a sibling on the channel', async () => {
    const name = `ai:chat-${process.pid}-${++counter}`;
    const chatId = `chat-${counter}`;
    const released = gate();
    released.open();
    const answering = startAgentFor((await client('agent', false)).channels.get(name), gate(), released.opened);
    const { transport } = await browser(name, answering);
    const page = renderHook(() => useChat({ id: chatId, transport }));
    void page.result.current.sendMessage({ text: 'Weather in Paris?' });
    await waitFor(() => expect(textOf(page.result.current.messages.at(-1))).toBe(ANSWER));
    await waitFor(() => expect(page.result.current.status).toBe('ready'));
    const firstId = page.result.current.messages[1]!.id;
    void page.result.current.regenerate();
    await waitFor(() => expect(page.result.current.messages[1]?.id).not.toBe(firstId));
    await waitFor(() => expect(page.result.current.status).toBe('ready'));
    expect(roles(page.result.current.messages)).toEqual(['user', 'assistant']);
    expect(textOf(page.result.current.messages[1])).toBe(ANSWER);
    const { store } = transport.conversation(chatId);
    await waitFor(() =>
      expect(store.getSnapshot().turns[0]?.responses.map((r) => r.status)).toEqual(['complete', 'complete']),
    );
    expect(store.getSnapshot().turns[0]?.responses.map((r) => r.responseId)).toEqual([
      firstId,
      page.result.current.messages[1]!.id,
    ]);
    expect(page.result.current.messages).toEqual(toUIMessages(store.getSnapshot()));
  });
});

describe('useChat across devices and outages', () => {
  it('a late joiner and a tab whose connection state is lost mid-answer both end with the exact answer, once', async () => {
    const name = `ai:chat-${process.pid}-${++counter}`;
    const chatId = `chat-${counter}`;
    const midAnswer = gate();
    const resume = gate();
    const answering = startAgentFor((await client('agent', false)).channels.get(name), midAnswer, resume.opened);
    const tab = await browser(name, answering);
    const page = renderHook(() => useChat({ id: chatId, transport: tab.transport }));
    void page.result.current.sendMessage({ text: 'Weather in Paris?' });
    await midAnswer.opened;
    await waitFor(() => expect(textOf(page.result.current.messages.at(-1))).toBe('It is 18 °C '));

    // A second device opens the chat mid-answer and resumes it.
    const other = await browser(name, answering);
    const restored = await other.transport.loadMessages(chatId);
    const late = renderHook(() =>
      useChat({ id: chatId, messages: restored, transport: other.transport, resume: true }),
    );
    await waitFor(() => expect(late.result.current.status).toBe('streaming'));

    // The first tab loses its connection state (longer than Ably can resume) while the answer finishes.
    tab.realtime.connection.once('disconnected', () => resume.open());
    emulator.faults.cutOff(tab.realtime.connection.id!, 300, { expire: true });
    for (const current of [page, late]) {
      await waitFor(() => expect(current.result.current.status).toBe('ready'), { timeout: 15_000 });
      const messages = current.result.current.messages;
      expect(roles(messages)).toEqual(['user', 'assistant']);
      expect(textOf(messages[1])).toBe(ANSWER);
    }
    const { store } = tab.transport.conversation(chatId);
    expect(store.getSnapshot().resyncCount).toBeGreaterThan(0);
    expect(page.result.current.messages).toEqual(toUIMessages(store.getSnapshot()));
    expect(late.result.current.messages).toEqual(page.result.current.messages);
  });
});

describe('transport errors', () => {
  it('needs a channel function', () => {
    expect(() => createResumableChatTransport({} as never)).toThrow(/channel/);
  });

  it('an endpoint that refuses the request puts useChat in error, with the status in the message', async () => {
    const realtime = await client('ann');
    const transport = createResumableChatTransport({
      channel: () => realtime.channels.get(`ai:chat-${process.pid}-${++counter}`),
      fetch: async () => new Response('nope', { status: 503 }),
    });
    cleanups.push(() => transport.close());
    const page = renderHook(() => useChat({ id: 'refused', transport }));
    void page.result.current.sendMessage({ text: 'hello' });
    await waitFor(() => expect(page.result.current.status).toBe('error'));
    expect(page.result.current.error?.message).toMatch(/answered 503/);
    expect(roles(page.result.current.messages)).toEqual(['user']);
  });

  it('close() ends the streams in flight', async () => {
    const realtime = await client('ann');
    const transport = createResumableChatTransport({
      channel: () => realtime.channels.get(`ai:chat-${process.pid}-${++counter}`),
      // An endpoint that accepts, with no agent behind it: the answer never comes.
      fetch: async () => new Response(null, { status: 202 }),
    });
    const stream = await transport.sendMessages({
      chatId: 'silent',
      trigger: 'submit-message',
      messageId: undefined,
      messages: [{ id: 'u1', role: 'user', parts: [{ type: 'text', text: 'hello?' }] }],
      abortSignal: undefined,
    });
    const reader = stream.getReader();
    const read = reader.read();
    transport.close();
    expect(await read).toEqual({ done: true, value: undefined });
  });

  it('regenerating without a user message fails with a hint', async () => {
    const transport = createResumableChatTransport({ channel: () => ({}) as never });
    await expect(
      transport.sendMessages({
        chatId: 'x',
        trigger: 'regenerate-message',
        messageId: undefined,
        messages: [],
        abortSignal: undefined,
      }),
    ).rejects.toThrow(/no user message/);
  });
});
