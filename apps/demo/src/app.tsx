import { useCallback, useEffect, useMemo, useState } from 'react';
import {
  type DemoConfig,
  type FaultKind,
  fetchConversation,
  injectFault,
  type ModelControls,
  updateControls,
} from './api.js';
import { ChatPane, type PaneStatus } from './chat-pane.js';
import { Composer } from './composer.js';
import { Controls } from './controls.js';
import { Inspector } from './inspector.js';
import { ProtocolLog } from './protocol-log.js';
import { conversationFromUrl, loadSettings, newConversationId, type Settings, saveSettings } from './settings.js';

/** The demo: a chat, the controls that break it, and an inspector that shows what the client received. */
export function App({ config }: { config: DemoConfig }) {
  const [conversationId, setConversationId] = useState(conversationFromUrl);
  const [settings, setSettings] = useState(loadSettings);
  const [mountCount, setMountCount] = useState(0);
  const [lateJoinerCount, setLateJoinerCount] = useState(0);
  const [lateJoiner, setLateJoiner] = useState(false);
  const [slowNetwork, setSlowNetwork] = useState<boolean>();
  const [model, setModel] = useState<ModelControls>();
  const [status, setStatus] = useState<PaneStatus>();
  const [notice, setNotice] = useState<{ text: string; error?: boolean }>();
  // A new log per mount: each mount is a new client with its own story.
  // biome-ignore lint/correctness/useExhaustiveDependencies: a remount or another conversation starts a new log
  const log = useMemo(() => new ProtocolLog(), [mountCount, conversationId]);
  // biome-ignore lint/correctness/useExhaustiveDependencies: each late joiner starts a new log
  const lateLog = useMemo(() => new ProtocolLog(), [lateJoinerCount, conversationId]);

  const updateSettings = (change: Partial<Settings>) => {
    const next = { ...settings, ...change };
    setSettings(next);
    saveSettings(next);
  };

  // The server's errors (ApiError) and the kit's (ResumableError) both carry a code and a hint.
  const report = (error: unknown) => {
    const { code, message, hint } = (error ?? {}) as { code?: unknown; message?: unknown; hint?: unknown };
    setNotice({
      text:
        typeof code === 'number'
          ? `${code}: ${String(message)} ${typeof hint === 'string' ? hint : ''}`
          : String(error),
      error: true,
    });
  };

  const fault = async (kind: FaultKind, ms: number | undefined, text: string) => {
    const connectionId = status?.client?.connection.id;
    if (!connectionId) return setNotice({ text: 'Not connected yet.', error: true });
    try {
      await injectFault(kind, { connectionId, ...(ms !== undefined ? { ms } : {}) });
      setNotice({ text });
    } catch (error) {
      report(error);
    }
  };

  // The prompt goes over the channel as a turn: every tab and device of the conversation sees it.
  const send = (prompt: string): boolean => {
    const chat = status?.chat;
    if (!chat) {
      setNotice({
        text: 'Not connected yet: your message is still in the box; send it again in a moment.',
        error: true,
      });
      return false;
    }
    void chat.send(prompt).then((sent) => sent.error && report(sent.error));
    return true;
  };

  const changeModel = (change: Partial<ModelControls>) => {
    if (model) setModel({ ...model, ...change });
    updateControls(conversationId, change).then(setModel, (error: unknown) => {
      report(error);
      void refreshModel();
    });
  };

  // The conversation's controls live on the server: other tabs change them too, so they are re-read.
  const refreshModel = useCallback(async () => {
    const state = await fetchConversation(conversationId).catch(() => undefined);
    if (!state) return;
    setModel(state.controls);
    setSlowNetwork(state.networkDelayMs > 0);
  }, [conversationId]);
  const streamingResponseId = status?.streamingResponseId;
  // biome-ignore lint/correctness/useExhaustiveDependencies: an answer starting or ending may have changed them
  useEffect(() => {
    void refreshModel();
    const timer = setInterval(() => void refreshModel(), 1500);
    return () => clearInterval(timer);
  }, [refreshModel, streamingResponseId]);

  useEffect(() => {
    if (!notice) return;
    const timer = setTimeout(() => setNotice(undefined), 8000);
    return () => clearTimeout(timer);
  }, [notice]);

  const onStatus = useCallback((next: PaneStatus) => setStatus(next), []);

  return (
    <div className="app">
      <header className="topbar">
        <h1>Resumable</h1>
        <span className="subtitle">AI answers streamed over Ably that survive reloads, drops and outages</span>
        <span className="badge" data-testid="backend" title="Where the Ably traffic goes">
          {config.backend === 'emulator' ? 'local emulator' : 'Ably cloud'}
        </span>
        <span className="badge" title="The model behind the agent">
          {config.model === 'simulated' ? 'simulated model' : config.model}
        </span>
        <span className="badge muted" title="Conversation id (in the URL)">
          {conversationId}
        </span>
      </header>
      <main className={lateJoiner ? 'panes two' : 'panes'}>
        <div className="pane-column">
          <ChatPane
            key={`main-${mountCount}-${settings.strategy}-${conversationId}`}
            kind="main"
            config={config}
            conversationId={conversationId}
            strategy={settings.strategy}
            view={settings.view}
            sendVia={settings.sendVia}
            log={log}
            onStatus={onStatus}
            onSuggest={send}
          />
          <Composer
            maxLength={config.maxPromptLength}
            streamingResponseId={streamingResponseId}
            paused={model?.paused ?? false}
            onSend={send}
            onStop={(responseId) => status?.chat?.stop(responseId).catch(report)}
            onTogglePause={() => changeModel({ paused: !model?.paused })}
          />
        </div>
        {lateJoiner && (
          <div className="pane-column">
            <ChatPane
              key={`late-${lateJoinerCount}-${settings.strategy}-${conversationId}`}
              kind="late-joiner"
              config={config}
              conversationId={conversationId}
              strategy={settings.strategy}
              view={settings.view}
              sendVia={settings.sendVia}
              log={lateLog}
            />
          </div>
        )}
      </main>
      {notice && (
        <p className={notice.error ? 'notice error' : 'notice'} role="status" data-testid="notice">
          {notice.text}
          <button type="button" className="close" aria-label="Dismiss" onClick={() => setNotice(undefined)}>
            ×
          </button>
        </p>
      )}
      <aside className="sidebar">
        <Controls
          settings={settings}
          onSettings={updateSettings}
          model={model}
          onModel={changeModel}
          answering={Boolean(streamingResponseId)}
          faults={config.faults}
          connected={Boolean(status?.client)}
          lateJoiner={lateJoiner}
          slowNetwork={slowNetwork ?? false}
          onReload={() => location.reload()}
          onRemount={() => {
            setMountCount((count) => count + 1);
            setNotice({ text: 'Remounted the chat with a new client.' });
          }}
          onDisconnect={() =>
            fault(
              'disconnect',
              settings.disconnectSeconds * 1000,
              `Connection dropped and cut off for ${settings.disconnectSeconds} s; it resumes afterwards.`,
            )
          }
          onOutage={() =>
            fault(
              'outage',
              settings.disconnectSeconds * 1000,
              `Cut off for ${settings.disconnectSeconds} s and the connection state discarded: the client cannot resume and re-hydrates.`,
            )
          }
          onToggleLateJoiner={() => {
            if (!lateJoiner) setLateJoinerCount((count) => count + 1);
            setLateJoiner(!lateJoiner);
          }}
          onToggleSlowNetwork={async () => {
            const next = !slowNetwork;
            await fault(
              'delay',
              next ? settings.slowNetworkMs : 0,
              next ? `Every delivery now waits ${settings.slowNetworkMs} ms.` : 'Network back to normal.',
            );
            setSlowNetwork(next);
          }}
          onNewConversation={() => {
            const id = newConversationId();
            const url = new URL(location.href);
            url.searchParams.set('c', id);
            history.pushState(null, '', url);
            setConversationId(id);
          }}
        />
        <Inspector log={log} status={status} />
      </aside>
    </div>
  );
}
