import type { PartEvent } from '@resumable/agent';
import { describe, expect, it } from 'vitest';
import { pickAnswer } from './canned-answers.js';
import { PartRecorder } from './part-record.js';
import { evaluate, planAnswer, simulateAnswer } from './simulated-answer.js';

async function collect(events: AsyncIterable<PartEvent>): Promise<PartEvent[]> {
  const out: PartEvent[] = [];
  for await (const event of events) out.push(event);
  return out;
}

describe('simulated answer', () => {
  it('thinks, calls a tool with streamed JSON input, gets its result, then answers', async () => {
    const prompt = 'what is the weather in Lisbon';
    const plan = planAnswer(prompt);
    expect(plan.tool).toMatchObject({ toolName: 'weather', input: { city: 'Lisbon' }, isError: false });
    const events = await collect(
      simulateAnswer(prompt, { tokensPerSecond: 10_000, firstTokenDelayMs: 0, toolDelayMs: 0 }),
    );
    const recorder = new PartRecorder();
    for (const event of events) recorder.add(event);
    expect(recorder.parts().map((part) => [part.kind, part.text])).toEqual([
      ['reasoning', plan.reasoning],
      ['tool-call', JSON.stringify({ city: 'Lisbon' })],
      ['tool-result', JSON.stringify(plan.tool.output)],
      ['text', plan.text],
    ]);
    expect(recorder.text()).toBe(plan.text);
    // The input streams in several deltas, then the complete call closes it.
    expect(events.filter((event) => event.type === 'tool-input-delta').length).toBeGreaterThan(1);
    expect(events.filter((event) => event.type === 'tool-call')).toHaveLength(1);
  });

  it('uses the calculator for arithmetic, reporting a bad expression as a tool error', () => {
    expect(planAnswer('what is 6 * 7').tool).toMatchObject({ toolName: 'calculator', output: { value: 42 } });
    expect(planAnswer('what is 6 * 7').text).toBe('`6 * 7` = **42**');
    expect(evaluate('2 + 3 * (4 - 1) / 2')).toBe(6.5);
    expect(evaluate('1 / 0')).toBeUndefined();
    expect(evaluate('2 +')).toBeUndefined();
    expect(planAnswer('compute 4 / 0 please').tool).toMatchObject({ isError: true, output: 'Cannot evaluate "4 / 0"' });
  });

  it('answers everything else with the canned answer, after looking up the docs', () => {
    const plan = planAnswer('write a debounce function');
    expect(plan.tool.toolName).toBe('search_docs');
    expect(plan.text).toBe(pickAnswer('write a debounce function').text);
  });

  it('stops when aborted, also while the tool runs', async () => {
    const controller = new AbortController();
    const events: PartEvent[] = [];
    for await (const event of simulateAnswer('weather in Oslo', {
      tokensPerSecond: 10_000,
      firstTokenDelayMs: 0,
      toolDelayMs: 10_000,
      signal: controller.signal,
    })) {
      events.push(event);
      if (event.type === 'tool-call') controller.abort();
    }
    expect(events.at(-1)?.type).toBe('tool-call');
  });

  it('records parts the way the agent publishes them: a response that streamed nothing has one empty text part', () => {
    const recorder = new PartRecorder();
    expect(recorder.parts()).toEqual([{ kind: 'text', text: '' }]);
    recorder.add({ type: 'tool-call', toolCallId: 'a', toolName: 'x', input: { q: 1 } });
    recorder.add({ type: 'tool-result', toolCallId: 'a', toolName: 'x', output: 'boom', isError: true });
    recorder.add({ type: 'data', name: 'chart', data: [1, 2] });
    expect(recorder.parts()).toEqual([
      { kind: 'tool-call', text: '{"q":1}', toolCallId: 'a', toolName: 'x' },
      { kind: 'tool-result', text: 'boom', toolCallId: 'a', toolName: 'x', isError: true },
      { kind: 'data', text: '[1,2]', dataName: 'chart' },
    ]);
  });
});
