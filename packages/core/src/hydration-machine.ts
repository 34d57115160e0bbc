/**
 * The states of a channel sync and the transitions between them, as a small explicit machine: a test (or a
 * status display) can name where a sync stands instead of reading a set of flags.
 *
 * ```
 * idle ─▶ hydrating ─▶ live ◀──────────────┐
 *            │          │                   │
 *            ▼          ▼                   │
 *          error      lost (suspended) ─▶ resyncing
 *                       │                   ▲
 *                       ▼                   │
 *                     failed (permanent) ───┘ (the app attaches again)
 * ```
 * Every state can go to `stopped`, which is final.
 *
 * @module
 */

/**
 * Where a channel sync stands:
 * - `idle`: created, nothing done yet;
 * - `hydrating`: the first hydration (attach, rewind backlog or history) is running;
 * - `live`: hydrated; live messages go straight to the store;
 * - `lost`: continuity was lost (suspended, detached, failed) and the sync waits for the channel to attach;
 * - `failed`: lost with a permanent error (credentials, capability); an attach by the app re-hydrates;
 * - `resyncing`: re-hydrating after a loss;
 * - `error`: a hydration failed; live messages keep flowing;
 * - `stopped`: `stop()` was called or the signal aborted.
 */
export type HydrationState = 'idle' | 'hydrating' | 'live' | 'lost' | 'failed' | 'resyncing' | 'error' | 'stopped';

const TRANSITIONS: Readonly<Record<HydrationState, readonly HydrationState[]>> = {
  idle: ['hydrating', 'error', 'stopped'],
  hydrating: ['live', 'error', 'lost', 'failed', 'resyncing', 'stopped'],
  live: ['lost', 'failed', 'resyncing', 'stopped'],
  lost: ['resyncing', 'lost', 'failed', 'stopped'],
  failed: ['resyncing', 'lost', 'failed', 'stopped'],
  resyncing: ['live', 'error', 'lost', 'failed', 'resyncing', 'stopped'],
  error: ['lost', 'failed', 'resyncing', 'stopped'],
  stopped: [],
};

/** See {@link createHydrationMachine}. */
export interface HydrationMachine {
  readonly state: HydrationState;
  /** Move to `to` when the table allows it; returns whether it moved. */
  transition(to: HydrationState): boolean;
  /** Whether the table allows `from → to`. */
  can(to: HydrationState): boolean;
}

/**
 * Create a machine in state `idle`.
 *
 * @example
 * ```ts
 * const machine = createHydrationMachine((from, to) => console.log(`${from} → ${to}`));
 * machine.transition('hydrating'); // true
 * machine.transition('idle'); // false: not a transition of the table
 * ```
 */
export function createHydrationMachine(
  onTransition?: (from: HydrationState, to: HydrationState) => void,
): HydrationMachine {
  let state: HydrationState = 'idle';
  const can = (to: HydrationState) => TRANSITIONS[state].includes(to);
  return {
    get state() {
      return state;
    },
    can,
    transition(to) {
      if (!can(to)) return false;
      const from = state;
      state = to;
      onTransition?.(from, to);
      return true;
    },
  };
}
