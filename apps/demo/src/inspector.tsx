import { useEffect, useRef, useState, useSyncExternalStore } from 'react';
import { fetchResponse } from './api.js';
import type { PaneStatus } from './chat-pane.js';
import type { ProtocolLog } from './protocol-log.js';

/**
 * What the main client went through: connection and channel state, the protocol events it received
 * (with sizes), tokens produced versus messages received, and whether it had to resync.
 */
export function Inspector({ log, status }: { log: ProtocolLog; status: PaneStatus | undefined }) {
  const snapshot = useSyncExternalStore(log.subscribe, log.getSnapshot);
  const tokens = useTokenCounts(snapshot.responseIds);
  const totalTokens = [...tokens.values()].reduce((sum, count) => sum + count, 0);
  const appends = (snapshot.counts.append ?? 0) + (snapshot.counts['create token'] ?? 0);
  const list = useRef<HTMLOListElement>(null);
  // biome-ignore lint/correctness/useExhaustiveDependencies: scroll whenever a new event arrives
  useEffect(() => {
    if (list.current) list.current.scrollTop = list.current.scrollHeight;
  }, [snapshot.events.length]);

  const resyncs = status?.resyncCount ?? 0;
  return (
    <section className="panel inspector" aria-label="Inspector" data-testid="inspector">
      <h2>
        Inspector
        {resyncs > 0 && (
          <span
            className="badge warn"
            data-testid="resync-badge"
            title="Continuity was lost and the client re-hydrated"
          >
            resynced ×{resyncs}
          </span>
        )}
      </h2>
      <dl className="states">
        <dt>Connection</dt>
        <dd data-testid="connection-state" className={`state state-${snapshot.connectionState}`}>
          {snapshot.connectionState}
        </dd>
        <dt>History</dt>
        <dd data-testid="connection-trail" className="trail" title="Connection states, oldest first">
          {snapshot.connectionTrail.join(' → ') || '…'}
        </dd>
        <dt>Channel</dt>
        <dd data-testid="channel-state" className={`state state-${snapshot.channelState}`}>
          {snapshot.channelState}
        </dd>
        <dt>Hydration</dt>
        <dd data-testid="sync-status">
          {status?.syncStatus ?? '…'}
          {status?.caughtUp ? ', caught up' : ''}
        </dd>
      </dl>
      <div className="counters">
        <div>
          <strong data-testid="tokens-count">{totalTokens.toLocaleString()}</strong>
          <span>tokens produced</span>
        </div>
        <div>
          <strong data-testid="messages-count">{snapshot.messages.toLocaleString()}</strong>
          <span>messages received</span>
        </div>
        <div>
          <strong>{formatBytes(snapshot.bytes)}</strong>
          <span>data received</span>
        </div>
      </div>
      <p className="counts">
        {Object.entries(snapshot.counts)
          .map(([label, count]) => `${label} ${count}`)
          .join(' · ') || 'no messages yet'}
        {appends > 0 && totalTokens > 0 ? ` · ${(totalTokens / snapshot.messages).toFixed(1)} tokens per message` : ''}
      </p>
      <ol className="events" ref={list} data-testid="protocol-events">
        {snapshot.events.map((event) => (
          <li key={event.seq} className={`event event-${event.kind}`}>
            <time>{(event.at / 1000).toFixed(2)}s</time>
            <span className="event-label">{event.label}</span>
            <span className="event-detail">{event.detail}</span>
            {event.size !== undefined && <span className="event-size">{event.size} B</span>}
          </li>
        ))}
      </ol>
    </section>
  );
}

/** Tokens the model produced for each response seen on the channel, from the agent server once it finishes. */
function useTokenCounts(responseIds: readonly string[]): Map<string, number> {
  const [counts, setCounts] = useState(() => new Map<string, number>());
  const done = useRef(new Set<string>());
  useEffect(() => {
    let live = true;
    const poll = async () => {
      for (const id of responseIds) {
        if (done.current.has(id)) continue;
        const response = await fetchResponse(id).catch(() => undefined);
        if (!live || !response) continue;
        if (response.status !== 'streaming') done.current.add(id);
        if (typeof response.tokens === 'number') {
          const tokens = response.tokens;
          setCounts((previous) => (previous.get(id) === tokens ? previous : new Map(previous).set(id, tokens)));
        }
      }
    };
    void poll();
    const timer = setInterval(poll, 1000);
    return () => {
      live = false;
      clearInterval(timer);
    };
  }, [responseIds]);
  return counts;
}

function formatBytes(bytes: number): string {
  return bytes < 1024 ? `${bytes} B` : `${(bytes / 1024).toFixed(1)} KB`;
}
