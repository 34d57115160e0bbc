// The end marker's proof of the text: its length and a checksum, written by the agent and checked by
// every reader when a response ends, so a text that lost a fragment on the way never shows as a silent
// `complete`. FNV-1a over UTF-16 code units: cheap, incremental, identical in every JavaScript runtime,
// and easy to write in any language (iterate the string's UTF-16 units).
import { TEXT_CHECKSUM_KEY, TEXT_LENGTH_KEY } from './wire.js';

const FNV_OFFSET = 0x811c9dc5;
const FNV_PRIME = 0x01000193;

/**
 * The checksum the end marker carries: FNV-1a (32 bit) over the text's UTF-16 code units, as 8 hex digits.
 *
 * @example
 * ```ts
 * textChecksum(''); // '811c9dc5'
 * textChecksum('Hello'); // the same value on every reader and every agent
 * ```
 */
export function textChecksum(text: string): string {
  let hash = FNV_OFFSET;
  for (let index = 0; index < text.length; index++) {
    hash ^= text.charCodeAt(index);
    hash = Math.imul(hash, FNV_PRIME) >>> 0;
  }
  return hash.toString(16).padStart(8, '0');
}

/**
 * The length and checksum to put in an end marker (operation metadata or `stop` headers) for `text`.
 *
 * @example
 * ```ts
 * const metadata = { status: 'complete', ...textProof(published) };
 * // { status: 'complete', textLength: '42', textChecksum: '1a2b3c4d' }
 * ```
 */
export function textProof(text: string): Record<typeof TEXT_LENGTH_KEY | typeof TEXT_CHECKSUM_KEY, string> {
  return { [TEXT_LENGTH_KEY]: String(text.length), [TEXT_CHECKSUM_KEY]: textChecksum(text) };
}

/** What an end marker says the text is; undefined when it says nothing usable (older agents). */
export interface ExpectedText {
  readonly length: number;
  readonly checksum: string | undefined;
}

/** Read the proof from end-marker metadata or headers; malformed values are ignored. */
export function readExpectedText(fields: Readonly<Record<string, string>> | undefined): ExpectedText | undefined {
  const rawLength = fields?.[TEXT_LENGTH_KEY];
  if (typeof rawLength !== 'string' || !/^\d{1,10}$/.test(rawLength)) return undefined;
  const rawChecksum = fields?.[TEXT_CHECKSUM_KEY];
  const checksum = typeof rawChecksum === 'string' && /^[0-9a-f]{8}$/.test(rawChecksum) ? rawChecksum : undefined;
  return { length: Number(rawLength), checksum };
}

/** Whether `text` is what the end marker promised (length first: the checksum only when it could match). */
export function matchesExpected(text: string, expected: ExpectedText): boolean {
  if (text.length !== expected.length) return false;
  return expected.checksum === undefined || textChecksum(text) === expected.checksum;
}
