import { decodeGenerator, encode } from 'gpt-tokenizer';
import { type CannedAnswer, pickAnswer } from './canned-answers.js';

/** How fast the simulated model "types". */
export interface SimulatedModelOptions {
  /** Average tokens per second (default 40). */
  readonly tokensPerSecond?: number;
  /** How much each gap varies, as a fraction of the average gap, 0 to 1 (default 0.5). */
  readonly jitter?: number;
  /** "Thinking" time before the first token, in ms (default 250). */
  readonly firstTokenDelayMs?: number;
  /** Stops the stream early; the generator then returns without throwing. */
  readonly signal?: AbortSignal;
  /** Random source in [0, 1), for reproducible timings in tests. */
  readonly random?: () => number;
}

/** Split text into the pieces an LLM would emit, using the o200k tokenizer (GPT-4o's). */
export function tokenize(text: string): string[] {
  // decodeGenerator holds back bytes of a character split across tokens, so every piece is valid text.
  return [...decodeGenerator(encode(text))];
}

/**
 * A stand-in for a language model: streams one of a few canned markdown answers, chosen by the
 * prompt, token by token at a configurable rate with jitter. Needs no network and no key.
 *
 * @example
 * ```ts
 * const model = simulateModel('compare websockets and sse', { tokensPerSecond: 60 });
 * for await (const token of model.textStream) process.stdout.write(token);
 * ```
 */
export function simulateModel(
  prompt: string,
  options: SimulatedModelOptions = {},
): { answer: CannedAnswer; tokens: readonly string[]; textStream: AsyncIterable<string> } {
  const answer = pickAnswer(prompt);
  const tokens = tokenize(answer.text);
  return { answer, tokens, textStream: paceTokens(tokens, options) };
}

/**
 * Yield `tokens` at the given average rate. Gaps are scheduled against a clock rather than slept
 * one by one, so high rates are not slowed down by timer granularity: tokens that are due are
 * emitted together.
 */
export async function* paceTokens<T = string>(tokens: readonly T[], options: SimulatedModelOptions = {}) {
  const rate = clamp(options.tokensPerSecond ?? 40, 0.1, 10_000, 40);
  const jitter = clamp(options.jitter ?? 0.5, 0, 1, 0.5);
  const random = options.random ?? Math.random;
  const gapMs = 1000 / rate;
  let dueAt = performance.now() + clamp(options.firstTokenDelayMs ?? 250, 0, 10_000, 250);
  for (const token of tokens) {
    // A consumer that stopped pulling for a while (a paused model) gets no burst of overdue tokens.
    if (performance.now() - dueAt > 250) dueAt = performance.now();
    const wait = dueAt - performance.now();
    if (wait > 1) await sleep(wait, options.signal);
    if (options.signal?.aborted) return;
    yield token;
    dueAt += gapMs * (1 + jitter * (2 * random() - 1));
  }
}

function clamp(value: number, min: number, max: number, fallback: number): number {
  return Number.isNaN(value) ? fallback : Math.min(max, Math.max(min, value));
}

export function sleep(ms: number, signal: AbortSignal | undefined): Promise<void> {
  return new Promise((resolve) => {
    if (signal?.aborted) return resolve();
    const onAbort = () => {
      clearTimeout(timer);
      resolve();
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

/**
 * Holds a model's stream between two tokens: the demo's "Pause model" button, and how the tests
 * freeze an answer mid-stream whatever the machine's load.
 *
 * @example
 * ```ts
 * const gate = new PauseGate();
 * gate.pause();
 * setTimeout(() => gate.resume(), 1000);
 * await gate.wait(); // resolves after a second
 * ```
 */
export class PauseGate {
  private waiters: (() => void)[] = [];
  private pausedNow = false;

  get paused(): boolean {
    return this.pausedNow;
  }

  pause(): void {
    this.pausedNow = true;
  }

  resume(): void {
    this.pausedNow = false;
    const waiters = this.waiters;
    this.waiters = [];
    for (const wake of waiters) wake();
  }

  /** Resolve at once when not paused, otherwise on resume or when `signal` aborts. */
  wait(signal?: AbortSignal): Promise<void> {
    if (!this.pausedNow || signal?.aborted) return Promise.resolve();
    return new Promise((resolve) => {
      const wake = () => {
        signal?.removeEventListener('abort', wake);
        resolve();
      };
      this.waiters.push(wake);
      signal?.addEventListener('abort', wake, { once: true });
    });
  }
}
