/**
 * Paginated REST answers (history, versions, presence): `limit`, `direction` and a cursor param, with
 * Link headers for the first, current and next pages.
 *
 * @module
 */
import type { Format } from './codec.js';
import { errors } from './errors.js';
import type { RestContext } from './rest.js';
import { send } from './rest-io.js';

/**
 * A numeric query param, or undefined when it is absent or empty.
 *
 * @throws EmulatorError 40003 for a value that is not a number
 * @example
 * ```ts
 * numberParam(new URLSearchParams('limit=10'), 'limit'); // 10
 * ```
 */
export function numberParam(query: URLSearchParams, name: string): number | undefined {
  const raw = query.get(name);
  if (raw === null || raw === '') return undefined;
  const value = Number(raw);
  if (!Number.isFinite(value)) throw errors.invalidParam(`Invalid ${name} "${raw}": expected a number`);
  return value;
}

/** One item of a paginated answer: its cursor key (unique, ascending in list order) and how to render it. */
export interface PageItem {
  key: number;
  render(format: Format): unknown;
}

/**
 * Answer one page of `items` with Link headers (`first`, `current`, `next`) whose cursor is a query param.
 *
 * @throws EmulatorError 40003 for a bad `direction`, `limit` or `cursor`
 * @example
 * ```ts
 * sendPage(ctx, 'messages', items, { defaultDirection: 'backwards' });
 * ```
 */
export function sendPage(
  ctx: RestContext,
  resource: string,
  items: PageItem[],
  options: { defaultDirection: 'forwards' | 'backwards'; keep?: string[] },
): void {
  const direction = ctx.query.get('direction') ?? options.defaultDirection;
  if (direction !== 'forwards' && direction !== 'backwards') {
    throw errors.invalidParam(`Invalid direction "${direction}": use forwards or backwards`);
  }
  const limit = numberParam(ctx.query, 'limit') ?? 100;
  if (!Number.isInteger(limit) || limit < 1 || limit > 1000)
    throw errors.invalidParam(`Invalid limit ${limit}: use 1 to 1000`);
  const cursor = numberParam(ctx.query, 'cursor');
  let ordered = direction === 'backwards' ? [...items].reverse() : items;
  if (cursor !== undefined)
    ordered = ordered.filter((i) => (direction === 'backwards' ? i.key <= cursor : i.key >= cursor));
  const page = ordered.slice(0, limit);
  const next = ordered[limit];
  const base: Record<string, string> = {};
  for (const param of ['start', 'end', 'from_serial', ...(options.keep ?? [])]) {
    const value = ctx.query.get(param);
    if (value !== null) base[param] = value;
  }
  base.limit = String(limit);
  base.direction = direction;
  const link = (extra: Record<string, string>, rel: string) =>
    `<./${resource}?${Object.entries({ ...base, ...extra })
      .map(([k, v]) => `${k}=${encodeURIComponent(v)}`)
      .join('&')}>; rel="${rel}"`;
  const links = [link({}, 'first'), link(cursor !== undefined ? { cursor: String(cursor) } : {}, 'current')];
  if (next) links.push(link({ cursor: String(next.key) }, 'next'));
  send(
    ctx,
    200,
    page.map((i) => i.render(ctx.envelope ?? ctx.format)),
    { Link: links.join(', ') },
  );
}
