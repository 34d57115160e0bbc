import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { createConversationStore } from './conversation-store.js';
import { createImmediateScheduler } from './schedulers.js';
import { buildLog, type DeliveryPlan, deliveries, type ModelResponse } from './test-utils/channel-model.js';

const RUNS = 1000;

const fragment = fc.oneof(
  { weight: 4, arbitrary: fc.string({ maxLength: 5 }) },
  { weight: 1, arbitrary: fc.constantFrom('\n', '```', ' ', 'é', '😀') },
);

/** A string cut into the fragments a model would stream. */
function splitInto(text: string, cuts: readonly number[]): string[] {
  const points = [...new Set(cuts.map((cut) => cut % (text.length + 1)))].sort((a, b) => a - b);
  const pieces: string[] = [];
  let from = 0;
  for (const point of points) {
    if (point > from) pieces.push(text.slice(from, point));
    from = Math.max(from, point);
  }
  pieces.push(text.slice(from));
  return pieces;
}

interface SourcePart {
  readonly kind: 'text' | 'reasoning' | 'tool-call' | 'tool-result' | 'data';
  readonly fragments: readonly string[];
  readonly headers: Readonly<Record<string, string>>;
  readonly value?: unknown;
}

const partArbitrary = (index: number): fc.Arbitrary<SourcePart> =>
  fc.oneof(
    fc
      .record({
        kind: fc.constantFrom('text' as const, 'reasoning' as const),
        fragments: fc.array(fragment, { maxLength: 12 }),
      })
      .map(({ kind, fragments }) => ({ kind, fragments, headers: { part: String(index), partKind: kind } })),
    fc
      .record({
        kind: fc.constantFrom('tool-call' as const, 'tool-result' as const, 'data' as const),
        value: fc.jsonValue({ maxDepth: 2 }),
        cuts: fc.array(fc.nat(), { maxLength: 6 }),
      })
      .map(({ kind, value, cuts }) => {
        const json = JSON.stringify(value) ?? 'null';
        const extra: Record<string, string> =
          kind === 'data' ? { dataName: 'chart' } : { toolCallId: `call-${index}`, toolName: 'lookup' };
        return {
          kind,
          fragments: splitInto(json, cuts),
          value: JSON.parse(json),
          headers: { part: String(index), partKind: kind, ...extra },
        };
      }),
  );

const responseArbitrary = fc
  .record({
    pattern: fc.constantFrom('message-per-response' as const, 'message-per-token' as const),
    partCount: fc.integer({ min: 1, max: 4 }),
    endStatus: fc.constantFrom('complete', 'complete', 'cancelled', 'error'),
    dataInCreate: fc.boolean(),
    rejected: fc.array(fc.nat(), { maxLength: 2 }),
  })
  .chain((shape) =>
    fc.tuple(...Array.from({ length: shape.partCount }, (_, index) => partArbitrary(index))).map((parts) => ({
      ...shape,
      // A part is on the wire once started: per-token, a part without text is one empty token.
      parts: parts.map((part) =>
        shape.pattern === 'message-per-token' && part.fragments.length === 0 ? { ...part, fragments: [''] } : part,
      ),
    })),
  );

const turnArbitrary = fc.record({
  text: fc.string({ maxLength: 20 }),
  responses: fc.array(responseArbitrary, { minLength: 1, maxLength: 2 }),
  announceFirst: fc.boolean(),
  duplicateTurn: fc.boolean(),
});

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

type Turn = typeof turnArbitrary extends fc.Arbitrary<infer T> ? T : never;

