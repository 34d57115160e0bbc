import type * as Ably from 'ably';
import { AblyProvider, ChannelProvider, usePresenceListener } from 'ably/react';
import { useEffect, useState } from 'react';
import { createBrowserClient, tabClientId } from './ably-client.js';
import type { DemoConfig } from './api.js';

/** Its own provider id, so it never meets an app's own `<AblyProvider>`. */
const ABLY_ID = 'assistant-presence';

function Indicator({ channelName }: { channelName: string }) {
  const { presenceData } = usePresenceListener({ channelName, ablyId: ABLY_ID });
  const agent = presenceData.find((member) => member.clientId === 'agent');
  const status = (agent?.data as { status?: string } | undefined)?.status;
  const state = !agent ? 'offline' : status === 'responding' ? 'responding' : 'online';
  const text =
    state === 'responding' ? 'Assistant is responding…' : state === 'online' ? 'Assistant online' : 'Assistant offline';
  return (
    <span className="assistant-presence" data-testid="assistant-presence" data-state={state} role="status">
      <span className="presence-dot" aria-hidden="true" /> {text}
    </span>
  );
}

/**
 * "Assistant online / responding", from the agent's presence on the conversation channel, read with ably/react's
 * presence hooks. It has a connection of its own: a `<ChannelProvider>` sets the channel's options, and the chat's
 * channel keeps the options its hydration attached with.
 *
 * @example
 * ```tsx
 * <AssistantPresence config={config} channelName="ai:conv-1" />
 * ```
 */
export function AssistantPresence({ config, channelName }: { config: DemoConfig; channelName: string }) {
  const [client, setClient] = useState<Ably.Realtime>();
  useEffect(() => {
    const created = createBrowserClient(config, channelName, `${tabClientId()}-presence`);
    setClient(created);
    return () => created.close();
  }, [config, channelName]);
  if (!client) return null;
  return (
    <AblyProvider client={client} ablyId={ABLY_ID}>
      <ChannelProvider channelName={channelName} ablyId={ABLY_ID}>
        <Indicator channelName={channelName} />
      </ChannelProvider>
    </AblyProvider>
  );
}
