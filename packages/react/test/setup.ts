import { cleanup } from '@testing-library/react';
import { afterEach } from 'vitest';

// Updates here arrive from the network, outside act(): they are awaited with waitFor. Testing
// Library's render and act switch the act environment on for their own duration.
(globalThis as { IS_REACT_ACT_ENVIRONMENT?: boolean }).IS_REACT_ACT_ENVIRONMENT = false;

afterEach(() => {
  cleanup();
});
