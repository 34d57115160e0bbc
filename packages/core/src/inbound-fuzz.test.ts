// Malformed messages, generated field by field: each wrong field is reported under its own kind, the
// message never touches another response, and nothing the store refuses goes unreported.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { createResponseStore } from './response-store.js';
import { createImmediateScheduler } from './schedulers.js';
import { append, create, serialAt as s, token } from './test-utils/messages.js';
import type { Diagnostic } from './types.js';

const RUNS = 10_000;

function storeWithOneAnswer() {
  const diagnostics: Diagnostic[] = [];
  const store = createResponseStore({
    scheduler: createImmediateScheduler(),
    onDiagnostic: (d) => diagnostics.push(d),
  });
  store.apply(create({ serial: s(1), responseId: 'r1' }));
  store.apply(append({ serial: s(1), version: s(9), data: 'exact', responseId: 'r1' }));
  return { store, diagnostics };
}

/** Values of every type but the one a field needs (`not`), BigInt and symbols included. */
const anythingBut = (not: 'string' | 'number' | 'object') =>
  fc
    .oneof(
      fc.string(),
      fc.double(),
      fc.constantFrom(Number.NaN, Number.POSITIVE_INFINITY, -0),
      fc.bigInt(),
      fc.boolean(),
      fc.array(fc.anything(), { maxLength: 3 }),
      fc.dictionary(fc.string(), fc.anything(), { maxKeys: 3 }),
      fc.constant(Symbol('x')),
      fc.constant(() => 'fn'),
    )
    .filter((value) => {
      if (not === 'string') return typeof value !== 'string';
      if (not === 'number') return typeof value !== 'number' || !Number.isFinite(value);
      return typeof value !== 'object' || Array.isArray(value);
    });

/** Each field a message may get wrong, the wrong values for it, and the kind it is reported under. */
const CORRUPTIONS = {
  clientId: { values: anythingBut('string'), kind: 'bad-client-id' },
  timestamp: { values: anythingBut('number'), kind: 'bad-timestamp' },
  version: { values: anythingBut('object'), kind: 'bad-version' },
  versionSerial: { values: anythingBut('string'), kind: 'bad-version' },
  versionTimestamp: { values: anythingBut('number'), kind: 'bad-timestamp' },
  name: { values: anythingBut('string'), kind: 'bad-name' },
  serial: { values: anythingBut('string'), kind: 'bad-serial' },
  extras: { values: anythingBut('object'), kind: 'bad-headers' },
  headers: { values: anythingBut('object'), kind: 'bad-headers' },
  headerValue: { values: anythingBut('string'), kind: 'bad-headers' },
  reservedHeader: { values: fc.constantFrom('__proto__', 'constructor', 'prototype'), kind: 'bad-headers' },
  action: {
    values: fc.oneof(fc.bigInt(), fc.constantFrom('__proto__', 'message.explode', 99), fc.object()),
    kind: 'unknown-action',
  },
} as const;
type Field = keyof typeof CORRUPTIONS;
const GROUP: Partial<Record<Field, string>> = {
  version: 'version',
  versionSerial: 'version',
  versionTimestamp: 'version',
  extras: 'extras',
  headers: 'extras',
  headerValue: 'extras',
  reservedHeader: 'extras',
};

/** Put one wrong value into a well-formed message (a copy). */
function corrupt(message: Record<string, unknown>, field: Field, value: unknown): void {
  const version = { ...(message.version as object) } as Record<string, unknown>;
  const extras = { ...(message.extras as object) } as Record<string, unknown>;
  const headers = { ...(extras.headers as object) } as Record<string, unknown>;
  if (field === 'versionSerial') message.version = { ...version, serial: value };
  else if (field === 'versionTimestamp') message.version = { ...version, timestamp: value };
  else if (field === 'headers') message.extras = { ...extras, headers: value };
  else if (field === 'headerValue') message.extras = { ...extras, headers: { ...headers, app: value } };
  else if (field === 'reservedHeader') {
    message.extras = { ...extras, headers: JSON.parse(`{${JSON.stringify(value)}:"r1","responseId":"r2"}`) };
  } else message[field] = value;
}

