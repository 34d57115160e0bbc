import type { ResponsePattern } from '@resumable/core';
import { HttpError, numberField } from './http-utils.js';

/**
 * How the agent answers one conversation: kept on the server (and in the database), so every tab of
 * the conversation shows the same controls, and a reload shows the truth (a paused model stays paused).
 */
export interface ModelControls {
  readonly pattern: ResponsePattern;
  readonly tokensPerSecond: number;
  readonly jitter: number;
  /** `appendRollupWindow` of the agent's connection, in ms. */
  readonly rollupWindowMs: number;
  /** How long the simulated tool call takes, in ms. */
  readonly toolDelayMs: number;
  /** The model is held between two tokens. */
  readonly paused: boolean;
  /** Hold the model once the current (or next) answer produced this many tokens; 0 = never. */
  readonly pauseAfterTokens: number;
}

export const DEFAULT_CONTROLS: ModelControls = {
  pattern: 'message-per-response',
  tokensPerSecond: 40,
  jitter: 0.5,
  rollupWindowMs: 40,
  toolDelayMs: 800,
  paused: false,
  pauseAfterTokens: 0,
};

const PATTERNS: readonly ResponsePattern[] = ['message-per-response', 'message-per-token'];

/**
 * Apply a change from a request body (or saved controls) to `base`, checking every field.
 *
 * @throws HttpError 400 (40106) naming the bad field
 * @example
 * ```ts
 * applyControls(DEFAULT_CONTROLS, { tokensPerSecond: 80 }).tokensPerSecond; // 80
 * ```
 */
export function applyControls(base: ModelControls, body: Record<string, unknown>): ModelControls {
  const known = new Set(Object.keys(DEFAULT_CONTROLS));
  const unknown = Object.keys(body).filter((key) => !known.has(key));
  if (unknown.length > 0) {
    throw new HttpError(400, 40106, `Unknown control "${unknown[0]}"`, `Use ${[...known].join(', ')}.`);
  }
  const pattern = body.pattern ?? base.pattern;
  if (!PATTERNS.includes(pattern as ResponsePattern)) {
    throw new HttpError(400, 40106, `Unknown pattern ${JSON.stringify(pattern)}`, `Use one of ${PATTERNS.join(', ')}.`);
  }
  if (body.paused !== undefined && typeof body.paused !== 'boolean') {
    throw new HttpError(400, 40106, '"paused" must be true or false', `Got ${JSON.stringify(body.paused)}.`);
  }
  return {
    pattern: pattern as ResponsePattern,
    tokensPerSecond: numberField(body, 'tokensPerSecond', 1, 2000, base.tokensPerSecond),
    jitter: numberField(body, 'jitter', 0, 1, base.jitter),
    rollupWindowMs: numberField(body, 'rollupWindowMs', 0, 500, base.rollupWindowMs),
    toolDelayMs: numberField(body, 'toolDelayMs', 0, 10_000, base.toolDelayMs),
    paused: (body.paused as boolean | undefined) ?? base.paused,
    pauseAfterTokens: numberField(body, 'pauseAfterTokens', 0, 1_000_000, base.pauseAfterTokens),
  };
}

/** Saved controls that no longer check out (an older version's) fall back to the defaults. */
export function savedControls(saved: Record<string, unknown> | undefined): ModelControls {
  if (!saved) return DEFAULT_CONTROLS;
  try {
    return applyControls(DEFAULT_CONTROLS, saved);
  } catch {
    return DEFAULT_CONTROLS;
  }
}
