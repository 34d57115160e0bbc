import { fileURLToPath } from 'node:url';

const here = (path: string) => fileURLToPath(new URL(path, import.meta.url));

/** The demo app's directory: Vite's root. */
export const demoRoot = here('..');

/**
 * The only paths Vite may serve (`server.fs.allow`): the app's sources and the workspace packages and
 * dependencies it imports. Data, environment files and the rest of the repository stay out.
 *
 * @example
 * ```ts
 * defineConfig({ server: { fs: { strict: true, allow: [...servedRoots] } } });
 * ```
 */
export const servedRoots: readonly string[] = [
  here('../src'),
  here('../index.html'),
  here('../../../packages'),
  here('../../../node_modules'),
];
