import type { ResponsePattern, SeedResponse } from '@resumable/core';
import type { DemoConfig } from '../server/agent-server.js';
import type { StoredResponse } from '../server/conversation-store.js';

export type { DemoConfig, StoredResponse };

/** A failed call to the agent server, with the code and hint it sent. */
export class ApiError extends Error {
  constructor(
    readonly code: number,
    message: string,
    readonly hint: string,
  ) {
    super(message);
  }
}

async function call<T>(path: string, init?: RequestInit): Promise<T> {
  const res = await fetch(path, {
    ...init,
    headers: init?.body ? { 'content-type': 'application/json' } : undefined,
  });
  const body = (await res.json().catch(() => ({}))) as { code?: number; message?: string; hint?: string };
  if (!res.ok) throw new ApiError(body.code ?? res.status, body.message ?? res.statusText, body.hint ?? '');
  return body as T;
}

export const fetchConfig = () => call<DemoConfig>('/api/config');

/** Completed responses of a conversation, as the seed for hydration. */
export async function fetchSeed(conversationId: string): Promise<SeedResponse[]> {
  const { responses } = await call<{ responses: StoredResponse[] }>(`/api/conversations/${conversationId}`);
  return responses.map((response) => ({
    responseId: response.responseId,
    text: response.text,
    createdAt: response.createdAt,
    pattern: response.pattern,
    headers: response.headers,
    clientId: response.clientId,
  }));
}

export interface SendOptions {
  readonly prompt: string;
  readonly pattern: ResponsePattern;
  readonly tokensPerSecond: number;
  readonly jitter: number;
  readonly rollupWindowMs: number;
}

export const sendMessage = (conversationId: string, options: SendOptions) =>
  call<{ responseId: string; channelName: string }>(`/api/conversations/${conversationId}/messages`, {
    method: 'POST',
    body: JSON.stringify(options),
  });

/** A finished response as stored, or one still streaming (text so far). */
export type ResponseReport =
  | StoredResponse
  | {
      readonly responseId: string;
      readonly status: 'streaming';
      readonly text: string;
      readonly tokens: number;
      readonly paused: boolean;
    };

export const fetchResponse = (responseId: string) => call<ResponseReport>(`/api/responses/${responseId}`);

export const cancelResponse = (responseId: string) =>
  call<unknown>(`/api/responses/${responseId}/cancel`, { method: 'POST', body: '{}' });

/** Hold the model between two tokens (at once, or once it produced `afterTokens`), or let it go on. */
export const pauseResponse = (responseId: string, afterTokens?: number) =>
  call<{ paused: boolean }>(`/api/responses/${responseId}/pause`, {
    method: 'POST',
    body: JSON.stringify(afterTokens === undefined ? {} : { afterTokens }),
  });

export const resumeResponse = (responseId: string) =>
  call<{ paused: boolean }>(`/api/responses/${responseId}/resume`, { method: 'POST', body: '{}' });

export type FaultKind = 'disconnect' | 'outage' | 'delay';

export const injectFault = (kind: FaultKind, body: { connectionId?: string | undefined; ms?: number }) =>
  call<unknown>(`/api/faults/${kind}`, { method: 'POST', body: JSON.stringify(body) });
