import { RESPONSE_ID_HEADER, TOKEN_EVENT_NAMES } from '@resumable/core';
import type * as Ably from 'ably';

function headersOf(message: Ably.InboundMessage): Record<string, string> {
  return ((message.extras as { headers?: Record<string, string> } | undefined)?.headers ?? {}) as Record<
    string,
    string
  >;
}

/** A live reader's view of one response, folded from what a subscriber received. */
export interface LiveResponse {
  text: string;
  status: string | undefined;
  reason: string | undefined;
  headers: Record<string, string>;
}

/**
 * Subscribe to a channel and fold what arrives into texts by responseId, the way a reader of the kit's wire
 * convention does (create sets, append concatenates, update replaces; token messages accumulate and
 * response-complete replaces).
 */
export async function subscribeAndFold(channel: Ably.RealtimeChannel) {
  const responses = new Map<string, LiveResponse>();
  const bySerial = new Map<string, string>();
  const entry = (id: string) => {
    let response = responses.get(id);
    if (!response) {
      response = { text: '', status: undefined, reason: undefined, headers: {} };
      responses.set(id, response);
    }
    return response;
  };
  await channel.subscribe((message) => {
    const headers = headersOf(message);
    const data = typeof message.data === 'string' ? message.data : '';
    if (message.name === 'response' || bySerial.has(message.serial ?? '')) {
      const id = headers[RESPONSE_ID_HEADER] ?? bySerial.get(message.serial ?? '');
      if (!id) return;
      if (message.serial) bySerial.set(message.serial, id);
      const response = entry(id);
      response.headers = headers;
      if (message.action === 'message.append') response.text += data;
      else response.text = data;
      const metadata = message.version?.metadata;
      if (metadata?.status) {
        response.status = metadata.status;
        response.reason = metadata.error;
      }
      return;
    }
    const id = headers[RESPONSE_ID_HEADER];
    if (!id) return;
    const response = entry(id);
    response.headers = headers;
    if (message.name === TOKEN_EVENT_NAMES.start) response.text = '';
    else if (message.name === TOKEN_EVENT_NAMES.token) response.text += data;
    else if (message.name === TOKEN_EVENT_NAMES.complete) response.text = data;
    else if (message.name === TOKEN_EVENT_NAMES.stop) {
      response.status = headers.status;
      response.reason = headers.error;
    }
  });
  return responses;
}

async function allHistory(channel: Ably.RealtimeChannel): Promise<Ably.InboundMessage[]> {
  const messages: Ably.InboundMessage[] = [];
  let page: Ably.PaginatedResult<Ably.InboundMessage> | null = await channel.history({
    direction: 'forwards',
    limit: 1000,
  });
  while (page) {
    messages.push(...page.items);
    page = page.hasNext() ? await page.next() : null;
  }
  return messages;
}

/** The aggregated message-per-response message of a response, from history. */
export async function responseFromHistory(channel: Ably.RealtimeChannel, responseId: string) {
  const messages = await allHistory(channel);
  const matches = messages.filter((m) => m.name === 'response' && headersOf(m)[RESPONSE_ID_HEADER] === responseId);
  if (matches.length !== 1) throw new Error(`expected one response message for ${responseId}, found ${matches.length}`);
  const message = matches[0]!;
  return {
    text: message.data as string,
    status: message.version?.metadata?.status,
    reason: message.version?.metadata?.error,
    headers: headersOf(message),
    serial: message.serial,
  };
}

/** A message-per-token response rebuilt from history: tokens concatenated, or the response-complete text. */
export async function tokensFromHistory(channel: Ably.RealtimeChannel, responseId: string) {
  const messages = (await allHistory(channel)).filter((m) => headersOf(m)[RESPONSE_ID_HEADER] === responseId);
  let text = '';
  let status: string | undefined;
  for (const message of messages) {
    if (message.name === TOKEN_EVENT_NAMES.token) text += message.data as string;
    if (message.name === TOKEN_EVENT_NAMES.complete) text = message.data as string;
    if (message.name === TOKEN_EVENT_NAMES.stop) status = headersOf(message).status;
  }
  return {
    text,
    status,
    names: messages.map((m) => m.name),
    tokenMessages: messages.filter((m) => m.name === 'token').length,
  };
}
