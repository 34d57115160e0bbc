import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { streamResponse } from '@resumable/agent';
import type { ResponsePattern } from '@resumable/core';
import * as Ably from 'ably';
import { CHANNEL_NAMESPACE, CONVERSATION_ID, channelNameFor, MAX_PROMPT_LENGTH } from '../src/conversation.js';
import { allowedHosts, checkHost, guardApiRequest } from './api-guard.js';
import type { ConversationStore } from './conversation-store.js';
import { HttpError, numberField, readJsonBody, sendJson } from './http-utils.js';
import type { RealModel } from './real-model.js';
import { PauseGate, simulateModel } from './simulated-model.js';

const PATTERNS: readonly ResponsePattern[] = ['message-per-response', 'message-per-token'];
const FAULT_KINDS = ['disconnect', 'outage', 'drop', 'expire', 'pause', 'delay', 'expire-tokens'] as const;

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
  readonly store: ConversationStore;
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

interface ActiveResponse {
  readonly responseId: string;
  readonly conversationId: string;
  readonly controller: AbortController;
  text: string;
  tokens: number;
  done: Promise<void>;
  readonly gate: PauseGate;
  /** Pause the model once this many tokens were produced. */
  pauseAfter: number | undefined;
}

/**
 * The demo's agent server: issues narrow Ably tokens to browsers, runs the (simulated or real)
 * model into the conversation channel with `@resumable/agent`, keeps completed responses as the
 * seed, and proxies the emulator's fault controls.
 *
 * @example
 * ```ts
 * const server = await startAgentServer({ agentAblyOptions: { key }, browserAblyOptions: {}, backend: 'ably', store });
 * console.log(server.url);
 * ```
 */
