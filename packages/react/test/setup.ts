import { cleanup } from '@testing-library/react';
import { afterEach } from 'vitest';

// Tests drive React through act() (Testing Library's render and waitFor, and act where a test feeds
// a store by hand); updates that arrive from the network are awaited with waitFor.
(globalThis as { IS_REACT_ACT_ENVIRONMENT?: boolean }).IS_REACT_ACT_ENVIRONMENT = true;

afterEach(() => {
  cleanup();
});
