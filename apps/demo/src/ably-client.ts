import * as Ably from 'ably';
import type { DemoConfig } from './api.js';

/**
 * A browser client for one conversation channel. It holds no key: the agent server signs a token
 * request (subscribe and history on that channel only) at `/api/token`, and the SDK fetches a new
 * one whenever the token expires.
 */
export function createBrowserClient(config: DemoConfig, channelName: string): Ably.Realtime {
  return new Ably.Realtime({
    ...config.ablyOptions,
    authUrl: new URL('/api/token', location.href).toString(),
    authParams: { channel: channelName },
  });
}
