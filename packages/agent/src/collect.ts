/**
 * Read a whole text stream into one string: the reference the agent repairs a response against.
 *
 * @example
 * ```ts
 * await collectText((async function* () { yield 'Hel'; yield 'lo'; })()); // 'Hello'
 * ```
 */
export async function collectText(stream: AsyncIterable<string>): Promise<string> {
  let text = '';
  for await (const chunk of stream) {
    if (typeof chunk !== 'string') throw new TypeError(`text streams yield strings, got ${typeof chunk}`);
    text += chunk;
  }
  return text;
}
