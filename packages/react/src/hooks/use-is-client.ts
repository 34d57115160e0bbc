import { useSyncExternalStore } from 'react';

const subscribeNever = () => () => undefined;
const onClient = () => true;
const onServer = () => false;

/**
 * False on the server and during hydration, true in every other client render. Hooks touch the
 * Ably client only when this is true, so server HTML and the first hydration render agree.
 */
export function useIsClient(): boolean {
  return useSyncExternalStore(subscribeNever, onClient, onServer);
}
