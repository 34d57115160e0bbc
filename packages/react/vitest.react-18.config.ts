import { fileURLToPath } from 'node:url';
import { defineProject } from 'vitest/config';
import { sourceConditions } from '../../vitest.shared.js';
import { nodeOnlyAliases, reactTestConfig } from './vitest.config.js';

const here = (path: string) => fileURLToPath(new URL(path, import.meta.url));

/**
 * The same suite on React 18.3: `react` and `react-dom` resolve to the `react-18` / `react-dom-18`
 * aliases. Libraries that import React are inlined so the alias reaches their imports too.
 */
export default defineProject({
  ...sourceConditions,
  resolve: {
    ...sourceConditions.resolve,
    alias: [
      ...nodeOnlyAliases,
      { find: /^react$/, replacement: here('./node_modules/react-18/index.js') },
      { find: /^react\/(.*)$/, replacement: `${here('./node_modules/react-18')}/$1` },
      { find: /^react-dom$/, replacement: here('./node_modules/react-dom-18/index.js') },
      { find: /^react-dom\/(.*)$/, replacement: `${here('./node_modules/react-dom-18')}/$1` },
    ],
  },
  test: {
    name: 'react-18',
    ...reactTestConfig,
    setupFiles: [here('./test/setup-react-18.ts'), ...reactTestConfig.setupFiles],
    server: { deps: { inline: [/@testing-library\/react/, /ably\/react/, /react-dom@18/, /react@18/] } },
  },
});
