import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import * as Ably from 'ably';
import { CHANNEL_NAMESPACE, CONVERSATION_ID, MAX_PROMPT_LENGTH } from '../src/conversation.js';
import { allowedHosts, checkHost, guardApiRequest } from './api-guard.js';
import { ConversationAgents } from './conversation-agents.js';
import type { ConversationRecords } from './conversation-records.js';
import { injectFault } from './faults.js';
import { HttpError, readJsonBody, sendJson } from './http-utils.js';
import type { RealModel } from './real-model.js';
import { browserClientId, turnBody } from './turn-request.js';

/** What the browser needs to know to connect; never holds a key. */
export interface DemoConfig {
  readonly backend: 'emulator' | 'ably';
  readonly model: string;
  /** Client options besides credentials (the browser adds `authUrl`). */
  readonly ablyOptions: Readonly<Record<string, unknown>>;
  /** Whether network faults can be injected (only with the emulator). */
  readonly faults: boolean;
  readonly maxPromptLength: number;
}

export interface AgentServerOptions {
  /** Options for the agent's own Realtime clients, with the API key. */
  readonly agentAblyOptions: Ably.ClientOptions;
  /** What browsers get (see {@link DemoConfig.ablyOptions}). */
  readonly browserAblyOptions: Readonly<Record<string, unknown>>;
  readonly backend: 'emulator' | 'ably';
  /** The emulator's HTTP URL, whose loopback fault endpoint the demo proxies. */
  readonly emulatorUrl?: string | undefined;
  /** The emulator's control token (its fault endpoint refuses requests without it). */
  readonly emulatorControlToken?: string | undefined;
  /** Called once the server listens, with its port (the demo lets its pages use the emulator). */
  readonly allowPagesOn?: ((port: number) => void) | undefined;
  /** Completed conversations (the seed). */
  readonly records: ConversationRecords;
  /** A real model; the simulated one is used without it. */
  readonly model?: RealModel | undefined;
  /** Serves everything outside `/api/` (the Vite middleware or the built app). */
  readonly app?: ((req: IncomingMessage, res: ServerResponse) => void) | undefined;
  readonly port?: number;
  readonly host?: string;
  /** Token lifetime for browsers, in ms (default one hour). */
  readonly tokenTtlMs?: number;
}

export interface AgentServer {
  readonly url: string;
  readonly port: number;
  readonly server: Server;
  /** Finish: cancel streams in flight, close the agent's clients and the HTTP server. */
  close(): Promise<void>;
}

/**
 * The demo's agent server: issues narrow Ably tokens to browsers, answers the turns published on each
 * conversation channel with the (simulated or real) model through `@resumable/agent`'s `answerTurns`,
 * keeps completed turns in the database as the seed, and proxies the emulator's fault controls.
 *
 * @example
 * ```ts
 * const server = await startAgentServer({ agentAblyOptions: { key }, browserAblyOptions: {}, backend: 'ably', records });
 * console.log(server.url);
 * ```
 */
