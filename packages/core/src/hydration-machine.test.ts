import { describe, expect, it } from 'vitest';
import { createHydrationMachine, type HydrationState } from './hydration-machine.js';

describe('hydration machine', () => {
  it('walks the named states of a sync: hydrate, live, lose continuity, resync, stop', () => {
    const seen: string[] = [];
    const machine = createHydrationMachine((from, to) => seen.push(`${from}→${to}`));
    const path: HydrationState[] = ['hydrating', 'live', 'lost', 'resyncing', 'live', 'failed', 'resyncing', 'stopped'];
    for (const to of path) expect(machine.transition(to)).toBe(true);
    expect(seen).toEqual([
      'idle→hydrating',
      'hydrating→live',
      'live→lost',
      'lost→resyncing',
      'resyncing→live',
      'live→failed',
      'failed→resyncing',
      'resyncing→stopped',
    ]);
  });

  it('refuses transitions the table does not have, and nothing leaves stopped', () => {
    const machine = createHydrationMachine();
    expect(machine.transition('live')).toBe(false);
    expect(machine.state).toBe('idle');
    machine.transition('stopped');
    for (const to of ['idle', 'hydrating', 'live', 'resyncing'] as const) expect(machine.can(to)).toBe(false);
  });
});
