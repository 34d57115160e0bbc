import { cleanup } from '@testing-library/react';
import { afterEach } from 'vitest';

// Updates arrive from the network, outside act(): they are awaited with waitFor.
(globalThis as { IS_REACT_ACT_ENVIRONMENT?: boolean }).IS_REACT_ACT_ENVIRONMENT = false;

afterEach(() => {
  cleanup();
});
