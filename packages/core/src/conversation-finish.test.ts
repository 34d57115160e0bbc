import { describe, expect, it } from 'vitest';
import { createConversationStore } from './conversation-store.js';
import { createImmediateScheduler } from './schedulers.js';
import { append, create, partHeaders, start, stop, token } from './test-utils/conversation-messages.js';
import { serialAt as s } from './test-utils/messages.js';
import { parseUsage } from './wire.js';

const headers = { responseId: 'r1', headers: partHeaders('t1', 0, 'text') };

describe('finish reason and usage from the end marker', () => {
  it('message-per-response: read from the end marker’s operation metadata', () => {
    const store = createConversationStore({ scheduler: createImmediateScheduler() });
    store.apply(create({ serial: s(1), ...headers }));
    store.apply(append({ serial: s(1), version: s(2), data: 'Hi', ...headers }));
    expect(store.getResponse('r1')).not.toHaveProperty('finishReason');
    const end = append({ serial: s(1), version: s(3), status: 'complete', ...headers });
    end.version = {
      ...end.version,
      metadata: { status: 'complete', finishReason: 'end_turn', usage: '{"inputTokens":3,"outputTokens":1}' },
    };
    store.apply(end);
    expect(store.getResponse('r1')).toMatchObject({
      status: 'complete',
      finishReason: 'end_turn',
      usage: { inputTokens: 3, outputTokens: 1 },
    });
  });

  it('message-per-token: read from the stop headers; garbage usage is left out', () => {
    const store = createConversationStore({ scheduler: createImmediateScheduler() });
    store.apply(start({ serial: s(1), responseId: 'r1', headers: partHeaders('t1', 0, 'text') }));
    store.apply(token({ serial: s(2), responseId: 'r1', data: 'Hi', headers: partHeaders('t1', 0, 'text') }));
    store.apply(
      stop({
        serial: s(3),
        responseId: 'r1',
        status: 'complete',
        headers: { finishReason: 'stop', usage: '{"x":"y"}' },
      }),
    );
    const response = store.getResponse('r1');
    expect(response).toMatchObject({ status: 'complete', finishReason: 'stop' });
    expect(response).not.toHaveProperty('usage');
  });
});

describe('parseUsage', () => {
  it.each([
    ['{"inputTokens":12,"outputTokens":40}', { inputTokens: 12, outputTokens: 40 }],
    ['{"inputTokens":-1,"outputTokens":"40","total":1e400}', undefined],
    ['{"__proto__":{"polluted":1},"ok":2}', { ok: 2 }],
    ['[1,2]', undefined],
    ['not json', undefined],
    [undefined, undefined],
    [`{"a":${'1'.repeat(5000)}}`, undefined],
  ])('%s', (text, expected) => {
    expect(parseUsage(text)).toEqual(expected);
  });
});
