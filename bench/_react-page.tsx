// The page `pnpm bench react` loads in headless Chromium: one streamed message rendered either
// through @resumable/react's hooks or through a naive `useState(prev => prev + token)` subscriber,
// with a Profiler counting the message component's commits.

import * as Ably from 'ably';
import { Profiler, useEffect, useState } from 'react';
import { createRoot } from 'react-dom/client';
import { useChannelHydration, useStreamedResponse } from '../packages/react/src/index.js';

/** What the page exposes as `window.__bench` for `bench/react.ts`. */
export interface BenchState {
  commits: number;
  renderMs: number;
  text: string;
  ready: boolean;
  /** Resolves once the rendered text reaches `length` characters. */
  until(length: number): Promise<void>;
}

const params = new URLSearchParams(location.search);
const variant = params.get('variant') ?? 'ours';
const channelName = params.get('channel') ?? 'ai:bench';
const clientOptions = JSON.parse(atob(params.get('options') ?? '')) as Ably.ClientOptions;
let waiting: { length: number; resolve: () => void } | undefined;
const state: BenchState = {
  commits: 0,
  renderMs: 0,
  text: '',
  ready: false,
  until(length) {
    return new Promise((resolve) => {
      waiting = { length, resolve };
      settle();
    });
  },
};

function settle() {
  if (waiting && state.text.length >= waiting.length) {
    waiting.resolve();
    waiting = undefined;
  }
}

function rendered(text: string) {
  state.text = text;
  settle();
}
(window as unknown as { __bench: BenchState }).__bench = state;

const client = new Ably.Realtime(clientOptions);

function onRender(_id: string, _phase: string, actualDuration: number) {
  state.commits++;
  state.renderMs += actualDuration;
}

function Ours() {
  const { responses, syncStatus, store } = useChannelHydration({ client, channelName, strategy: 'rewind' });
  useEffect(() => {
    if (syncStatus === 'live') state.ready = true;
  }, [syncStatus]);
  const first = responses[0];
  if (!first) return null;
  return (
    <Profiler id="message" onRender={onRender}>
      <OurMessageWithStore id={first.id} store={store} />
    </Profiler>
  );
}

function OurMessageWithStore({ id, store }: { id: string; store: Parameters<typeof useStreamedResponse>[0]['store'] }) {
  const { text } = useStreamedResponse({ id, store });
  rendered(text);
  return <p>{text}</p>;
}

/** What most hand-written subscribers do: one state update per message. */
function NaiveMessage() {
  const [text, setText] = useState('');
  rendered(text);
  useEffect(() => {
    const channel = client.channels.get(channelName);
    const onMessage = (message: Ably.InboundMessage) => {
      const data = typeof message.data === 'string' ? message.data : '';
      if (message.name === 'start' || message.name === 'stop') return;
      if (message.action === 'message.update') setText(data);
      else setText((previous) => previous + data);
    };
    void channel.subscribe(onMessage).then(() => {
      state.ready = true;
    });
    return () => channel.unsubscribe(onMessage);
  }, []);
  return <p>{text}</p>;
}

function Naive() {
  return (
    <Profiler id="message" onRender={onRender}>
      <NaiveMessage />
    </Profiler>
  );
}

createRoot(document.getElementById('root')!).render(variant === 'naive' ? <Naive /> : <Ours />);
