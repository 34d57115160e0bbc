import type { ConversationResponse, ConversationStore, ConversationTurn, HydrationStrategy } from '@resumable/core';
import { type Conversation as ConversationChat, useConversation } from '@resumable/react';
import type * as Ably from 'ably';
import { memo, useEffect, useLayoutEffect, useRef, useState, useSyncExternalStore } from 'react';
import { createBrowserClient, tabClientId } from './ably-client.js';
import { type ConversationState, type DemoConfig, fetchConversation, turnsEndpoint } from './api.js';
import { AssistantBody } from './assistant-body.js';
import { AssistantPresence } from './assistant-presence.js';
import { channelNameFor, REWIND } from './conversation.js';
import { EmptyConversation } from './empty-conversation.js';
import { JumpToLatest } from './jump-to-latest.js';
import { messageListProps, messageProps, Speaker } from './message-list-a11y.js';
import type { ProtocolLog } from './protocol-log.js';

/** What a pane reports upwards: its client (for fault injection), its sync state (for the inspector), its actions. */
export interface PaneStatus {
  readonly client: Ably.Realtime | undefined;
  readonly syncStatus: string;
  readonly caughtUp: boolean;
  readonly resyncCount: number;
  readonly responses: number;
  readonly error: string | undefined;
  /** Response id of the newest response still streaming, if any. */
  readonly streamingResponseId: string | undefined;
  /** The conversation's actions (send, stop, regenerate), once connected. */
  readonly chat: Pick<ConversationChat, 'send' | 'stop' | 'regenerate'> | undefined;
  /** What the server said when the pane loaded (controls, network). */
  readonly server: ConversationState | undefined;
}

export interface ChatPaneProps {
  readonly config: DemoConfig;
  readonly conversationId: string;
  readonly strategy: HydrationStrategy;
  readonly view: 'markdown' | 'source';
  readonly sendVia: 'channel' | 'server';
  readonly kind: 'main' | 'late-joiner';
  readonly log: ProtocolLog;
  readonly onStatus?: (status: PaneStatus) => void;
  /** Sends a suggested prompt; without it, suggestions are shown as text only. */
  readonly onSuggest?: (prompt: string) => void;
}

/**
 * One client's view of the conversation: its own Ably connection, the completed turns from the agent
 * server's database as the seed, and the channel hydrated into the kit's conversation store.
 */
export function ChatPane(props: ChatPaneProps) {
  const { config, conversationId, log, kind } = props;
  const channelName = channelNameFor(conversationId);
  const [client, setClient] = useState<Ably.Realtime>();
  const [server, setServer] = useState<ConversationState>();
  const [loadError, setLoadError] = useState<string>();

  useEffect(() => {
    const created = createBrowserClient(config, channelName, kind === 'main' ? tabClientId() : `${tabClientId()}-late`);
    setClient(created);
    return () => created.close();
  }, [config, channelName, kind]);

  useEffect(() => {
    let live = true;
    fetchConversation(conversationId).then(
      (state) => live && setServer(state),
      (error: unknown) => live && setLoadError(String(error)),
    );
    return () => {
      live = false;
    };
  }, [conversationId]);

  return (
    <section className="pane" data-testid="chat-pane" data-kind={kind} aria-label={paneLabel(kind)}>
      <header className="pane-header">
        <span>{paneLabel(kind)}</span>
        {kind === 'main' && <AssistantPresence config={config} channelName={channelName} />}
      </header>
      {loadError ? (
        <p className="pane-note error">Could not load the conversation: {loadError}</p>
      ) : client && server ? (
        <Conversation {...props} client={client} server={server} channelName={channelName} log={log} />
      ) : (
        <p className="pane-note">Loading the conversation…</p>
      )}
    </section>
  );
}

function paneLabel(kind: ChatPaneProps['kind']) {
  return kind === 'main' ? 'Your chat' : 'Late joiner (second client)';
}

const BUSY = new Set(['submitted', 'streaming', 'stale']);

