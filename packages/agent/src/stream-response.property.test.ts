import { textProof } from '@resumable/core';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { streamResponse } from './stream-response.js';
import { chunkedText } from './test-utils/arbitraries.js';
import { createFakeChannel } from './test-utils/fake-channel.js';

async function* paced(chunks: readonly string[], pauses: readonly boolean[]): AsyncGenerator<string> {
  for (const [i, chunk] of chunks.entries()) {
    // Some chunks arrive after acknowledgements came in, some before: both orders get exercised.
    if (pauses[i % pauses.length]) await new Promise((resolve) => setTimeout(resolve, 0));
    yield chunk;
  }
}

describe('streamResponse properties', () => {
  it('whatever the chunking, timing and transient failures, the channel ends with exactly the source text', async () => {
    await fc.assert(
      fc.asyncProperty(
        chunkedText(120),
        fc.array(fc.boolean(), { minLength: 1, maxLength: 8 }),
        fc.array(fc.boolean(), { minLength: 1, maxLength: 8 }),
        fc.constantFrom('message-per-response' as const, 'message-per-token' as const),
        fc.constantFrom(0, 1, 5),
        async (chunks, pauses, failures, pattern, batchMs) => {
          const fake = createFakeChannel({
            reject: (operation, index) =>
              operation.message.data !== '' && failures[index % failures.length]
                ? { code: 42910, message: 'Rate limit exceeded' }
                : undefined,
          });
          const result = await streamResponse(fake.channel, paced(chunks, pauses), { pattern, batchMs });
          const source = chunks.join('');
          expect(result.status).toBe('complete');
          expect(result.text).toBe(source);
          if (pattern === 'message-per-response') {
            expect(fake.messages).toHaveLength(1);
            expect(fake.messages[0]?.data).toBe(source);
            expect(fake.messages[0]?.versionMetadata).toEqual({ status: 'complete', ...textProof(source) });
          } else {
            const complete = fake.messages.find((m) => m.name === 'response-complete');
            const tokens = fake.messages.filter((m) => m.name === 'token').map((m) => m.data);
            expect(complete ? complete.data : tokens.join('')).toBe(source);
            expect(fake.messages.at(-1)?.name).toBe('stop');
          }
          // No boundary between two fragments on the wire splits a surrogate pair.
          const fragments = fake.operations
            .filter((o) => o.kind === 'append' || o.message.name === 'token')
            .map((o) => String(o.message.data ?? ''))
            .filter((data) => data !== '');
          for (let i = 1; i < fragments.length; i++) {
            const splitsPair = /[\ud800-\udbff]$/.test(fragments[i - 1]!) && /^[\udc00-\udfff]/.test(fragments[i]!);
            expect(splitsPair).toBe(false);
          }
          expect(result.failuresRepaired).toBe(fake.operations.filter((o) => o.rejected).length);
        },
      ),
      { numRuns: 100 },
    );
  }, 30_000);
});
