import type { HydrationStrategy, ResponseStore, SeedResponse } from '@resumable/core';
import { useChannelHydration, useStreamedResponse } from '@resumable/react';
import type * as Ably from 'ably';
import { memo, useEffect, useLayoutEffect, useRef, useState } from 'react';
import { createBrowserClient } from './ably-client.js';
import { type DemoConfig, fetchSeed } from './api.js';
import { AssistantBody } from './assistant-body.js';
import { channelNameFor, REWIND } from './conversation.js';
import { EmptyConversation } from './empty-conversation.js';
import type { ProtocolLog } from './protocol-log.js';

/** A prompt this page sent whose response has not reached the channel yet. */
export interface PendingPrompt {
  readonly responseId: string | undefined;
  readonly prompt: string;
}

/** What a pane reports upwards: its client (for fault injection) and its sync state (for the inspector). */
export interface PaneStatus {
  readonly client: Ably.Realtime | undefined;
  readonly syncStatus: string;
  readonly caughtUp: boolean;
  readonly resyncCount: number;
  readonly responses: number;
  readonly error: string | undefined;
  /** Response id of the newest response still streaming, if any. */
  readonly streamingResponseId: string | undefined;
}

export interface ChatPaneProps {
  readonly config: DemoConfig;
  readonly conversationId: string;
  readonly strategy: HydrationStrategy;
  readonly view: 'markdown' | 'source';
  readonly kind: 'main' | 'late-joiner';
  readonly log: ProtocolLog;
  readonly pending?: readonly PendingPrompt[];
  readonly onStatus?: (status: PaneStatus) => void;
  /** Sends a suggested prompt; without it, suggestions are shown as text only. */
  readonly onSuggest?: (prompt: string) => void;
}

/**
 * One client's view of the conversation: its own Ably connection, the seed of completed answers from
 * the agent server, and the channel hydrated with the kit's hook.
 */
export function ChatPane(props: ChatPaneProps) {
  const { config, conversationId, log } = props;
  const channelName = channelNameFor(conversationId);
  const [client, setClient] = useState<Ably.Realtime>();
  const [seed, setSeed] = useState<SeedResponse[]>();
  const [seedError, setSeedError] = useState<string>();

  useEffect(() => {
    const created = createBrowserClient(config, channelName);
    setClient(created);
    return () => created.close();
  }, [config, channelName]);

  useEffect(() => {
    let live = true;
    fetchSeed(conversationId).then(
      (responses) => live && setSeed(responses),
      (error: unknown) => live && setSeedError(String(error)),
    );
    return () => {
      live = false;
    };
  }, [conversationId]);

  return (
    <section className="pane" data-testid="chat-pane" data-kind={props.kind} aria-label={paneLabel(props.kind)}>
      <header className="pane-header">
        <span>{paneLabel(props.kind)}</span>
      </header>
      {seedError ? (
        <p className="pane-note error">Could not load the conversation: {seedError}</p>
      ) : client && seed ? (
        <Conversation {...props} client={client} seed={seed} channelName={channelName} log={log} />
      ) : (
        <p className="pane-note">Loading the conversation…</p>
      )}
    </section>
  );
}

function paneLabel(kind: ChatPaneProps['kind']) {
  return kind === 'main' ? 'You' : 'Late joiner (second client)';
}

function Conversation(
  props: ChatPaneProps & { client: Ably.Realtime; seed: readonly SeedResponse[]; channelName: string },
) {
  const { client, channelName, seed, strategy, log, onStatus, pending = [] } = props;
  const hydration = useChannelHydration({ client, channelName, strategy, seed, rewind: REWIND });
  // After the hook, so the kit's own subscription decides how the channel attaches.
  useEffect(() => log.watch(client, client.channels.get(channelName)), [log, client, channelName]);

  const streamingResponseId = [...hydration.responses]
    .reverse()
    .find((response) => response.status === 'streaming')?.responseId;
  const { syncStatus, caughtUp, resyncCount, error } = hydration;
  const responseCount = hydration.responses.length;
  useEffect(() => {
    onStatus?.({
      client,
      syncStatus,
      caughtUp,
      resyncCount,
      responses: responseCount,
      error: error ? `${error.code}: ${error.message}` : undefined,
      streamingResponseId,
    });
  }, [onStatus, client, syncStatus, caughtUp, resyncCount, responseCount, error, streamingResponseId]);

  const known = new Set(hydration.responses.map((response) => response.responseId));
  const waiting = pending.filter((item) => !item.responseId || !known.has(item.responseId));

  const scroller = useRef<HTMLDivElement>(null);
  const stickToBottom = useRef(true);
  useLayoutEffect(() => {
    const element = scroller.current;
    if (element && stickToBottom.current) element.scrollTop = element.scrollHeight;
  });

  return (
    <>
      <div
        className="messages"
        ref={scroller}
        data-testid="messages"
        data-sync-status={hydration.syncStatus}
        data-caught-up={hydration.caughtUp}
        onScroll={(event) => {
          const element = event.currentTarget;
          stickToBottom.current = element.scrollHeight - element.scrollTop - element.clientHeight < 40;
        }}
      >
        {hydration.responses.length === 0 && waiting.length === 0 && <EmptyConversation onSuggest={props.onSuggest} />}
        {hydration.responses.map((response) => (
          <Turn
            key={response.id}
            id={response.id}
            store={hydration.store}
            view={props.view}
            reconnecting={hydration.syncStatus === 'resyncing'}
          />
        ))}
        {waiting.map((item, index) => (
          <div className="turn" key={item.responseId ?? `pending-${index}`}>
            <UserBubble text={item.prompt} />
            <div className="bubble assistant waiting" data-testid="waiting-bubble">
              <span className="dots">Thinking</span>
            </div>
          </div>
        ))}
      </div>
      {hydration.error && (
        <p className="pane-note error" role="alert">
          {hydration.error.code}: {hydration.error.message} {hydration.error.hint}
        </p>
      )}
    </>
  );
}

/** One question and its answer. Subscribes to its own response, so other answers streaming do not re-render it. */
const Turn = memo(function Turn({
  id,
  store,
  view,
  reconnecting,
}: {
  id: string;
  store: ResponseStore;
  view: 'markdown' | 'source';
  reconnecting: boolean;
}) {
  const { response } = useStreamedResponse({ id, store });
  if (!response) return null;
  return (
    <div className="turn">
      {response.headers.prompt && <UserBubble text={response.headers.prompt} />}
      <article
        className="bubble assistant"
        data-testid="assistant-bubble"
        data-response-id={response.responseId}
        data-status={response.status}
        data-seeded={response.seeded ? 'true' : undefined}
        data-incomplete={response.incomplete ? 'true' : undefined}
      >
        <AssistantBody response={response} view={view} reconnecting={reconnecting} />
        <footer className="bubble-meta">
          <span className={`status status-${response.status}`}>{response.status}</span>
          <span>{response.pattern === 'message-per-token' ? 'per-token' : 'per-response'}</span>
          {response.seeded && <span title="Loaded from the agent server's store, not from the channel">seed</span>}
          <span>{response.text.length.toLocaleString()} chars</span>
        </footer>
      </article>
    </div>
  );
});

function UserBubble({ text }: { text: string }) {
  return (
    <div className="bubble user" data-testid="user-bubble">
      {text}
    </div>
  );
}
