// React 18 run: CommonJS packages (react-dom@18, Testing Library) are loaded by Node, where the
// vitest alias does not reach, and pnpm links their `react` peer to the workspace's React 19.
// Send every require of react / react-dom in this run to the React 18 copies.
import Module, { createRequire } from 'node:module';
import { dirname } from 'node:path';

const require = createRequire(import.meta.url);
const react18 = dirname(require.resolve('react-18/package.json'));
const reactDom18 = dirname(require.resolve('react-dom-18/package.json'));
type Resolve = (request: string, ...rest: unknown[]) => string;
const moduleWithResolver = Module as unknown as { _resolveFilename: Resolve };
const resolve = moduleWithResolver._resolveFilename;
moduleWithResolver._resolveFilename = function (request, ...rest) {
  const target = request.replace(/^react-dom(?=\/|$)/, reactDom18).replace(/^react(?=\/|$)/, react18);
  return resolve.call(this, target, ...rest);
};
