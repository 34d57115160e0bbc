/**
 * The Node side of the Chromium run: an emulator, an agent per chat, and the app's endpoint on loopback. The page
 * asks the endpoint to allow its origin on the emulator, gets its Ably token requests from it (no key reaches the
 * page), POSTs chat requests, and releases a held answer. Run as
 * its own process by `chat-server-setup.ts` (with the workspace's `source` condition, so no build is needed); it
 * prints what the page needs as one JSON line and stops when its stdin closes.
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { TurnAnswering } from '@resumable/agent';
import { answerChatRequest } from '@resumable/agent/ai-sdk';
import { startEmulator } from '@resumable/emulator';
import * as Ably from 'ably';
import { gate, startAgent } from '../chat-agent.js';

async function main(): Promise<void> {
  const emulator = await startEmulator({ port: 0 });
  const agent = new Ably.Realtime({
    ...(emulator.clientOptions({ clientId: 'agent' }) as Ably.ClientOptions),
    echoMessages: false,
    logLevel: 0,
  });
  const signer = new Ably.Rest({ ...emulator.clientOptions(), logLevel: 0 });
  const chats = new Map<string, { answering: TurnAnswering; midAnswer: ReturnType<typeof gate>; resume: () => void }>();
  const chatOf = (chatId: string) => {
    let chat = chats.get(chatId);
    if (!chat) {
      const midAnswer = gate();
      const resume = gate();
      const answering = startAgent(agent.channels.get(`ai:${chatId}`), midAnswer, resume.opened);
      chat = { answering, midAnswer, resume: resume.open };
      chats.set(chatId, chat);
    }
    return chat;
  };
  const server = createServer(async (req, res) => {
    res.setHeader('access-control-allow-origin', req.headers.origin ?? '*');
    res.setHeader('access-control-allow-headers', 'content-type');
    if (req.method === 'OPTIONS') return void res.writeHead(204).end();
    let body = '';
    for await (const chunk of req) body += chunk;
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    try {
      if (url.pathname === '/token') {
        // The page holds no key: it gets a token request signed here, as a real app's server would sign one.
        const request = await signer.auth.createTokenRequest({ clientId: 'ann' });
        return void res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(request));
      }
      if (url.pathname === '/allow-origin' && req.headers.origin) emulator.allowOrigin(req.headers.origin);
      else if (url.pathname === '/api/chat')
        await answerChatRequest(chatOf(JSON.parse(body).chatId).answering, JSON.parse(body));
      else if (url.pathname === '/held') await chatOf(url.searchParams.get('chatId') ?? '').midAnswer.opened;
      else if (url.pathname === '/release') chatOf(url.searchParams.get('chatId') ?? '').resume();
      res.writeHead(202).end();
    } catch (error) {
      res.writeHead(400, { 'content-type': 'text/plain' }).end(String(error));
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  const endpoint = `http://127.0.0.1:${port}`;
  const { key: _serverOnly, ...withoutKey } = emulator.clientOptions({ clientId: 'ann' });
  const clientOptions = { ...withoutKey, authUrl: `${endpoint}/token` };
  process.stdout.write(`${JSON.stringify({ endpoint, clientOptions })}\n`);
  const stop = async () => {
    for (const chat of chats.values()) chat.answering.stop();
    agent.close();
    await new Promise((resolve) => server.close(resolve));
    await emulator.stop();
    process.exit(0);
  };
  process.stdin.on('end', stop);
  process.stdin.resume();
  process.on('SIGTERM', stop);
}

await main();
