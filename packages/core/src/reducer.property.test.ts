import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { createResponseStore } from './response-store.js';
import { createImmediateScheduler } from './schedulers.js';
import { buildLog, type DeliveryPlan, deliveries, type ModelResponse } from './test-utils/channel-model.js';

const RUNS = 1000;

const fragment = fc.oneof(
  { weight: 4, arbitrary: fc.string({ maxLength: 5 }) },
  { weight: 1, arbitrary: fc.string({ unit: 'grapheme', maxLength: 3 }) },
  { weight: 1, arbitrary: fc.constantFrom('\n', '```', ' ', '**', 'é', '😀') },
);

function responseArbitrary(pattern: ModelResponse['pattern'] | undefined) {
  return fc
    .record({
      pattern: pattern ? fc.constant(pattern) : fc.constantFrom('message-per-response', 'message-per-token'),
      fragments: fc.array(fragment, { maxLength: 40, size: 'medium' }),
      rejectedSeeds: fc.array(fc.nat(), { maxLength: 2 }),
      dataInCreate: fc.boolean(),
    })
    .map(({ pattern: p, fragments, rejectedSeeds, dataInCreate }) => ({
      pattern: p as ModelResponse['pattern'],
      fragments,
      dataInCreate,
      rejected: fragments.length > 1 ? rejectedSeeds.map((n) => n % fragments.length) : [],
    }));
}

const planArbitrary: fc.Arbitrary<DeliveryPlan> = fc.record({
  strategy: fc.constantFrom('rewind', 'history', 'live-only'),
  attachAt: fc.double({ min: 0, max: 1, noNaN: true }),
  loss: fc.option(fc.tuple(fc.double({ min: 0, max: 1, noNaN: true }), fc.double({ min: 0, max: 1, noNaN: true })), {
    nil: undefined,
  }),
  doubleRewind: fc.boolean(),
  appendModeFull: fc.boolean(),
  replayRate: fc.constantFrom(0, 0.05, 0.3),
  seed: fc.integer(),
});

function scenario(pattern: ModelResponse['pattern'] | undefined) {
  return fc.record({
    responses: fc.array(responseArbitrary(pattern), { minLength: 1, maxLength: 3 }),
    picks: fc.array(fc.nat(), { maxLength: 60 }),
    plan: planArbitrary,
    // A small window makes long per-token streams seal tokens into the flat text (swaps move a token by one or two places).
    reorderWindow: fc.constantFrom(8, 256),
  });
}

function run(pattern: ModelResponse['pattern'] | undefined) {
  fc.assert(
    fc.property(scenario(pattern), ({ responses, picks, plan, reorderWindow }) => {
      const model: ModelResponse[] = responses.map((response, index) => ({ ...response, responseId: `r${index}` }));
      const log = buildLog(model, picks);
      const store = createResponseStore({
        scheduler: createImmediateScheduler(),
        staleAfterMs: Number.POSITIVE_INFINITY,
        reorderWindow,
      });
      for (const message of deliveries(log, plan)) store.apply(message);
      const byId = new Map(store.getSnapshot().responses.map((response) => [response.responseId, response]));
      for (const response of model) {
        const got = byId.get(response.responseId);
        expect(got?.text).toBe(response.fragments.join(''));
        expect(got?.status).toBe('complete');
        expect(got?.pattern).toBe(response.pattern);
        // Everything reached the store, so nothing may be flagged as missing its beginning.
        expect(got?.incomplete).toBeUndefined();
      }
      expect(byId.size).toBe(model.length);
      const { byKind } = store.getDiagnostics();
      // Only the benign kinds are expected: everything delivered is well formed.
      expect(Object.keys(byKind).filter((kind) => kind !== 'duplicate' && kind !== 'stale-version')).toEqual([]);
      store.dispose();
    }),
    { numRuns: RUNS },
  );
}

describe('reducer properties: any mix of live, rewind and history ends with the source text', () => {
  // Each property runs 1,000 generated scenarios: seconds, so the timeout leaves room for a loaded machine.
  it('message-per-response', { timeout: 60_000 }, () => run('message-per-response'));
  it('message-per-token', { timeout: 60_000 }, () => run('message-per-token'));
  it('both patterns on one channel', { timeout: 60_000 }, () => run(undefined));
});
