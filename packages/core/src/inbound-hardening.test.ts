// Channel messages are untrusted: prototype tricks in headers, wrong field types and absurd timestamps
// are kept out with a diagnostic of their own kind, and never change another response.
import msgpack from '@ably/msgpack-js';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { headerOf, headersOf } from './inbound.js';
import { createResponseStore } from './response-store.js';
import { createImmediateScheduler } from './schedulers.js';
import { append, create, remove, serialAt as s, start, token, update } from './test-utils/messages.js';
import type { Diagnostic } from './types.js';

function makeStore(now?: () => number) {
  const diagnostics: Diagnostic[] = [];
  const store = createResponseStore({
    scheduler: createImmediateScheduler(),
    onDiagnostic: (d) => diagnostics.push(d),
    ...(now ? { now } : {}),
  });
  return { store, diagnostics };
}

describe('headers', () => {
  it('read the same from a JSON and a msgpack decoding of a __proto__ header', () => {
    // A JSON publisher's extras, as both kinds of reader decode them.
    const json = '{"headers":{"__proto__":{"responseId":"victim"},"responseId":"r1"}}';
    const fromJson = JSON.parse(json);
    const fromMsgpack = msgpack.decode(msgpack.encode(JSON.parse(json)));
    const texts: string[] = [];
    for (const extras of [fromJson, fromMsgpack]) {
      const { store, diagnostics } = makeStore();
      store.apply({ ...create({ serial: s(1), responseId: 'r1' }), extras });
      store.apply({ ...append({ serial: s(1), version: s(2), data: 'hello', responseId: 'r1' }), extras });
      expect(store.findByResponseId('victim')).toBeUndefined();
      texts.push(`${store.findByResponseId('r1')?.text}`);
      expect(diagnostics.every((d) => d.kind === 'bad-headers')).toBe(true);
    }
    expect(texts).toEqual(['hello', 'hello']);
  });

  it.each(['__proto__', 'constructor', 'prototype'])('ignore a %s key, with a bad-headers diagnostic', (key) => {
    const { store, diagnostics } = makeStore();
    const headers = JSON.parse(`{"${key}":"victim","responseId":"r1"}`);
    store.apply({ ...create({ serial: s(1), responseId: 'r1' }), extras: { headers } });
    store.apply({ ...append({ serial: s(1), version: s(2), data: 'hi', responseId: 'r1' }), extras: { headers } });
    expect(store.findByResponseId('r1')?.text).toBe('hi');
    expect(store.findByResponseId('victim')).toBeUndefined();
    expect(diagnostics.filter((d) => d.message.includes('reserved key'))).toHaveLength(2);
    expect(diagnostics.every((d) => d.kind === 'bad-headers')).toBe(true);
  });

  it('read extras and version as own data too: a __proto__ key one level up reads the same from both decoders', () => {
    const wire = `{"extras":{"__proto__":{"headers":{"responseId":"victim"}},"headers":{"responseId":"r1"}},
      "version":{"__proto__":{"serial":"${s(99)}","metadata":{"status":"error"}},"serial":"${s(2)}"}}`;
    const results: string[] = [];
    for (const decoded of [JSON.parse(wire), msgpack.decode(msgpack.encode(JSON.parse(wire)))]) {
      const { store, diagnostics } = makeStore();
      store.apply({ ...create({ serial: s(1), responseId: 'r1' }), extras: decoded.extras });
      store.apply({ ...append({ serial: s(1), data: 'hi', responseId: 'r1' }), ...decoded });
      const r1 = store.findByResponseId('r1');
      results.push(`${r1?.text} ${r1?.status} ${store.findByResponseId('victim') === undefined}`);
      // Each decoder's form is reported: an own "__proto__" key (JSON) or a prototype (msgpack).
      expect(new Set(diagnostics.map((d) => d.kind))).toEqual(new Set(['bad-headers', 'bad-version']));
    }
    expect(results).toEqual(['hi streaming true', 'hi streaming true']);
  });

  it('give hydration the same header lookups as the store (headerOf): own strings only', () => {
    const wire = '{"extras":{"__proto__":{"headers":{"responseId":"victim"}}}}';
    for (const decoded of [JSON.parse(wire), msgpack.decode(msgpack.encode(JSON.parse(wire)))]) {
      expect(headerOf(decoded, 'responseId')).toBeUndefined();
    }
    const inherited = { extras: { headers: Object.create({ turnId: 't1' }) } };
    expect(headerOf(inherited, 'turnId')).toBeUndefined();
    expect(headerOf({ extras: { headers: { responseId: 7 } } }, 'responseId')).toBeUndefined();
    expect(headerOf({ extras: { headers: { responseId: 'r1' } } }, 'responseId')).toBe('r1');
    expect(headerOf({ extras: { headers: JSON.parse('{"__proto__":"x"}') } }, '__proto__')).toBeUndefined();
  });

  it('give servers all headers the same way (headersOf): own strings, no prototype', () => {
    const wire = '{"extras":{"headers":{"__proto__":{"turnId":"forged"},"model":"m1","n":7}}}';
    for (const decoded of [JSON.parse(wire), msgpack.decode(msgpack.encode(JSON.parse(wire)))]) {
      const headers = headersOf(decoded);
      expect({ ...headers }).toEqual({ model: 'm1' });
      expect(headers.turnId).toBeUndefined();
      expect(Object.getPrototypeOf(headers)).toBeNull();
    }
    expect({ ...headersOf({ name: 'turn' }) }).toEqual({});
    expect({ ...headersOf({ extras: { headers: 'not an object' } }) }).toEqual({});
  });

  it('never take a responseId from an inherited property', () => {
    const { store, diagnostics } = makeStore();
    const headers = Object.create({ responseId: 'inherited' });
    store.apply({ ...create({ serial: s(1) }), extras: { headers } });
    store.apply({ ...append({ serial: s(1), version: s(2), data: 'x' }), extras: { headers } });
    expect(store.findByResponseId('inherited')).toBeUndefined();
    expect(diagnostics.map((d) => d.kind)).toContain('bad-headers');
  });
});

