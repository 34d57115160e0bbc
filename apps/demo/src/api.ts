import type { SeedResponse } from '@resumable/core';
import type { DemoConfig } from '../server/agent-server.js';
import type { ResponseRecord } from '../server/conversation-records.js';
import type { ModelControls } from '../server/model-controls.js';

export type { DemoConfig, ModelControls, ResponseRecord };

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

/** What the agent server knows of a conversation: completed turns (the seed), the controls, the network. */
export interface ConversationState {
  readonly responses: SeedResponse[];
  readonly inProgress: { responseId: string; turnId: string; tokens: number }[];
  readonly controls: ModelControls;
  /** The emulator's delivery delay now (the "Slow network" toggle), 0 when off. */
  readonly networkDelayMs: number;
}

export const fetchConversation = (conversationId: string) =>
  call<ConversationState>(`/api/conversations/${conversationId}`);

/** Change how the agent answers this conversation (every tab sees the same). */
export const updateControls = (conversationId: string, change: Partial<ModelControls>) =>
  call<ModelControls>(`/api/conversations/${conversationId}/controls`, {
    method: 'POST',
    body: JSON.stringify(change),
  });

/** Where the server publishes a turn on the user's behalf (`useConversation`'s `api`). */
export const turnsEndpoint = (conversationId: string) => `/api/conversations/${conversationId}/turns`;

/** A finished response as stored, or one still streaming (its text so far). */
export type ResponseReport =
  | ResponseRecord
  | {
      readonly responseId: string;
      readonly status: 'streaming';
      readonly text: string;
      readonly tokens: number;
      readonly paused: boolean;
    };

export const fetchResponse = (responseId: string) => call<ResponseReport>(`/api/responses/${responseId}`);

export type FaultKind = 'disconnect' | 'outage' | 'delay';

export const injectFault = (kind: FaultKind, body: { connectionId?: string | undefined; ms?: number }) =>
  call<unknown>(`/api/faults/${kind}`, { method: 'POST', body: JSON.stringify(body) });
