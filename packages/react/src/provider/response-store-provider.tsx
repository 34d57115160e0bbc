'use client';
import type { ResponseStore } from '@resumable/core';
import { createContext, type ReactNode, useContext } from 'react';

const ResponseStoreContext = createContext<ResponseStore | undefined>(undefined);
ResponseStoreContext.displayName = 'ResponseStoreContext';

/**
 * Props of {@link ResponseStoreProvider}.
 *
 * @example
 * ```tsx
 * const props: ResponseStoreProviderProps = { store, children: <Messages /> };
 * ```
 */
export interface ResponseStoreProviderProps {
  /** The store to share, usually `useChannelHydration(...).store`. */
  readonly store: ResponseStore | undefined;
  readonly children?: ReactNode;
}

/**
 * Shares a response store with every `useStreamedResponse` below it, so a message list can hydrate
 * the channel once and each message subscribes to its own response without prop drilling.
 *
 * @example
 * ```tsx
 * function Chat() {
 *   const { responses, store } = useChannelHydration({ channelName: 'ai:chat-1', strategy: 'history' });
 *   return (
 *     <ResponseStoreProvider store={store}>
 *       {responses.map((r) => <Message key={r.id} id={r.id} />)}
 *     </ResponseStoreProvider>
 *   );
 * }
 * ```
 */
export function ResponseStoreProvider({ store, children }: ResponseStoreProviderProps) {
  return <ResponseStoreContext.Provider value={store}>{children}</ResponseStoreContext.Provider>;
}
ResponseStoreProvider.displayName = 'ResponseStoreProvider';

/**
 * The store from the nearest {@link ResponseStoreProvider}, or undefined.
 *
 * @example
 * ```tsx
 * const store = useResponseStore();
 * ```
 */
export function useResponseStore(): ResponseStore | undefined {
  return useContext(ResponseStoreContext);
}
