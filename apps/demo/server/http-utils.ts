import type { IncomingMessage, ServerResponse } from 'node:http';

/** An HTTP error with a code and a hint, sent to the browser as JSON. */
export class HttpError extends Error {
  constructor(
    readonly status: number,
    readonly code: number,
    message: string,
    readonly hint: string,
  ) {
    super(message);
  }
}

export function sendJson(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store' });
  res.end(text);
}

/**
 * Read a JSON object body of at most `limit` bytes; only `content-type: application/json` is read.
 *
 * @example
 * ```ts
 * const body = await readJsonBody(req); // {} for an empty body
 * ```
 */
export async function readJsonBody(req: IncomingMessage, limit = 16_384): Promise<Record<string, unknown>> {
  const type = (req.headers['content-type'] ?? '').split(';')[0]?.trim().toLowerCase();
  if (type !== 'application/json') {
    throw new HttpError(
      415,
      41500,
      `The request body must be JSON (got content-type "${type ?? ''}")`,
      'Send it with content-type application/json.',
    );
  }
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > limit)
      throw new HttpError(413, 40009, `Request body larger than ${limit} bytes`, 'Send a shorter message.');
    chunks.push(chunk);
  }
  if (size === 0) return {};
  try {
    const value: unknown = JSON.parse(Buffer.concat(chunks).toString('utf8'));
    if (typeof value === 'object' && value !== null && !Array.isArray(value)) return value as Record<string, unknown>;
  } catch {
    // fall through to the error below
  }
  throw new HttpError(
    400,
    40000,
    'The request body is not a JSON object',
    'Send a JSON object with content-type application/json.',
  );
}

/** A number from a body field, checked against a range; `fallback` when the field is absent. */
export function numberField(
  body: Record<string, unknown>,
  name: string,
  min: number,
  max: number,
  fallback: number,
): number {
  const value = body[name];
  if (value === undefined || value === null) return fallback;
  if (typeof value !== 'number' || !Number.isFinite(value) || value < min || value > max) {
    throw new HttpError(
      400,
      40106,
      `"${name}" must be a number from ${min} to ${max}`,
      `Got ${JSON.stringify(value)}.`,
    );
  }
  return value;
}
