import { describe, expect, it } from 'vitest';
import { CANNED_ANSWERS, pickAnswer } from './canned-answers.js';
import { paceTokens, simulateModel, tokenize } from './simulated-model.js';

async function collect(stream: AsyncIterable<string>): Promise<string[]> {
  const out: string[] = [];
  for await (const token of stream) out.push(token);
  return out;
}

describe('simulated model', () => {
  it('splits every canned answer into LLM tokens that join back to the exact text', () => {
    for (const answer of CANNED_ANSWERS) {
      const tokens = tokenize(answer.text);
      expect(tokens.join('')).toBe(answer.text);
      // Real BPE tokens: far more of them than words would give, each a few characters long.
      expect(tokens.length).toBeGreaterThan(answer.text.length / 8);
      expect(tokens.length).toBeLessThan(answer.text.length / 2);
    }
  });

  it('never splits a character across tokens', () => {
    const text = 'naïve café — 日本語 and 🎉🧑‍💻 done';
    const tokens = tokenize(text);
    expect(tokens.join('')).toBe(text);
    for (const token of tokens) expect(token).not.toContain('\uFFFD');
  });

  it('chooses the answer by keywords, and the same one for the same unmatched prompt', () => {
    expect(pickAnswer('Write a debounce function').topic).toBe('debounce');
    expect(pickAnswer('compare WebSockets vs SSE').topic).toBe('transports');
    expect(pickAnswer('sql query for top customers').topic).toBe('sql');
    expect(pickAnswer('hello there')).toBe(pickAnswer('hello there'));
  });

  it('streams the whole answer, and the variety covers code, lists, tables and quotes', async () => {
    const model = simulateModel('compare websockets and sse', { tokensPerSecond: 5000, firstTokenDelayMs: 0 });
    expect((await collect(model.textStream)).join('')).toBe(model.answer.text);
    const all = CANNED_ANSWERS.map((answer) => answer.text).join('\n');
    for (const feature of ['```ts', '```sql', '```python', '| --- |', '\n1. ', '\n- ', '\n> ', '- [x]']) {
      expect(all).toContain(feature);
    }
  });

  it('stops early when aborted', async () => {
    const controller = new AbortController();
    const tokens = tokenize(CANNED_ANSWERS[0]!.text);
    const seen: string[] = [];
    for await (const token of paceTokens(tokens, {
      tokensPerSecond: 2000,
      signal: controller.signal,
      firstTokenDelayMs: 0,
    })) {
      seen.push(token);
      if (seen.length === 5) controller.abort();
    }
    expect(seen).toHaveLength(5);
  });

  it('rejects nonsense rates by clamping them instead of hanging', async () => {
    const tokens = ['a', 'b', 'c'];
    const out = await collect(
      paceTokens(tokens, { tokensPerSecond: Number.POSITIVE_INFINITY, jitter: 7, firstTokenDelayMs: -5 }),
    );
    expect(out).toEqual(tokens);
  });
});
