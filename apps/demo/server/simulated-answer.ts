import type { PartEvent } from '@resumable/agent';
import { pickAnswer } from './canned-answers.js';
import { paceTokens, type SimulatedModelOptions, sleep, tokenize } from './simulated-model.js';

/** A tool call the simulated model makes, and what the "tool" answers. */
export interface SimulatedToolCall {
  readonly toolName: 'weather' | 'calculator' | 'search_docs';
  readonly input: Record<string, string>;
  readonly output: unknown;
  readonly isError: boolean;
}

/** Everything the simulated model will say to a prompt, decided up front (so tests can compare against it). */
export interface SimulatedPlan {
  readonly reasoning: string;
  readonly tool: SimulatedToolCall;
  readonly text: string;
}

const SKIES = ['sunny', 'cloudy', 'light rain', 'windy', 'foggy'];

/**
 * What the simulated model thinks, which tool it calls with what, and what it answers. Weather and
 * arithmetic prompts get the weather and calculator tools; everything else looks up the docs and
 * answers with one of the canned markdown answers.
 *
 * @example
 * ```ts
 * planAnswer('what is the weather in Lisbon').tool.input; // { city: 'Lisbon' }
 * ```
 */
export function planAnswer(prompt: string): SimulatedPlan {
  const weather = /\b(weather|forecast|temperature)\b/i.test(prompt);
  const expression = prompt.match(/[\d.]+(?:\s*[-+*/x×]\s*\(?\s*[\d.]+\s*\)?)+/)?.[0];
  if (weather) {
    const city = prompt.match(/\b(?:in|for|at)\s+([A-Za-z][A-Za-z .'-]{0,40}[A-Za-z])/)?.[1] ?? 'Paris';
    const seed = [...city].reduce((sum, char) => sum + char.charCodeAt(0), 0);
    const output = { city, celsius: (seed % 30) - 2, sky: SKIES[seed % SKIES.length] };
    return {
      reasoning: `The user wants the current weather in ${city}. I should call the weather tool rather than guess, then report the temperature and the sky in one sentence.`,
      tool: { toolName: 'weather', input: { city }, output, isError: false },
      text: `Right now it is **${output.celsius} °C** and ${output.sky} in ${city}.`,
    };
  }
  if (expression) {
    const clean = expression.replace(/[x×]/g, '*').trim();
    const value = evaluate(clean);
    const isError = value === undefined;
    return {
      reasoning: `This is arithmetic: ${clean}. Mental maths is error-prone, so I will use the calculator tool and quote its result exactly.`,
      tool: {
        toolName: 'calculator',
        input: { expression: clean },
        output: isError ? `Cannot evaluate "${clean}"` : { value },
        isError,
      },
      text: isError ? `I could not evaluate \`${clean}\`.` : `\`${clean}\` = **${value}**`,
    };
  }
  const answer = pickAnswer(prompt);
  return {
    reasoning: `The question is about ${answer.topic}. Let me look up the relevant notes first, then answer with ${answer.shape === 'prose' ? 'a short explanation' : `a ${answer.shape}`} in markdown.`,
    tool: {
      toolName: 'search_docs',
      input: { query: answer.topic },
      output: { query: answer.topic, results: [`${answer.topic} — overview`, `${answer.topic} — examples`] },
      isError: false,
    },
    text: answer.text,
  };
}

/** Options of {@link simulateAnswer}: the pacing of tokens, plus how long the tool takes. */
export interface SimulatedAnswerOptions extends SimulatedModelOptions {
  /** How long the tool call takes before its result arrives, in ms (default 800). */
  readonly toolDelayMs?: number;
}

/**
 * The simulated model's answer as part events: it thinks (a reasoning part), calls a tool (its JSON
 * input streamed token by token), waits for the tool, gets its result, then writes the answer text.
 *
 * @example
 * ```ts
 * for await (const event of simulateAnswer('weather in Oslo', { tokensPerSecond: 80 })) console.log(event.type);
 * ```
 */
export async function* simulateAnswer(prompt: string, options: SimulatedAnswerOptions = {}): AsyncGenerator<PartEvent> {
  const plan = planAnswer(prompt);
  const toolCallId = `call-${globalThis.crypto.randomUUID().slice(0, 8)}`;
  const { toolName, input, output, isError } = plan.tool;
  const thinking: PartEvent[] = [
    ...tokenize(plan.reasoning).map((text): PartEvent => ({ type: 'reasoning-delta', text })),
    ...tokenize(JSON.stringify(input)).map(
      (text): PartEvent => ({ type: 'tool-input-delta', toolCallId, toolName, text }),
    ),
    { type: 'tool-call', toolCallId, toolName, input },
  ];
  yield* paceTokens(thinking, options);
  await sleep(Math.min(Math.max(options.toolDelayMs ?? 800, 0), 10_000), options.signal);
  if (options.signal?.aborted) return;
  yield { type: 'tool-result', toolCallId, toolName, output, isError };
  const answer = tokenize(plan.text).map((text): PartEvent => ({ type: 'text-delta', text }));
  yield* paceTokens(answer, { ...options, firstTokenDelayMs: 0 });
}

/** `+ - * /` and parentheses over decimal numbers; undefined for anything else or a non-finite result. */
export function evaluate(expression: string): number | undefined {
  const tokens = expression.match(/\d+(?:\.\d+)?|[-+*/()]/g) ?? [];
  if (tokens.join('') !== expression.replace(/\s+/g, '')) return undefined;
  let at = 0;
  const primary = (): number => {
    const token = tokens[at++];
    if (token === '(') {
      const value = sum();
      if (tokens[at++] !== ')') throw new Error('unbalanced');
      return value;
    }
    if (token === '-') return -primary();
    const value = Number(token);
    if (token === undefined || Number.isNaN(value)) throw new Error('number expected');
    return value;
  };
  const product = (): number => {
    let value = primary();
    while (tokens[at] === '*' || tokens[at] === '/')
      value = tokens[at++] === '*' ? value * primary() : value / primary();
    return value;
  };
  const sum = (): number => {
    let value = product();
    while (tokens[at] === '+' || tokens[at] === '-')
      value = tokens[at++] === '+' ? value + product() : value - product();
    return value;
  };
  try {
    const value = sum();
    return at === tokens.length && Number.isFinite(value) ? Math.round(value * 1e9) / 1e9 : undefined;
  } catch {
    return undefined;
  }
}
