import { memo, useCallback, useEffect, useRef, useState, useSyncExternalStore } from 'react';
import { fetchResponse } from './api.js';
import type { PaneStatus } from './chat-pane.js';
import type { ProtocolEvent, ProtocolLog } from './protocol-log.js';

/**
 * Rows of the event list actually rendered: the newest ones. The log keeps 300; rendering them all
 * on every update (the log notifies at most once per animation frame) cost frames while streaming.
 */
export const VISIBLE_EVENTS = 80;

/**
 * How often the inspector redraws at most. The log batches its changes per animation frame, but
 * a panel redrawn 60 times a second while an answer streams costs the page frames (its layout and
 * paint are not free) for numbers nobody reads that fast.
 */
export const INSPECTOR_INTERVAL_MS = 200;

/** The log's snapshot, with change notifications spaced at least `interval` ms apart. */
function useThrottledSnapshot(log: ProtocolLog, interval: number) {
  const subscribe = useCallback(
    (notify: () => void) => {
      let timer: ReturnType<typeof setTimeout> | undefined;
      let last = Number.NEGATIVE_INFINITY;
      const unsubscribe = log.subscribe(() => {
        if (timer !== undefined) return;
        timer = setTimeout(
          () => {
            timer = undefined;
            last = performance.now();
            notify();
          },
          Math.max(0, last + interval - performance.now()),
        );
      });
      return () => {
        unsubscribe();
        clearTimeout(timer);
      };
    },
    [log, interval],
  );
  return useSyncExternalStore(subscribe, log.getSnapshot);
}

/**
 * What the main client went through: connection and channel state, the protocol events it received
 * (with sizes), tokens produced versus messages received, and whether it had to resync.
 */
export function Inspector({ log, status }: { log: ProtocolLog; status: PaneStatus | undefined }) {
  const snapshot = useThrottledSnapshot(log, INSPECTOR_INTERVAL_MS);
  const tokens = useTokenCounts(snapshot.responseIds);
  const totalTokens = [...tokens.values()].reduce((sum, count) => sum + count, 0);
  const appends = (snapshot.counts.append ?? 0) + (snapshot.counts['create token'] ?? 0);
  // Newest first in the DOM (and so for a screen reader); the list is laid out bottom-up, so the
  // newest event shows at the bottom and stays in view with no scrolling from script (reading
  // scrollHeight on every update forced a layout of the whole page).
  const shown = snapshot.events.slice(-VISIBLE_EVENTS).reverse();
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
      {/* Focusable so the keyboard can scroll it; named for what it lists. */}
      <ol
        className="events"
        data-testid="protocol-events"
        aria-label={`Protocol events, newest first (${shown.length} of ${snapshot.events.length})`}
        // biome-ignore lint/a11y/noNoninteractiveTabindex: a scrollable region must be focusable
        tabIndex={0}
      >
        {shown.map((event) => (
          <EventRow key={event.seq} event={event} />
        ))}
      </ol>
    </section>
  );
}

/** One event; events never change, so a row renders once however often the list updates. */
const EventRow = memo(function EventRow({ event }: { event: ProtocolEvent }) {
  return (
    <li className={`event event-${event.kind}`}>
      <time>{(event.at / 1000).toFixed(2)}s</time>
      <span className="event-label">{event.label}</span>
      <span className="event-detail">{event.detail}</span>
      {event.size !== undefined && <span className="event-size">{event.size} B</span>}
    </li>
  );
});

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
