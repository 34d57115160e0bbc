import { compile, type JSONValue, TreeInterpreter } from '@jmespath-community/jmespath';
import { EmulatorError, errors } from './errors.js';

/** A channel name taken apart: base name, params from a `[?…]` qualifier, and a subscription filter. */
export interface ChannelName {
  /** The channel itself (what history, presence and publishing use). */
  base: string;
  /** Params given in the qualifier, e.g. `rewind` from `[?rewind=1]name`. */
  params: Record<string, string>;
  /** The decoded JMESPath filter of a derived channel (`[filter=<base64>]name`). */
  filter?: string;
}

/**
 * Parse a channel name as the SDK sends it: `name`, `[?rewind=1]name`, or a derived channel
 * `[filter=<base64 JMESPath>?rewind=1]name` (what `channels.getDerived(name, { filter })` builds).
 *
 * @throws EmulatorError 40010 for an invalid name or a qualifier the emulator does not implement,
 *   40000 for a filter that is not a valid JMESPath expression
 * @example
 * ```ts
 * parseChannelName('[?rewind=1]ai:chat'); // { base: 'ai:chat', params: { rewind: '1' } }
 * ```
 */
export function parseChannelName(name: unknown): ChannelName {
  if (typeof name !== 'string') throw errors.invalidChannelName(String(name));
  let base = name;
  const params: Record<string, string> = {};
  let filter: string | undefined;
  if (name.startsWith('[')) {
    const end = name.indexOf(']');
    if (end < 0) throw errors.invalidChannelName(name);
    const qualifier = name.slice(1, end);
    base = name.slice(end + 1);
    const question = qualifier.indexOf('?');
    const kind = question < 0 ? qualifier : qualifier.slice(0, question);
    if (question >= 0) for (const [k, v] of new URLSearchParams(qualifier.slice(question + 1))) params[k] = v;
    if (kind.startsWith('filter=')) {
      filter = decodeFilter(name, kind.slice('filter='.length));
    } else if (kind !== '') {
      throw new EmulatorError(
        40010,
        400,
        `Channel qualifier "[${kind}]" in "${name}" is not implemented by the emulator (it knows "[?param=value]name" and derived channels "[filter=…]name" from channels.getDerived)`,
      );
    }
  }
  // biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are what we reject
  if (base.length === 0 || base.startsWith(':') || base.length > 2048 || /[\u0000-\u001f]/.test(base)) {
    throw errors.invalidChannelName(name);
  }
  const result: ChannelName = { base, params };
  if (filter !== undefined) result.filter = filter;
  return result;
}

function decodeFilter(name: string, encoded: string): string {
  const text = Buffer.from(encoded, 'base64').toString('utf8');
  const normalised = (s: string) => s.replace(/=+$/, '').replace(/-/g, '+').replace(/_/g, '/');
  if (encoded === '' || normalised(Buffer.from(text, 'utf8').toString('base64')) !== normalised(encoded)) {
    throw new EmulatorError(
      40010,
      400,
      `Invalid filter qualifier in "${name}": the expression must be base64 (UTF-8) encoded, as channels.getDerived does`,
    );
  }
  checkFilter(text);
  return text;
}

/** Check a JMESPath filter expression; 40000 naming the syntax error. */
export function checkFilter(expression: string): void {
  try {
    compile(expression);
  } catch (error) {
    throw errors.badRequest(
      `Invalid subscription filter ${JSON.stringify(expression)}: ${(error as Error).message} (filters are JMESPath over "name" and "headers", e.g. name == \`"reply"\` && headers.priority > \`2\`)`,
    );
  }
}

/**
 * A compiled subscription filter: true when a message should be delivered. The expression sees
 * `{ name, headers }` (`headers` = `extras.headers`), as Ably documents; only a result of exactly `true`
 * delivers (the stricter reading).
 *
 * @example
 * ```ts
 * compileFilter('name == `"reply"`')({ name: 'reply' }); // true
 * ```
 */
export function compileFilter(expression: string): (message: { name?: string; extras?: unknown }) => boolean {
  const ast = compile(expression);
  return (message) => {
    const headers = (message.extras as { headers?: unknown } | undefined)?.headers;
    const input = {
      name: message.name ?? null,
      headers: typeof headers === 'object' && headers !== null && !Array.isArray(headers) ? headers : {},
    } as JSONValue;
    try {
      return TreeInterpreter.search(ast, input) === true;
    } catch {
      return false;
    }
  };
}
