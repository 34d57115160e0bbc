import { describe, expect, it } from 'vitest';
import type { ResponseStore } from '../src/response-store.js';
import type { Diagnostic } from '../src/types.js';
import { uniqueChannel, useEmulator, waitFor } from './helpers.js';

// A JSON publisher's `__proto__` header, through the emulator and the real SDK: a JSON reader decodes
// it as an own key, a msgpack reader (`@ably/msgpack-js` assigns keys) as the object's prototype.
// Both stores must show the same text for the same response, and neither a response named by the key.

const env = useEmulator();
// Raw JSON, so the key reaches the wire as written (an object literal would make it the prototype).
const EXTRAS = '{"headers":{"__proto__":{"responseId":"victim"},"responseId":"r1"}}';

async function rest(path: string, method: string, body: string) {
  const answer = await fetch(`${env.emulator.httpUrl}${path}`, {
    method,
    headers: {
      authorization: `Basic ${Buffer.from(env.emulator.key).toString('base64')}`,
      'content-type': 'application/json',
    },
    body,
  });
  expect(answer.ok).toBe(true);
  return answer.json() as Promise<{ serials?: string[] }>;
}

/** A page of each format, hydrated from history or already live, with its diagnostics. */
async function reader(channelName: string, format: 'json' | 'msgpack') {
  const diagnostics: Diagnostic[] = [];
  const channel = env.client({ format }).channels.get(channelName);
  const { store } = await env.connect(channel, { strategy: 'history' }, { onDiagnostic: (d) => diagnostics.push(d) });
  return { store, diagnostics };
}

const textOf = (store: ResponseStore) => store.findByResponseId('r1')?.text;

describe('a __proto__ header from a JSON publisher', () => {
  it('gives JSON and msgpack readers, live and hydrated, the same text and no other response', async () => {
    const channelName = uniqueChannel();
    const path = `/channels/${encodeURIComponent(channelName)}/messages`;
    const live = await Promise.all([reader(channelName, 'json'), reader(channelName, 'msgpack')]);
    const { serials } = await rest(path, 'POST', `{"name":"response","data":"","extras":${EXTRAS}}`);
    const serial = serials?.[0] as string;
    await rest(
      `${path}/${encodeURIComponent(serial)}`,
      'PATCH',
      `{"action":1,"data":"the same text everywhere","extras":${EXTRAS}}`,
    );
    await waitFor(() => live.every(({ store }) => textOf(store) === 'the same text everywhere'), 'both live readers');
    const hydrated = await Promise.all([reader(channelName, 'json'), reader(channelName, 'msgpack')]);
    for (const [index, { store, diagnostics }] of [...live, ...hydrated].entries()) {
      expect(textOf(store)).toBe('the same text everywhere');
      expect(store.findByResponseId('victim')).toBeUndefined();
      expect(store.getSnapshot().responses).toHaveLength(1);
      // Each reader says why it dropped the key (the JSON one: a reserved key; msgpack: a prototype).
      expect(diagnostics.map((d) => d.kind)).toContain('bad-headers');
      const why = index % 2 === 0 ? 'reserved key' : 'non-standard prototype';
      expect(diagnostics.some((d) => d.message.includes(why))).toBe(true);
    }
  });
});