const wellFormed = fc.oneof(
  fc.string().map((data) => create({ serial: s(2), responseId: 'r2', data }) as Record<string, unknown>),
  fc.string().map((data) => append({ serial: s(2), version: s(3), data, responseId: 'r2' }) as Record<string, unknown>),
  fc.string().map((data) => token({ serial: s(4), responseId: 'r3', data }) as Record<string, unknown>),
);

const malformed = fc
  .tuple(
    wellFormed,
    // At most one wrong value per object: a wrong `version` leaves no `version.serial` to get wrong.
    fc.uniqueArray(fc.constantFrom(...(Object.keys(CORRUPTIONS) as Field[])), {
      minLength: 1,
      maxLength: 4,
      selector: (field) => GROUP[field] ?? field,
    }),
  )
  .chain(([base, fields]) =>
    fc.tuple(fc.constant(base), fc.constant(fields), fc.tuple(...fields.map((field) => CORRUPTIONS[field].values))),
  );

describe('malformed messages', () => {
  it(`report each wrong field under its own kind and never change another response (${RUNS} cases)`, () => {
    fc.assert(
      fc.property(malformed, ([base, fields, values]) => {
        const { store, diagnostics } = storeWithOneAnswer();
        const before = store.findByResponseId('r1');
        const message = { ...base };
        for (const [index, field] of fields.entries()) corrupt(message, field, values[index]);
        store.apply(message);
        const kinds = new Set(diagnostics.map((d) => d.kind));
        expect(kinds.has('internal-error')).toBe(false);
        // A wrong action stops the reading there; otherwise every wrong field is named.
        const expected = fields.includes('action') ? ['unknown-action'] : fields.map((f) => CORRUPTIONS[f].kind);
        for (const kind of expected) expect([...kinds]).toContain(kind);
        expect(store.findByResponseId('r1')).toBe(before);
        expect(store.getDiagnostics().total).toBe(diagnostics.length);
      }),
      { numRuns: RUNS },
    );
  });
});

describe('random garbage', () => {
  it(`is never refused silently: it changes the store or is reported (${RUNS} cases)`, () => {
    const garbage = fc.record(
      {
        action: fc.oneof(fc.constantFrom('message.append', 'message.update', 'message.delete', 0, 1, 5), fc.anything()),
        serial: fc.oneof(fc.constant(s(1)), fc.constant('token:r1'), fc.constant('seed:r1'), fc.anything()),
        name: fc.oneof(fc.constantFrom('response', 'token', 'start', 'stop'), fc.anything()),
        data: fc.anything(),
        clientId: fc.anything(),
        timestamp: fc.anything(),
        version: fc.oneof(fc.record({ serial: fc.anything(), timestamp: fc.anything() }), fc.anything()),
        extras: fc.oneof(fc.record({ headers: fc.dictionary(fc.string(), fc.anything()) }), fc.anything()),
      },
      { requiredKeys: [] },
    );
    fc.assert(
      fc.property(garbage, (message) => {
        const { store, diagnostics } = storeWithOneAnswer();
        const before = JSON.stringify(store.getSnapshot().responses);
        store.apply(message);
        const changed = JSON.stringify(store.getSnapshot().responses) !== before;
        // Taken without a visible change: a delete of a serial not seen yet is kept as a tombstone, so
        // an older delivery cannot bring that response back.
        const action = (message as { action?: unknown }).action;
        const name = (message as { name?: unknown }).name;
        const tombstone =
          (action === 'message.delete' || action === 2) && typeof (message as { serial?: unknown }).serial === 'string';
        // Left alone by design: another app's message names, and actions that carry nothing for a response.
        const notOurs =
          tombstone ||
          action === 3 ||
          action === 4 ||
          action === 'meta' ||
          action === 'message.summary' ||
          (typeof name === 'string' && !['response', 'token', 'start', 'stop', 'response-complete'].includes(name)) ||
          ((name === undefined || name === null) && !changed);
        if (!changed && !notOurs) expect(diagnostics.length).toBeGreaterThan(0);
        expect(diagnostics.every((d) => d.kind !== 'internal-error')).toBe(true);
      }),
      { numRuns: RUNS },
    );
  });
});
