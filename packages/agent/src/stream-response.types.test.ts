import type * as Ably from 'ably';
import { describe, expectTypeOf, it } from 'vitest';
import type { StreamEvent, StreamResult, streamResponse } from './index.js';

// Checked by the package typecheck (tsc); the runtime part only keeps vitest from reporting an empty file.
describe('streamResponse types', () => {
  it('accepts the shapes model SDKs hand out and returns a typed result', () => {
    type Call = typeof streamResponse;
    // A Vercel AI SDK textStream is a ReadableStream<string> that is also AsyncIterable<string>.
    expectTypeOf<ReadableStream<string> & AsyncIterable<string>>().toExtend<Parameters<Call>[1]>();
    expectTypeOf<AsyncGenerator<string, void, undefined>>().toExtend<Parameters<Call>[1]>();
    expectTypeOf<Ably.RealtimeChannel>().toEqualTypeOf<Parameters<Call>[0]>();
    expectTypeOf<ReturnType<Call>>().toEqualTypeOf<Promise<StreamResult>>();
    expectTypeOf<StreamResult['status']>().toEqualTypeOf<'complete' | 'error' | 'cancelled'>();
    expectTypeOf<NonNullable<Parameters<Call>[2]>['pattern']>().toEqualTypeOf<
      'message-per-response' | 'message-per-token' | undefined
    >();
    expectTypeOf<StreamEvent['type']>().toEqualTypeOf<'start' | 'token' | 'publish-failed' | 'repaired' | 'end'>();
  });
});
