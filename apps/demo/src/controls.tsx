import type { HydrationStrategy, ResponsePattern } from '@resumable/core';
import type { ModelControls } from './api.js';
import { ROLLUP_WINDOWS, type Settings } from './settings.js';

export interface ControlsProps {
  readonly settings: Settings;
  readonly onSettings: (change: Partial<Settings>) => void;
  /** How the agent answers this conversation (from the server; undefined while loading). */
  readonly model: ModelControls | undefined;
  readonly onModel: (change: Partial<ModelControls>) => void;
  /** An answer streams: pattern and rollup window wait until it ends. */
  readonly answering: boolean;
  /** Whether faults can be injected (emulator only). */
  readonly faults: boolean;
  readonly connected: boolean;
  readonly lateJoiner: boolean;
  readonly slowNetwork: boolean;
  readonly onReload: () => void;
  readonly onRemount: () => void;
  readonly onDisconnect: () => void;
  readonly onOutage: () => void;
  readonly onToggleLateJoiner: () => void;
  readonly onToggleSlowNetwork: () => void;
  readonly onNewConversation: () => void;
}

const NEEDS_EMULATOR = 'Needs the local emulator (unset ABLY_API_KEY)';

/** Everything that breaks a stream, and the settings that shape it. */
export function Controls(props: ControlsProps) {
  const { settings, onSettings, faults, onModel } = props;
  const model = props.model;
  return (
    <section className="panel controls" aria-label="Controls">
      <h2>Break it</h2>
      <div className="button-grid">
        <button type="button" onClick={props.onReload} title="window.location.reload(): a brand-new client">
          Reload page
        </button>
        <button type="button" onClick={props.onRemount} title="Unmount the chat and mount it again with a new client">
          Soft remount
        </button>
        <button
          type="button"
          onClick={props.onDisconnect}
          disabled={!faults}
          title={
            faults
              ? 'Drop this connection and hold all deliveries for the time below; it then resumes and gets what it missed'
              : NEEDS_EMULATOR
          }
        >
          Disconnect {settings.disconnectSeconds} s
        </button>
        <button
          type="button"
          onClick={props.onOutage}
          disabled={!faults}
          title={
            faults
              ? 'Drop this connection and discard its state on the server: the resume fails and the client re-hydrates'
              : NEEDS_EMULATOR
          }
        >
          Long outage
        </button>
        <button type="button" onClick={props.onToggleLateJoiner} aria-pressed={props.lateJoiner}>
          {props.lateJoiner ? 'Remove late joiner' : 'Add late joiner'}
        </button>
        <button
          type="button"
          onClick={props.onToggleSlowNetwork}
          aria-pressed={props.slowNetwork}
          disabled={!faults}
          title={faults ? `Delay every delivery by ${settings.slowNetworkMs} ms` : NEEDS_EMULATOR}
        >
          {props.slowNetwork ? 'Fast network' : 'Slow network'}
        </button>
      </div>
      <label className="field inline">
        Disconnect for
        <input
          type="number"
          min={1}
          max={120}
          value={settings.disconnectSeconds}
          onChange={(event) => onSettings({ disconnectSeconds: clampNumber(event.target.value, 1, 120) })}
        />
        s
      </label>

      <h2>Stream</h2>
      <div className="settings-grid">
        <label className="field">
          Pattern
          <select
            value={model?.pattern ?? 'message-per-response'}
            disabled={!model || props.answering}
            title={props.answering ? 'Changes once the answer ends' : undefined}
            onChange={(event) => onModel({ pattern: event.target.value as ResponsePattern })}
          >
            <option value="message-per-response">per-response</option>
            <option value="message-per-token">per-token</option>
          </select>
        </label>
        <label className="field">
          Hydration
          <select
            value={settings.strategy}
            onChange={(event) => onSettings({ strategy: event.target.value as HydrationStrategy })}
          >
            <option value="rewind">rewind</option>
            <option value="history">history</option>
          </select>
        </label>
        <label className="field">
          Token rate <output>{model?.tokensPerSecond ?? '…'} tokens/s</output>
          <input
            type="range"
            aria-label="Token rate"
            min={5}
            max={400}
            step={5}
            value={model?.tokensPerSecond ?? 40}
            disabled={!model}
            onChange={(event) => onModel({ tokensPerSecond: Number(event.target.value) })}
          />
        </label>
        <label className="field">
          Jitter <output>{Math.round((model?.jitter ?? 0.5) * 100)}%</output>
          <input
            type="range"
            aria-label="Jitter"
            min={0}
            max={1}
            step={0.05}
            value={model?.jitter ?? 0.5}
            disabled={!model}
            onChange={(event) => onModel({ jitter: Number(event.target.value) })}
          />
        </label>
        <label className="field">
          Tool call takes <output>{((model?.toolDelayMs ?? 800) / 1000).toFixed(1)} s</output>
          <input
            type="range"
            aria-label="Tool call delay"
            min={0}
            max={5000}
            step={100}
            value={model?.toolDelayMs ?? 800}
            disabled={!model}
            onChange={(event) => onModel({ toolDelayMs: Number(event.target.value) })}
          />
        </label>
        <label className="field">
          {model?.pattern === 'message-per-token' ? 'Agent batching window' : 'Agent rollup window'}
          <select
            value={model?.rollupWindowMs ?? 40}
            disabled={!model || props.answering}
            onChange={(event) => onModel({ rollupWindowMs: Number(event.target.value) })}
          >
            {ROLLUP_WINDOWS.map((ms) => (
              <option key={ms} value={ms}>
                {ms} ms{ms === 40 ? ' (default)' : ''}
              </option>
            ))}
          </select>
        </label>
        <label className="field">
          Prompts go
          <select
            value={settings.sendVia}
            onChange={(event) => onSettings({ sendVia: event.target.value as Settings['sendVia'] })}
          >
            <option value="channel">over the channel</option>
            <option value="server">through the server</option>
          </select>
        </label>
        <label className="field">
          Show answers as
          <select
            value={settings.view}
            onChange={(event) => onSettings({ view: event.target.value as Settings['view'] })}
          >
            <option value="markdown">markdown</option>
            <option value="source">exact text</option>
          </select>
        </label>
      </div>
      {model?.pattern === 'message-per-token' && settings.strategy === 'rewind' && (
        <p className="hint" data-testid="rewind-hint">
          Rewind replays at most 100 messages, one per token here: a reload loses the start of a longer answer. Use
          history.
        </p>
      )}
      <button type="button" className="link" onClick={props.onNewConversation}>
        New conversation
      </button>
    </section>
  );
}

function clampNumber(value: string, min: number, max: number): number {
  const number = Number(value);
  return Number.isFinite(number) ? Math.min(max, Math.max(min, Math.round(number))) : min;
}