/** The channel's streams for a conversation: a turn message, then a regenerate and a cancel where asked. */
function streamsOf(turns: readonly Turn[]): ModelResponse[] {
  const streams: ModelResponse[] = [];
  const control = (responseId: string, name: string, headers: Record<string, string>, data = ''): ModelResponse => ({
    responseId,
    pattern: 'message-per-token',
    fragments: [],
    rejected: [],
    dataInCreate: false,
    control: { name, data, headers },
  });
  turns.forEach((turn, t) => {
    const turnId = `t${t}`;
    const first = `${turnId}-r0`;
    const turnHeaders = { turnId, ...(turn.announceFirst ? { responseId: first } : {}) };
    streams.push(control(`${turnId}-turn`, 'turn', turnHeaders, turn.text));
    if (turn.duplicateTurn) streams.push(control(`${turnId}-turn-again`, 'turn', turnHeaders, turn.text));
    turn.responses.forEach((response, r) => {
      const responseId = `${turnId}-r${r}`;
      if (r > 0) streams.push(control(`${responseId}-regenerate`, 'regenerate', { turnId, responseId }));
      if (response.endStatus === 'cancelled') streams.push(control(`${responseId}-cancel`, 'cancel', { responseId }));
      const [part0, ...more] = response.parts;
      streams.push({
        responseId,
        pattern: response.pattern,
        fragments: part0!.fragments,
        partHeaders: part0!.headers,
        moreParts: more.map((part) => ({ headers: part.headers, fragments: part.fragments })),
        headers: { turnId },
        endStatus: response.endStatus,
        dataInCreate: response.dataInCreate,
        rejected: part0!.fragments.length > 1 ? response.rejected.map((n) => n % part0!.fragments.length) : [],
      });
    });
  });
  return streams;
}

describe('conversation properties', () => {
  it('random conversations delivered through any mix of live, rewind, history and replays end as the source', {
    timeout: 120_000,
  }, () => {
    fc.assert(
      fc.property(
        fc.array(turnArbitrary, { minLength: 1, maxLength: 3 }),
        fc.array(fc.nat(), { maxLength: 80 }),
        planArbitrary,
        (turns, picks, plan) => {
          const streams = streamsOf(turns);
          const log = buildLog(streams, picks);
          const store = createConversationStore({
            scheduler: createImmediateScheduler(),
            staleAfterMs: Number.POSITIVE_INFINITY,
          });
          for (const message of deliveries(log, plan)) store.apply(message);
          const snapshot = store.getSnapshot();
          // Turns in the channel order of their first turn message.
          const firstPosition = (responseId: string) => log.find((entry) => entry.responseId === responseId)!.position;
          const turnOrder = turns
            .map((_, t) => `t${t}`)
            .sort((a, b) => {
              const at = (id: string) =>
                Math.min(
                  firstPosition(`${id}-turn`),
                  ...(log.some((e) => e.responseId === `${id}-turn-again`) ? [firstPosition(`${id}-turn-again`)] : []),
                );
              return at(a) - at(b);
            });
          expect(snapshot.turns.map((turn) => turn.id)).toEqual(turnOrder);
          for (const got of snapshot.turns) {
            const t = Number(got.id.slice(1));
            const source = turns[t]!;
            expect(got.user?.text).toBe(source.text);
            const expectedIds = source.responses
              .map((_, r) => `${got.id}-r${r}`)
              .sort((a, b) => firstPosition(a) - firstPosition(b));
            expect(got.responses.map((response) => response.responseId)).toEqual(expectedIds);
            for (const response of got.responses) {
              const r = Number(response.responseId.split('-r')[1]);
              const want = source.responses[r]!;
              expect(response.status).toBe(want.endStatus);
              expect(response.incomplete).toBeUndefined();
              if (want.endStatus === 'cancelled') expect(response.cancelledBy).toBe('agent');
              expect(response.parts.map((part) => [part.kind, part.text, part.done])).toEqual(
                want.parts.map((part) => [part.kind, part.fragments.join(''), true]),
              );
              response.parts.forEach((part, index) => {
                const source = want.parts[index]!;
                if (source.kind !== 'text' && source.kind !== 'reasoning') expect(part.value).toEqual(source.value);
              });
            }
          }
          const { byKind } = store.getDiagnostics();
          expect(Object.keys(byKind).filter((kind) => kind !== 'duplicate' && kind !== 'stale-version')).toEqual([]);
          store.dispose();
        },
      ),
      { numRuns: RUNS },
    );
  });
});
