import * as Ably from 'ably';
import type { DemoConfig } from './api.js';

const CLIENT_ID_KEY = 'resumable-demo:client-id';

/** Who this tab is: one id per tab, kept across reloads, so "stopped by" names the tab that stopped. */
export function tabClientId(): string {
  let id = sessionStorage.getItem(CLIENT_ID_KEY);
  if (!id || !/^[A-Za-z0-9_-]{1,64}$/.test(id)) {
    id = `user-${crypto.randomUUID().slice(0, 8)}`;
    sessionStorage.setItem(CLIENT_ID_KEY, id);
  }
  return id;
}

/**
 * A browser client for one conversation channel. It holds no key: the agent server signs a token
 * request (subscribe, history and publish on that channel only, for this tab's clientId) at
 * `/api/token`, and the SDK fetches a new one whenever the token expires.
 */
export function createBrowserClient(config: DemoConfig, channelName: string, clientId = tabClientId()): Ably.Realtime {
  return new Ably.Realtime({
    ...config.ablyOptions,
    authUrl: new URL('/api/token', location.href).toString(),
    authParams: { channel: channelName, clientId },
  });
}