export async function startAgentServer(options: AgentServerOptions): Promise<AgentServer> {
  const { store } = options;
  const agents = new Map<number, Ably.Realtime>();
  const active = new Map<string, ActiveResponse>();
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
    // Browsers only read: subscribe for live messages, history for hydration. Nothing else, nowhere else.
    const tokenRequest = await signer.auth.createTokenRequest({
      capability: { [channelName]: ['subscribe', 'history'] },
      ttl: options.tokenTtlMs ?? 60 * 60 * 1000,
    });
    sendJson(res, 200, tokenRequest);
  }

  async function startResponse(conversationId: string, req: IncomingMessage, res: ServerResponse) {
    const body = await readJsonBody(req);
    const prompt = typeof body.prompt === 'string' ? body.prompt.trim() : '';
    if (!prompt) throw new HttpError(400, 40106, 'The message is empty', 'Type a question first.');
    if (prompt.length > MAX_PROMPT_LENGTH) {
      throw new HttpError(400, 40106, `The message is longer than ${MAX_PROMPT_LENGTH} characters`, 'Shorten it.');
    }
    const pattern = (body.pattern ?? 'message-per-response') as ResponsePattern;
    if (!PATTERNS.includes(pattern)) {
      throw new HttpError(
        400,
        40106,
        `Unknown pattern ${JSON.stringify(body.pattern)}`,
        `Use one of ${PATTERNS.join(', ')}.`,
      );
    }
    const tokensPerSecond = numberField(body, 'tokensPerSecond', 1, 2000, 40);
    const jitter = numberField(body, 'jitter', 0, 1, 0.5);
    const rollupWindowMs = numberField(body, 'rollupWindowMs', 0, 500, 40);
    // Hold the model once it produced this many tokens (to break things at an exact point); 0 = never.
    const pauseAfterTokens = numberField(body, 'pauseAfterTokens', 0, 1_000_000, 0);

    const responseId = randomUUID();
    const controller = new AbortController();
    const channel = agentFor(rollupWindowMs).channels.get(channelNameFor(conversationId));
    const source = options.model
      ? options.model.stream(prompt, controller.signal)
      : simulateModel(prompt, { tokensPerSecond, jitter, signal: controller.signal }).textStream;
    const headers = { prompt, model: config.model };
    const createdAt = Date.now();

    const entry: ActiveResponse = {
      responseId,
      conversationId,
      controller,
      text: '',
      tokens: 0,
      done: Promise.resolve(),
      gate: new PauseGate(),
      pauseAfter: pauseAfterTokens > 0 ? pauseAfterTokens : undefined,
    };
    // Count and keep what the model produced (the reference for the client's text); hold it while paused.
    const counted = (async function* () {
      for await (const token of source) {
        entry.text += token;
        entry.tokens++;
        yield token;
        if (entry.pauseAfter !== undefined && entry.tokens >= entry.pauseAfter) {
          entry.pauseAfter = undefined;
          entry.gate.pause();
        }
        await entry.gate.wait(controller.signal);
      }
    })();

    // Per-token has no server-side rollup: the agent batches tokens produced within the same window instead.
    const batchMs = pattern === 'message-per-token' ? rollupWindowMs : 0;
    const done = streamResponse(channel, counted, { pattern, responseId, headers, signal: controller.signal, batchMs })
      .then(async (result) => {
        await store.add({
          responseId,
          conversationId,
          prompt,
          text: result.text,
          status: result.status,
          pattern,
          headers: { responseId, ...headers },
          clientId: 'agent',
          createdAt,
          tokens: result.tokens,
          messagesPublished: result.messagesPublished,
          failuresRepaired: result.failuresRepaired,
          durationMs: Math.round(result.durationMs),
        });
      })
      .catch(async (error: unknown) => {
        console.error(`[demo] response ${responseId} failed:`, error);
        await store.add({
          responseId,
          conversationId,
          prompt,
          text: entry.text,
          status: 'error',
          pattern,
          headers: { responseId, ...headers },
          clientId: 'agent',
          createdAt,
          tokens: entry.tokens,
          messagesPublished: 0,
          failuresRepaired: 0,
          durationMs: Date.now() - createdAt,
        });
      })
      .finally(() => active.delete(responseId));
    entry.done = done;
    active.set(responseId, entry);
    sendJson(res, 202, { responseId, channelName: channel.name });
  }

  function responseStatus(responseId: string, res: ServerResponse) {
    const stored = store.get(responseId);
    if (stored) return sendJson(res, 200, stored);
    const streaming = active.get(responseId);
    if (streaming) {
      return sendJson(res, 200, {
        responseId,
        status: 'streaming',
        text: streaming.text,
        tokens: streaming.tokens,
        paused: streaming.gate.paused,
      });
    }
    throw new HttpError(404, 40400, `No response ${responseId}`, 'Check the response id.');
  }

  /** Send one fault to the emulator's loopback control endpoint. */
  async function emulatorFault(kind: string, body: Record<string, unknown>): Promise<unknown> {
    const upstream = await fetch(`${options.emulatorUrl}/_emulator/faults/${kind}`, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        'x-emulator-control-token': options.emulatorControlToken ?? '',
      },
      body: JSON.stringify(body),
    });
    const answer: unknown = await upstream.json().catch(() => ({}));
    if (!upstream.ok) {
      // The emulator answers errors as `{ error: { message, code } }`; keep its code (e.g. 40400 for an unknown connection).
      const { error } = answer as { error?: { message?: unknown; code?: unknown } };
      const message = typeof error?.message === 'string' ? error.message : upstream.statusText;
      throw new HttpError(
        upstream.status,
        typeof error?.code === 'number' ? error.code : 50000,
        `The emulator refused the "${kind}" fault: ${message}`,
        'See the emulator log.',
      );
    }
    return answer;
  }

  /**
   * The demo's faults, on top of the emulator's. `disconnect` cuts one connection off the network for
   * `ms` (the emulator's `cut-off`): its transport drops, its resume attempts go unanswered until the
   * time is up, and then it resumes and receives what it missed. Every other client (the agent, a late
   * joiner) keeps receiving meanwhile. `outage` does the same but also discards that connection's
   * state, so its resume fails (80008) and the client must re-hydrate; other clients are untouched.
   */
  async function injectFault(kind: string, req: IncomingMessage, res: ServerResponse) {
    if (!options.emulatorUrl) {
      throw new HttpError(
        501,
        40000,
        'Fault injection needs the emulator',
        'Unset ABLY_API_KEY to run against the local emulator.',
      );
    }
    if (!(FAULT_KINDS as readonly string[]).includes(kind)) {
      throw new HttpError(404, 40400, `Unknown fault "${kind}"`, `Use one of ${FAULT_KINDS.join(', ')}.`);
    }
    const body = await readJsonBody(req);
    const connectionId = typeof body.connectionId === 'string' ? body.connectionId : undefined;
    const ms = numberField(body, 'ms', 0, 600_000, 0);
    if ((kind === 'disconnect' || kind === 'outage') && !connectionId) {
      throw new HttpError(
        400,
        40106,
        `"${kind}" needs a connectionId`,
        'Send the connection id of the client to cut off.',
      );
    }
    let answer: unknown;
    if (kind === 'disconnect' || kind === 'outage') {
      answer = await emulatorFault('cut-off', { connectionId, ms, expire: kind === 'outage' });
    } else if (kind === 'delay' || kind === 'pause') {
      answer = await emulatorFault(kind, { ms });
    } else {
      answer = await emulatorFault(kind, connectionId ? { connectionId } : {});
    }
    sendJson(res, 200, answer);
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
      if (method === 'GET' && parts.length === 3) {
        const inProgress = [...active.values()]
          .filter((response) => response.conversationId === conversationId)
          .map((response) => response.responseId);
        return sendJson(res, 200, { responses: store.completed(conversationId), inProgress });
      }
      if (method === 'POST' && parts[3] === 'messages') return startResponse(conversationId, req, res);
    }
    if (parts[1] === 'responses' && parts[2]) {
      if (method === 'GET' && parts.length === 3) return responseStatus(parts[2], res);
      const streaming = active.get(parts[2]);
      if (method === 'POST' && parts[3] === 'cancel') {
        streaming?.controller.abort();
        return sendJson(res, 202, { responseId: parts[2] });
      }
      if (method === 'POST' && (parts[3] === 'pause' || parts[3] === 'resume')) {
        if (!streaming)
          throw new HttpError(409, 40000, `Response ${parts[2]} is not streaming`, 'Pause an answer while it streams.');
        const body = await readJsonBody(req);
        if (parts[3] === 'resume') streaming.gate.resume();
        else if (body.afterTokens !== undefined) {
          streaming.pauseAfter = numberField(body, 'afterTokens', 0, 1_000_000, 0);
        } else streaming.gate.pause();
        return sendJson(res, 202, { responseId: parts[2], paused: streaming.gate.paused });
      }
    }
    if (method === 'POST' && parts[1] === 'faults' && parts[2]) return injectFault(parts[2], req, res);
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
      for (const response of active.values()) response.controller.abort();
      await Promise.allSettled([...active.values()].map((response) => response.done));
      for (const client of agents.values()) client.close();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