describe('fields of the wrong type', () => {
  it.each([
    ['clientId', { clientId: 42 }, 'bad-client-id'],
    ['timestamp', { timestamp: 'soon' }, 'bad-timestamp'],
    ['version', { version: 'v2' }, 'bad-version'],
    ['name', { name: 7 }, 'bad-name'],
  ] as const)('%s is reported as %s', (_field, patch, kind) => {
    const { store, diagnostics } = makeStore();
    store.apply({ ...create({ serial: s(1), responseId: 'r1' }), ...patch });
    expect(diagnostics.map((d) => d.kind)).toContain(kind);
  });

  it('a BigInt action is an unknown action, not an internal error', () => {
    const { store, diagnostics } = makeStore();
    store.apply({ ...create({ serial: s(1), responseId: 'r1' }), action: 5n });
    expect(diagnostics.map((d) => d.kind)).toEqual(['unknown-action']);
  });
});

describe('serials spelled like store ids', () => {
  it('cannot change, remove or break the responses those ids belong to', () => {
    const { store, diagnostics } = makeStore();
    store.apply(start({ serial: s(1), responseId: 'r1' }));
    store.apply(token({ serial: s(2), responseId: 'r1', data: 'per-token' }));
    store.seed([{ responseId: 'db', text: 'seeded', createdAt: 0 }]);
    const before = [store.getResponse('token:r1'), store.getResponse('seed:db')];
    for (const serial of ['token:r1', 'seed:db', 'serial:token:r1']) {
      store.apply(update({ serial, version: s(50), data: 'overwritten', responseId: 'x' }));
      store.apply(append({ serial, version: s(51), data: '!', responseId: 'x' }));
      store.apply(remove({ serial, version: s(52) }));
    }
    expect([store.getResponse('token:r1'), store.getResponse('seed:db')]).toEqual(before);
    expect(store.getResponse('token:r1')?.text).toBe('per-token');
    expect(diagnostics.every((d) => d.kind !== 'internal-error')).toBe(true);
  });
});

describe('timestamps', () => {
  it('one far-future timestamp does not make live responses stale', async () => {
    let clock = 1_000_000;
    const { store, diagnostics } = makeStore(() => clock);
    store.apply(create({ serial: s(1), responseId: 'r1', timestamp: clock }));
    const farFuture = 32_503_680_000_000; // the year 3000
    store.apply({
      ...create({ serial: s(2), responseId: 'r2' }),
      timestamp: farFuture,
      version: { serial: s(2), timestamp: farFuture },
    });
    clock += 50;
    await new Promise((resolve) => setTimeout(resolve, 60));
    expect(store.findByResponseId('r1')?.status).toBe('streaming');
    expect(diagnostics.map((d) => d.kind)).toContain('bad-timestamp');
  });
});

describe('garbage never changes a well-formed response', () => {
  it('holds for 10,000 random messages: no throw, no internal error, r1 untouched unless validly newer', () => {
    const garbage = fc.record(
      {
        action: fc.oneof(fc.constantFrom('message.append', 'message.update', 'message.delete', 1, 5), fc.anything()),
        serial: fc.oneof(fc.constant(s(1)), fc.constant(`token:r1`), fc.anything()),
        name: fc.oneof(fc.constant('response'), fc.anything()),
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
        const { store, diagnostics } = makeStore();
        store.apply(create({ serial: s(1), responseId: 'r1' }));
        store.apply(append({ serial: s(1), version: s(9), data: 'exact', responseId: 'r1' }));
        const before = store.findByResponseId('r1');
        const version = (message as { version?: { serial?: unknown } }).version?.serial;
        // A message that is a valid newer version of r1 may change it; everything else must not.
        const mayChange =
          (message as { serial?: unknown }).serial === s(1) && typeof version === 'string' && version > s(9);
        store.apply(message);
        expect(() => store.getSnapshot()).not.toThrow();
        if (!mayChange) expect(store.findByResponseId('r1')).toBe(before);
        expect(diagnostics.every((d) => d.kind !== 'internal-error')).toBe(true);
      }),
      { numRuns: 10_000 },
    );
  });
});
