/** A prompt offered on an empty conversation, and the kind of answer it brings. */
export interface SuggestedPrompt {
  readonly prompt: string;
  /** The kind of content the answer mostly is: what the suggestion shows off. */
  readonly shows: 'code' | 'table' | 'list' | 'long' | 'prose';
}

/**
 * Prompts that each bring a different kind of answer from the simulated model.
 *
 * @example
 * ```ts
 * SUGGESTED_PROMPTS.find((item) => item.shows === 'table')?.prompt; // 'show me a table of HTTP status codes'
 * ```
 */
export const SUGGESTED_PROMPTS: readonly SuggestedPrompt[] = [
  { prompt: 'write a debounce function', shows: 'code' },
  { prompt: 'show me a table of HTTP status codes', shows: 'table' },
  { prompt: 'how do I deploy to production', shows: 'list' },
  { prompt: 'compare websockets and sse', shows: 'table' },
  // Long enough to fall out of the rewind window when sent one message per token.
  { prompt: 'give me a long answer', shows: 'long' },
];
