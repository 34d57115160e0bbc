import type { ResponseStore } from '@resumable/core';
import { memo } from 'react';
import {
  ResponseStoreProvider,
  type UseChannelHydrationOptions,
  useChannelHydration,
  useStreamedResponse,
} from '../src/index.js';

/** Renders per response id: lets tests check that one response streaming leaves the others alone. */
export const renderCounts = new Map<string, number>();

/** One message, subscribed to its own response only. */
export const Message = memo(function Message({ id }: { id: string }) {
  const { text, status, headers, response } = useStreamedResponse({ id });
  const incomplete = response?.incomplete;
  const key = headers.responseId ?? id;
  renderCounts.set(key, (renderCounts.get(key) ?? 0) + 1);
  return (
    <li data-testid={`message-${key}`} data-status={status} data-incomplete={incomplete ? 'true' : undefined}>
      {text}
    </li>
  );
});

/** A chat transcript: hydrates the channel and lists its responses. */
export function Transcript(
  props: UseChannelHydrationOptions & { label?: string; onStore?: (store: ResponseStore) => void },
) {
  const { label = 'viewer', onStore, ...options } = props;
  const { responses, syncStatus, caughtUp, error, resyncCount, store } = useChannelHydration(options);
  onStore?.(store);
  return (
    <ResponseStoreProvider store={store}>
      <section data-testid={label}>
        <p
          data-testid={`${label}-sync`}
          data-status={syncStatus}
          data-caught-up={String(caughtUp)}
          data-resyncs={resyncCount}
          data-error-code={error?.code ?? ''}
        >
          {error ? `${error.message} ${error.hint}` : ''}
        </p>
        <ol data-testid={`${label}-list`}>
          {responses.map((response) => (
            <Message key={response.id} id={response.id} />
          ))}
        </ol>
      </section>
    </ResponseStoreProvider>
  );
}
