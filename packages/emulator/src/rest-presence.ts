import { capabilityAllows } from './capability.js';
import { baseChannelName } from './channel.js';
import { errors, toEmulatorError } from './errors.js';
import { type MemberFilter, presenceToWire } from './presence.js';
import type { RestContext } from './rest.js';
import { type RestCredentials, requireCapability } from './rest-auth.js';
import { send } from './rest-io.js';
import { numberParam, type PageItem, sendPage } from './rest-pages.js';

function memberFilter(query: URLSearchParams): MemberFilter {
  const filter: MemberFilter = {};
  const clientId = query.get('clientId');
  const connectionId = query.get('connectionId');
  if (clientId) filter.clientId = clientId;
  if (connectionId) filter.connectionId = connectionId;
  return filter;
}

/** `GET /channels/:name/presence` (RSP3): the current members; needs `subscribe`. */
export function presenceMembers(ctx: RestContext, credentials: RestCredentials, name: string, base: string): void {
  requireCapability(credentials, name, 'subscribe');
  const members = ctx.server.channels.get(base)?.presence.list(memberFilter(ctx.query)) ?? [];
  const items: PageItem[] = members.map((m, index) => ({ key: index, render: (format) => presenceToWire(m, format) }));
  sendPage(ctx, 'presence', items, { defaultDirection: 'forwards', keep: ['clientId', 'connectionId'] });
}

/** `GET /channels/:name/presence/history` (RSP4): enter/update/leave events; needs `history`. */
export function presenceHistory(ctx: RestContext, credentials: RestCredentials, name: string, base: string): void {
  requireCapability(credentials, name, 'history');
  const start = numberParam(ctx.query, 'start');
  const end = numberParam(ctx.query, 'end');
  if (start !== undefined && end !== undefined && start > end) throw errors.invalidParam('start must not be after end');
  const channel = ctx.server.channels.get(base);
  // untilAttach (from_serial = the attach position), as for message history.
  let upTo: number | undefined;
  const fromSerial = ctx.query.get('from_serial');
  if (fromSerial !== null) {
    upTo = channel?.positionOf(fromSerial);
    if (upTo === undefined) {
      throw errors.invalidParam(`Invalid from_serial "${fromSerial}": not an attach position of channel "${name}"`);
    }
    if ((ctx.query.get('direction') ?? 'backwards') !== 'backwards') {
      throw errors.invalidParam('untilAttach (from_serial) needs direction=backwards');
    }
  }
  const items: PageItem[] = [];
  for (const { event, position, n } of channel?.presence.history ?? []) {
    if (upTo !== undefined && position > upTo) continue;
    if (start !== undefined && event.timestamp < start) continue;
    if (end !== undefined && event.timestamp > end) continue;
    items.push({ key: n, render: (format) => presenceToWire(event, format) });
  }
  sendPage(ctx, 'history', items, { defaultDirection: 'backwards' });
}

/**
 * `GET /presence?channels=a,b` (batch presence, RSC24): `{successCount, failureCount, results}` with
 * `{channel, presence}` or `{channel, error}` per channel.
 */
export function batchPresence(ctx: RestContext, credentials: RestCredentials): void {
  const names = (ctx.query.get('channels') ?? '').split(',').filter((n) => n !== '');
  if (names.length === 0) throw errors.badRequest('Batch presence needs ?channels=<name>,<name>…');
  const format = ctx.envelope ?? ctx.format;
  const results = names.map((channel) => {
    try {
      const base = baseChannelName(channel);
      if (!capabilityAllows(credentials.capability, channel, 'subscribe')) {
        throw errors.capability(`No "subscribe" capability on channel "${channel}"`);
      }
      const members = ctx.server.channels.get(base)?.presence.list() ?? [];
      return { channel, presence: members.map((m) => presenceToWire(m, format)) };
    } catch (error) {
      return { channel, error: toEmulatorError(error).toWire() };
    }
  });
  const failureCount = results.filter((r) => 'error' in r).length;
  send(ctx, 200, { successCount: results.length - failureCount, failureCount, results });
}
