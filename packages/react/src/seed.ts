import type { SeedResponse } from '@resumable/core';
import type { StreamingMessageResponse } from './streaming-message/streaming-message.js';

/**
 * A completed response from your database as `<StreamingMessage>` renders it: its text, complete.
 * Pure and free of React state, so a server component can map stored answers to props for the
 * (client) `<StreamingMessage>` without creating a store or a client.
 *
 * @example
 * ```tsx
 * // app/conversation/page.tsx, a React Server Component
 * import { seedToMessage, type SeedResponse } from '@resumable/react/server';
 * import { StreamingMessage } from '@resumable/react';
 *
 * export default async function Page() {
 *   const seed: SeedResponse[] = await loadCompletedResponses('conversation-1');
 *   return seed.map((s) => <StreamingMessage key={s.responseId} response={seedToMessage(s)} />);
 * }
 * ```
 */
export function seedToMessage(seed: Pick<SeedResponse, 'text'>): StreamingMessageResponse {
  return { text: seed.text, status: 'complete' };
}
