import type { HydrationStrategy, ResponsePattern } from '@resumable/core';

/** Everything the controls change; kept in localStorage so a reload keeps it. */
export interface Settings {
  readonly pattern: ResponsePattern;
  readonly strategy: HydrationStrategy;
  readonly tokensPerSecond: number;
  readonly jitter: number;
  readonly rollupWindowMs: number;
  /** Render answers as markdown, or show the exact text received. */
  readonly view: 'markdown' | 'source';
  readonly disconnectSeconds: number;
  readonly slowNetworkMs: number;
}

export const DEFAULT_SETTINGS: Settings = {
  pattern: 'message-per-response',
  strategy: 'rewind',
  tokensPerSecond: 40,
  jitter: 0.5,
  rollupWindowMs: 40,
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
    return { ...DEFAULT_SETTINGS, ...saved };
  } catch {
    return DEFAULT_SETTINGS;
  }
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
