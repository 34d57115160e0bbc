/**
 * Readable log lines for realtime traffic (option `log`): one per protocol message a connection receives
 * or sends, and one per fanned-out delivery. They never throw, whatever a client sent.
 *
 * @module
 */
import type { ChannelEvent } from './channel.js';
import { actionNames, type ProtocolMessage } from './codec.js';

// Indexed by `Message.action` and `PresenceMessage.action`; an unknown action is logged as its number.
const MESSAGE_ACTION_NAMES = ['create', 'update', 'delete', 'meta', 'summary', 'append'];
const PRESENCE_ACTION_NAMES = ['absent', 'present', 'enter', 'leave', 'update'];

/**
 * One readable log line for a fanned-out channel event: its presence changes, or its first message with
 * the start of its data.
 *
 * @example
 * ```ts
 * describeDelivery('ai:chat', event); // 'ai:chat append 01754000000000-000000007@a1b2c3 "Hello"'
 * ```
 */
export function describeDelivery(channel: string, event: ChannelEvent): string {
  if (event.presence) {
    return `${channel} presence ${event.presence.map((p) => `${PRESENCE_ACTION_NAMES[p.action] ?? p.action} ${p.clientId}`).join(', ')}`;
  }
  const item = event.items[0];
  if (!item) return channel;
  const data = item.message.data;
  const preview =
    typeof data === 'string'
      ? JSON.stringify(data.length > 40 ? `${data.slice(0, 40)}…` : data)
      : data
        ? `<${data.length} bytes>`
        : '';
  return `${channel} ${MESSAGE_ACTION_NAMES[item.message.action] ?? item.message.action} ${item.serial} ${preview}`;
}

/**
 * One readable log line for a protocol message; never throws, whatever the client sent.
 *
 * @example
 * ```ts
 * describeProtocolMessage({ action: 10, channel: 'ai:chat', flags: 0 }); // 'ATTACH ai:chat'
 * ```
 */
export function describeProtocolMessage(pm: ProtocolMessage): string {
  try {
    const text = (value: unknown) => (typeof value === 'string' ? value : JSON.stringify(value));
    const parts = [actionNames[pm.action] ?? `action ${text(pm.action)}`];
    if (pm.channel !== undefined) parts.push(text(pm.channel));
    if (pm.msgSerial !== undefined) parts.push(`msgSerial=${text(pm.msgSerial)}`);
    if (pm.channelSerial !== undefined) parts.push(`channelSerial=${text(pm.channelSerial)}`);
    if (pm.flags) parts.push(`flags=${text(pm.flags)}`);
    if (Array.isArray(pm.messages)) {
      for (const m of pm.messages.slice(0, 3)) {
        if (typeof m !== 'object' || m === null) continue;
        const data =
          typeof m.data === 'string' ? JSON.stringify(m.data.length > 40 ? `${m.data.slice(0, 40)}…` : m.data) : '';
        const action = typeof m.action === 'number' ? m.action : 0;
        parts.push(
          `[${MESSAGE_ACTION_NAMES[action] ?? text(m.action)}${m.serial ? ` ${text(m.serial)}` : ''}${m.name ? ` ${text(m.name)}` : ''} ${data}]`,
        );
      }
    }
    if (pm.error) parts.push(`error ${pm.error.code}: ${pm.error.message}`);
    return parts.join(' ');
  } catch {
    return `action ${String(pm.action)} (unprintable)`;
  }
}