function Conversation(
  props: ChatPaneProps & { client: Ably.Realtime; server: ConversationState; channelName: string },
) {
  const { client, channelName, server, strategy, log, onStatus } = props;
  const chat = useConversation({
    client,
    channelName,
    strategy,
    seed: server.responses,
    pageSize: 20,
    rewind: REWIND,
    api: props.sendVia === 'server' ? turnsEndpoint(props.conversationId) : undefined,
  });
  // After the hook, so the kit's own subscription decides how the channel attaches.
  useEffect(() => log.watch(client, client.channels.get(channelName)), [log, client, channelName]);

  const responses = chat.turns.flatMap((turn) => turn.responses);
  const streamingResponseId = responses.findLast((response) => BUSY.has(response.status))?.responseId;
  const { syncStatus, caughtUp, resyncCount, error, send, stop, regenerate } = chat;
  const responseCount = responses.length;
  useEffect(() => {
    onStatus?.({
      client,
      syncStatus,
      caughtUp,
      resyncCount,
      responses: responseCount,
      error: error ? `${error.code}: ${error.message}` : undefined,
      streamingResponseId,
      chat: { send, stop, regenerate },
      server,
    });
  }, [
    onStatus,
    client,
    syncStatus,
    caughtUp,
    resyncCount,
    responseCount,
    error,
    streamingResponseId,
    send,
    stop,
    regenerate,
    server,
  ]);

  const scroller = useRef<HTMLDivElement>(null);
  const stickToBottom = useRef(true);
  useLayoutEffect(() => {
    const element = scroller.current;
    if (element && stickToBottom.current) element.scrollTop = element.scrollHeight;
  });

  const lastTurn = chat.turns.at(-1)?.id;
  return (
    <>
      <div
        className="messages"
        ref={scroller}
        data-testid="messages"
        data-sync-status={chat.syncStatus}
        data-caught-up={chat.caughtUp}
        {...messageListProps('Conversation')}
        onScroll={(event) => {
          const element = event.currentTarget;
          stickToBottom.current = element.scrollHeight - element.scrollTop - element.clientHeight < 40;
        }}
      >
        {chat.hasOlder && (
          <button type="button" className="link" onClick={() => void chat.loadOlder()}>
            Load earlier messages
          </button>
        )}
        {chat.turns.length === 0 && <EmptyConversation onSuggest={props.onSuggest} />}
        {chat.turns.map((turn) => (
          <Turn
            key={turn.id}
            turn={turn}
            store={chat.store}
            view={props.view}
            reconnecting={chat.syncStatus === 'resyncing'}
            connectionState={chat.connectionState}
            onStop={stop}
            onRegenerate={turn.id === lastTurn && turn.turnId ? regenerate : undefined}
          />
        ))}
      </div>
      <JumpToLatest target={scroller} />
      {chat.error && (
        <p className="pane-note error" role="alert">
          {chat.error.code}: {chat.error.message} {chat.error.hint}
        </p>
      )}
    </>
  );
}

/** One question and its answers (a regenerate adds a sibling; all stay readable). */
const Turn = memo(function Turn(props: {
  turn: ConversationTurn;
  store: ConversationStore;
  view: 'markdown' | 'source';
  reconnecting: boolean;
  connectionState: string | undefined;
  onStop: (responseId: string) => Promise<void>;
  onRegenerate: ((turnId: string) => Promise<unknown>) | undefined;
}) {
  const { turn } = props;
  const last = turn.responses.at(-1);
  const canRegenerate = props.onRegenerate && last && !BUSY.has(last.status);
  return (
    <div className="turn" data-testid="turn" data-turn-id={turn.turnId}>
      <div className="bubble user" data-testid="user-bubble" {...messageProps(`speaker-${turn.id}`)}>
        <Speaker id={`speaker-${turn.id}`}>You</Speaker>
        <span data-testid="user-text">{turn.user ? turn.user.text : <em>(an earlier message, not loaded)</em>}</span>
      </div>
      {turn.responses.length === 0 && (
        <div className="bubble assistant waiting" data-testid="waiting-bubble">
          <span className="dots">Thinking</span>
        </div>
      )}
      {turn.responses.map((response, index) => (
        <Answer
          key={response.responseId}
          responseId={response.responseId}
          store={props.store}
          view={props.view}
          reconnecting={props.reconnecting}
          connectionState={props.connectionState}
          label={turn.responses.length > 1 ? `answer ${index + 1} of ${turn.responses.length}` : undefined}
          onStop={props.onStop}
        />
      ))}
      {canRegenerate && (
        <button type="button" className="link regenerate" onClick={() => void props.onRegenerate?.(turn.turnId!)}>
          Regenerate
        </button>
      )}
    </div>
  );
});

/** One answer; subscribes to its own response, so other answers streaming do not re-render it. */
const Answer = memo(function Answer(props: {
  responseId: string;
  store: ConversationStore;
  view: 'markdown' | 'source';
  reconnecting: boolean;
  connectionState: string | undefined;
  label: string | undefined;
  onStop: (responseId: string) => Promise<void>;
}) {
  const { store, responseId } = props;
  const response: ConversationResponse | undefined = useSyncExternalStore(
    (listener) => store.subscribeResponse(responseId, listener),
    () => store.getResponse(responseId),
  );
  if (!response) return null;
  const busy = BUSY.has(response.status);
  return (
    <article
      className="bubble assistant"
      data-testid="assistant-bubble"
      data-response-id={response.responseId}
      data-status={response.status}
      data-seeded={response.seeded ? 'true' : undefined}
      data-incomplete={response.incomplete ? 'true' : undefined}
      data-cancelled-by={response.cancelledBy}
      {...messageProps(`speaker-${response.responseId}`)}
    >
      <Speaker id={`speaker-${response.responseId}`}>Assistant</Speaker>
      <AssistantBody
        response={response}
        view={props.view}
        reconnecting={props.reconnecting}
        connectionState={props.connectionState}
      />
      <footer className="bubble-meta">
        <span className={`status status-${response.status}`}>{response.status}</span>
        {response.cancelledBy && <span>stopped by {response.cancelledBy}</span>}
        {props.label && <span>{props.label}</span>}
        <span>{response.pattern === 'message-per-token' ? 'per-token' : 'per-response'}</span>
        {response.seeded && <span title="Loaded from the agent server's database, not from the channel">seed</span>}
        <span>{response.text.length.toLocaleString()} chars</span>
        {busy && (
          <button type="button" className="link" onClick={() => void props.onStop(response.responseId)}>
            Stop
          </button>
        )}
      </footer>
    </article>
  );
});
