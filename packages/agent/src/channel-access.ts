import { hintFor, ResumableError } from '@resumable/core';
import type * as Ably from 'ably';

/** Message size Ably allows when the connection announced none (Free and Standard plans). */
export const DEFAULT_MAX_MESSAGE_SIZE = 65536;

/**
 * The part of the SDK's client that a channel keeps a reference to. `RealtimeChannel` does not type it, so it
 * is read defensively: a channel-like object without it still streams, only without the connection checks.
 */
interface ChannelClient {
  readonly connection?: Ably.Connection;
  readonly options?: { readonly maxMessageSize?: number; readonly clientId?: string };
  readonly auth?: { readonly clientId?: string | null };
}

function clientOf(channel: Ably.RealtimeChannel): ChannelClient | undefined {
  const client = (channel as unknown as { client?: unknown }).client;
  return typeof client === 'object' && client !== null ? (client as ChannelClient) : undefined;
}

/**
 * The message size limit for this channel's connection: what the server announced on connect (the SDK copies
 * `connectionDetails.maxMessageSize` into the client options), else the client option, else 64 KiB.
 */
export function maxMessageSizeOf(channel: Ably.RealtimeChannel): number {
  const size = clientOf(channel)?.options?.maxMessageSize;
  return typeof size === 'number' && size > 0 ? size : DEFAULT_MAX_MESSAGE_SIZE;
}

/** The clientId the server stamps on this connection's messages (it counts towards the message size). */
export function clientIdOf(channel: Ably.RealtimeChannel): string | undefined {
  const clientId = clientOf(channel)?.auth?.clientId ?? clientOf(channel)?.options?.clientId;
  return typeof clientId === 'string' && clientId !== '*' ? clientId : undefined;
}

/**
 * The id of the channel's connection. It changes when the connection had to be replaced (a resume that
 * failed); messages the SDK then sends again may have been applied once already.
 */
export function connectionIdOf(channel: Ably.RealtimeChannel): string | undefined {
  return clientOf(channel)?.connection?.id ?? undefined;
}

const UNUSABLE_CONNECTION_STATES = new Set(['suspended', 'failed', 'closing', 'closed']);
const UNUSABLE_CHANNEL_STATES = new Set(['suspended', 'failed']);

/**
 * The reason nothing can be published on this channel right now, or undefined when publishing can go ahead
 * (a `disconnected` or `connecting` connection queues messages and sends them when it is back).
 */
export function unpublishableReason(channel: Ably.RealtimeChannel): ResumableError | undefined {
  const connection = clientOf(channel)?.connection;
  if (connection && UNUSABLE_CONNECTION_STATES.has(connection.state)) {
    return connectionError(connection.state, connection.errorReason);
  }
  if (UNUSABLE_CHANNEL_STATES.has(channel.state)) {
    const code = channel.state === 'suspended' ? 80002 : (channel.errorReason?.code ?? 90001);
    return new ResumableError(
      code,
      `Channel "${channel.name}" is ${channel.state}${describe(channel.errorReason)}; nothing can be published on it.`,
      channel.state === 'suspended'
        ? 'Wait for the connection to come back (the channel re-attaches by itself), then stream again.'
        : (hintFor(code) ?? 'Release the channel, get it again and stream again; see the cause for why it failed.'),
      channel.errorReason?.statusCode,
      { cause: channel.errorReason },
    );
  }
  return undefined;
}

/** A ResumableError for a connection that cannot carry messages. */
export function connectionError(state: string, reason?: Ably.ErrorInfo | null): ResumableError {
  const message = `The Ably connection is ${state}${describe(reason)}; the response cannot be published.`;
  const options = { cause: reason ?? undefined };
  if (state === 'suspended') {
    return new ResumableError(
      80002,
      message,
      'The connection has been down longer than Ably keeps its state; wait for it to reconnect (connection.once("connected")) and stream the response again.',
      reason?.statusCode,
      options,
    );
  }
  if (state === 'closing' || state === 'closed') {
    return new ResumableError(
      80017,
      message,
      'The client was closed (client.close()): call client.connect() or create a new client, then stream again.',
      reason?.statusCode,
      options,
    );
  }
  const code = reason?.code ?? 80000;
  return new ResumableError(
    code,
    message,
    hintFor(code) ?? 'The connection failed for good: create a new client (check the key, token and endpoint).',
    reason?.statusCode,
    options,
  );
}

function describe(reason: Ably.ErrorInfo | null | undefined): string {
  return reason?.message ? ` (${reason.message})` : '';
}

/**
 * Watch the connection for states in which queued and future messages fail (`suspended`, `failed`, `closed`).
 * Returns a function that stops watching.
 */
export function watchConnection(channel: Ably.RealtimeChannel, onLost: (error: ResumableError) => void): () => void {
  const connection = clientOf(channel)?.connection;
  if (!connection || typeof connection.on !== 'function') return () => {};
  const listener = (change: Ably.ConnectionStateChange) => onLost(connectionError(change.current, change.reason));
  const states: Ably.ConnectionEvent[] = ['suspended', 'failed', 'closed'];
  connection.on(states, listener);
  return () => connection.off(listener);
}

/**
 * The namespace of a channel name: the part before the first colon, where Ably's channel rules apply.
 *
 * @example
 * ```ts
 * namespaceOf('ai:chat-1'); // 'ai'
 * namespaceOf('chat-1'); // undefined
 * ```
 */
export function namespaceOf(channelName: string): string | undefined {
  const colon = channelName.indexOf(':');
  return colon > 0 ? channelName.slice(0, colon) : undefined;
}

/** The 93002 error, naming the rule to enable and where. */
export function mutableMessagesError(channelName: string, cause: unknown): ResumableError {
  const namespace = namespaceOf(channelName);
  const rule = 'Message annotations, updates, deletes, and appends';
  const hint = namespace
    ? `Enable the rule "${rule}" (mutableMessages) on the channel namespace "${namespace}" in your Ably app settings, or use a channel in a namespace that has it.`
    : `Channel "${channelName}" has no namespace, so no rule applies to it: name it "<namespace>:${channelName}" (for example "ai:${channelName}") and enable the rule "${rule}" (mutableMessages) on that namespace.`;
  return new ResumableError(
    93002,
    `Appending to messages is not enabled on channel "${channelName}": message-per-response needs the mutable-messages rule.`,
    hint,
    400,
    { cause },
  );
}

/**
 * Whether an error from a publish or append means continuing is pointless (every later message would fail the
 * same way), as opposed to a one-off rejection such as a rate limit that the final repair makes good.
 */
export function isFatalPublishError(error: ResumableError): boolean {
  const { code } = error;
  return (
    code === 93002 || // rule missing
    code === 40009 || // too large: later appends would leave a gap the repair cannot fill
    (code >= 40100 && code < 40200) || // auth and capabilities (40160, 40142 ...)
    (code >= 80000 && code < 80100) || // connection unusable
    (code >= 90000 && code < 90100) // channel unusable
  );
}
