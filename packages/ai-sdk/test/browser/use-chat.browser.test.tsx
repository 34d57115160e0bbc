import { useChat } from '@ai-sdk/react';
import { renderHook, waitFor } from '@testing-library/react';
import * as Ably from 'ably';
import type { UIMessage } from 'ai';
import { StrictMode } from 'react';
import { afterEach, expect, inject, it } from 'vitest';
import { createResumableChatTransport } from '../../src/chat-transport.js';
import { ANSWER } from '../chat-agent.js';

const { endpoint, clientOptions } = inject('chatServer');
const cleanups: Array<() => void> = [];
afterEach(() => {
  for (const cleanup of cleanups.splice(0).reverse()) cleanup();
});

const textOf = (message: UIMessage | undefined) =>
  (message?.parts ?? []).map((part) => (part.type === 'text' ? part.text : '')).join('');

async function tab() {
  const realtime = new Ably.Realtime({ ...clientOptions, logLevel: 0 });
  await realtime.connection.whenState('connected');
  const transport = createResumableChatTransport({
    channel: (chatId) => realtime.channels.get(`ai:${chatId}`),
    api: `${endpoint}/api/chat`,
  });
  const close = () => {
    transport.close();
    realtime.close();
  };
  cleanups.push(close);
  return { transport, close };
}

it('in Chromium: send, stream, refresh mid-answer and resume, exact text, one assistant message', async () => {
  await fetch(`${endpoint}/allow-origin`, { method: 'POST' });
  const chatId = `browser-${Date.now()}`;
  const first = await tab();
  const page1 = renderHook(() => useChat({ id: chatId, transport: first.transport }), { wrapper: StrictMode });
  void page1.result.current.sendMessage({ text: 'Weather in Paris?' });
  await fetch(`${endpoint}/held?chatId=${chatId}`, { method: 'POST' });
  await waitFor(() => expect(textOf(page1.result.current.messages.at(-1))).toBe('It is 18 °C '));

  // The refresh: the tab's connection goes away, a new one starts from the channel.
  first.close();
  const second = await tab();
  const restored = await second.transport.loadMessages(chatId);
  const page2 = renderHook(
    () => useChat({ id: chatId, messages: restored, transport: second.transport, resume: true }),
    { wrapper: StrictMode },
  );
  await waitFor(() => expect(page2.result.current.status).toBe('streaming'));
  await fetch(`${endpoint}/release?chatId=${chatId}`, { method: 'POST' });
  await waitFor(() => expect(page2.result.current.status).toBe('ready'), { timeout: 10_000 });
  const messages = page2.result.current.messages;
  expect(messages.map((message) => message.role)).toEqual(['user', 'assistant']);
  expect(textOf(messages[1])).toBe(ANSWER);
});
