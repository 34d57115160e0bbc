import type { HydrationStrategy } from '@resumable/core';

/**
 * What this browser's controls change; kept in localStorage so a reload keeps it. How the agent
 * answers (pattern, rate, pause...) is the conversation's, kept on the server: see ModelControls.
 */
export interface Settings {
  readonly strategy: HydrationStrategy;
  /** Prompts are published by the browser on the channel, or posted to the server, which publishes them. */
  readonly sendVia: 'channel' | 'server';
  /** Render answers as markdown, or show the exact text received. */
  readonly view: 'markdown' | 'source';
  readonly disconnectSeconds: number;
  readonly slowNetworkMs: number;
}

export const DEFAULT_SETTINGS: Settings = {
  strategy: 'rewind',
  sendVia: 'channel',
  view: 'markdown',
  disconnectSeconds: 5,
  slowNetworkMs: 800,
};

/** Rollup windows Ably documents (ms). */
export const ROLLUP_WINDOWS = [0, 20, 40, 100, 500] as const;

const KEY = 'resumable-demo:settings';

export function loadSettings(): Settings {
  try {
    const saved = JSON.parse(localStorage.getItem(KEY) ?? '{}') as Partial<Settings>;
    // Only the known fields: older versions kept the model's settings here too.
    return {
      strategy: saved.strategy === 'history' ? 'history' : DEFAULT_SETTINGS.strategy,
      sendVia: saved.sendVia === 'server' ? 'server' : DEFAULT_SETTINGS.sendVia,
      view: saved.view === 'source' ? 'source' : DEFAULT_SETTINGS.view,
      disconnectSeconds: validNumber(saved.disconnectSeconds, 1, 120) ?? DEFAULT_SETTINGS.disconnectSeconds,
      slowNetworkMs: validNumber(saved.slowNetworkMs, 0, 60_000) ?? DEFAULT_SETTINGS.slowNetworkMs,
    };
  } catch {
    return DEFAULT_SETTINGS;
  }
}

function validNumber(value: unknown, min: number, max: number): number | undefined {
  return typeof value === 'number' && Number.isFinite(value) && value >= min && value <= max ? value : undefined;
}

export function saveSettings(settings: Settings): void {
  localStorage.setItem(KEY, JSON.stringify(settings));
}

/** The conversation in the URL (`?c=`), or a new one written into it, so reloads and late joiners share it. */
export function conversationFromUrl(): string {
  const url = new URL(location.href);
  let id = url.searchParams.get('c');
  if (!id || !/^[A-Za-z0-9_-]{1,64}$/.test(id)) {
    id = newConversationId();
    url.searchParams.set('c', id);
    history.replaceState(null, '', url);
  }
  return id;
}

export function newConversationId(): string {
  return `c-${crypto.randomUUID().slice(0, 8)}`;
}