export async function startAgentServer(options: AgentServerOptions): Promise<AgentServer> {
  const { records } = options;
  const agents = new Map<number, Ably.Realtime>();
  /** The emulator's current delivery delay (the "Slow network" toggle), so a reload shows it. */
  let networkDelayMs = 0;
  const signer = new Ably.Rest({ ...options.agentAblyOptions, autoConnect: false } as Ably.ClientOptions);

  /** One agent connection per rollup window: `appendRollupWindow` is a connection parameter. */
  const agentFor = (rollupWindowMs: number): Ably.Realtime => {
    let client = agents.get(rollupWindowMs);
    if (!client) {
      client = new Ably.Realtime({
        ...options.agentAblyOptions,
        clientId: 'agent',
        echoMessages: false,
        transportParams: { ...options.agentAblyOptions.transportParams, appendRollupWindow: rollupWindowMs },
      });
      agents.set(rollupWindowMs, client);
    }
    return client;
  };

  const config: DemoConfig = {
    backend: options.backend,
    model: options.model?.label ?? 'simulated',
    ablyOptions: options.browserAblyOptions,
    faults: Boolean(options.emulatorUrl),
    maxPromptLength: MAX_PROMPT_LENGTH,
  };

  const conversations = new ConversationAgents({
    records,
    agentFor,
    publisher: signer,
    model: options.model,
    modelLabel: config.model,
  });

  async function issueToken(url: URL, res: ServerResponse) {
    const channelName = url.searchParams.get('channel') ?? '';
    const conversationId = channelName.startsWith(`${CHANNEL_NAMESPACE}:`)
      ? channelName.slice(CHANNEL_NAMESPACE.length + 1)
      : '';
    if (!CONVERSATION_ID.test(conversationId)) {
      throw new HttpError(
        400,
        40106,
        `No conversation channel named "${channelName}"`,
        'Ask for a token with ?channel=ai:<conversation id>.',
      );
    }
    const clientId = browserClientId(url.searchParams.get('clientId'));
    // The agent listens before any browser can publish a turn there.
    await conversations.open(conversationId);
    // Browsers read (subscribe, history) and publish their turns, cancels and regenerates: on that one channel only.
    const tokenRequest = await signer.auth.createTokenRequest({
      capability: { [channelName]: ['subscribe', 'history', 'publish'] },
      ttl: options.tokenTtlMs ?? 60 * 60 * 1000,
      ...(clientId ? { clientId } : {}),
    });
    sendJson(res, 200, tokenRequest);
  }

  async function conversationRoute(conversationId: string, req: IncomingMessage, res: ServerResponse, rest: string[]) {
    const method = req.method ?? 'GET';
    if (method === 'GET' && rest.length === 0) {
      const [responses, controls] = await Promise.all([
        records.seed(conversationId),
        conversations.controls(conversationId),
      ]);
      const inProgress = conversations.inProgress(conversationId).map((answer) => ({
        responseId: answer.responseId,
        turnId: answer.turnId,
        tokens: answer.recorder.tokens,
      }));
      return sendJson(res, 200, { responses, inProgress, controls, networkDelayMs });
    }
    if (method === 'POST' && rest[0] === 'turns' && rest.length === 1) {
      const turn = turnBody(await readJsonBody(req));
      const published = await conversations.publishTurn(conversationId, turn);
      return sendJson(res, published ? 202 : 200, {
        turnId: turn.turnId,
        responseId: turn.responseId,
        duplicate: !published,
      });
    }
    if (rest[0] === 'controls' && rest.length === 1) {
      if (method === 'GET') return sendJson(res, 200, await conversations.controls(conversationId));
      if (method === 'POST') {
        return sendJson(res, 200, await conversations.updateControls(conversationId, await readJsonBody(req)));
      }
    }
    throw new HttpError(404, 40400, `No route ${method} ${req.url}`, 'See apps/demo/README.md for the API.');
  }

  async function responseStatus(responseId: string, res: ServerResponse) {
    const live = conversations.liveAnswer(responseId);
    if (live) {
      const { answer, paused } = live;
      return sendJson(res, 200, {
        responseId,
        status: 'streaming',
        text: answer.recorder.text(),
        parts: answer.recorder.parts(),
        tokens: answer.recorder.tokens,
        paused,
      });
    }
    const stored = await records.find(responseId);
    if (stored) return sendJson(res, 200, stored);
    throw new HttpError(404, 40400, `No response ${responseId}`, 'Check the response id.');
  }

  async function route(req: IncomingMessage, res: ServerResponse, url: URL): Promise<void> {
    const parts = url.pathname.split('/').filter(Boolean); // ['api', ...]
    const method = req.method ?? 'GET';
    if (method === 'GET' && parts[1] === 'config') return sendJson(res, 200, config);
    if (method === 'GET' && parts[1] === 'token') return issueToken(url, res);
    if (parts[1] === 'conversations' && parts[2]) {
      const conversationId = parts[2];
      if (!CONVERSATION_ID.test(conversationId)) {
        throw new HttpError(
          400,
          40106,
          `Bad conversation id "${conversationId}"`,
          'Use letters, digits, "-" and "_" (at most 64).',
        );
      }
      return conversationRoute(conversationId, req, res, parts.slice(3));
    }
    if (method === 'GET' && parts[1] === 'responses' && parts[2] && parts.length === 3) {
      return responseStatus(parts[2], res);
    }
    if (method === 'POST' && parts[1] === 'faults' && parts[2]) {
      const { answer, ms } = await injectFault(
        { url: options.emulatorUrl, token: options.emulatorControlToken },
        parts[2],
        req,
      );
      if (parts[2] === 'delay') networkDelayMs = ms;
      return sendJson(res, 200, answer);
    }
    throw new HttpError(404, 40400, `No route ${method} ${url.pathname}`, 'See apps/demo/README.md for the API.');
  }

  let hosts: string[] = [];
  const server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://localhost');
    if (!url.pathname.startsWith('/api/')) {
      try {
        checkHost(req, hosts);
      } catch (error) {
        const { status, code, message, hint } = error as HttpError;
        return sendJson(res, status, { code, message, hint });
      }
      if (options.app) return options.app(req, res);
      return sendJson(res, 404, {
        code: 40400,
        message: 'No app is served here',
        hint: 'Open the URL pnpm dev prints.',
      });
    }
    Promise.resolve()
      .then(() => guardApiRequest(req, hosts))
      .then(() => route(req, res, url))
      .catch((error: unknown) => {
        const http =
          error instanceof HttpError
            ? error
            : new HttpError(
                500,
                50000,
                error instanceof Error ? error.message : String(error),
                'See the agent server log.',
              );
        if (!(error instanceof HttpError)) console.error('[demo]', error);
        if (!res.headersSent) sendJson(res, http.status, { code: http.code, message: http.message, hint: http.hint });
        else res.end();
      });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, options.host ?? '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  hosts = allowedHosts(port, options.host);
  options.allowPagesOn?.(port);

  return {
    url: `http://${options.host ?? '127.0.0.1'}:${port}`,
    port,
    server,
    async close() {
      await conversations.close();
      for (const client of agents.values()) client.close();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
