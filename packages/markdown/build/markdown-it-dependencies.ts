// markdown-it imports four packages this kit does not need in its bundle; this plugin points those
// imports at small modules of ours. Used by the package build, where markdown-it is bundled, and by
// the markdown test projects, so tests run what ships.
// - `entities`: src/html-entities.ts (the browser's own decoder in browsers, the HTML table elsewhere).
// - `linkify-it`: src/linkify-replaced.ts; src/autolink-literals.ts links GFM's autolink literals.
// - `punycode.js`: src/punycode-replaced.ts; parser.ts's normalizeLink leaves host names to the URL parser.
// - `uc.micro`: src/unicode-classes.ts, the same classes as regular expression property escapes.
import { fileURLToPath } from 'node:url';

const replacements: Readonly<Record<string, string>> = {
  entities: '../src/html-entities.ts',
  'linkify-it': '../src/linkify-replaced.ts',
  'punycode.js': '../src/punycode-replaced.ts',
  'uc.micro': '../src/unicode-classes.ts',
};
const MARKDOWN_IT = /[\\/]node_modules[\\/](?:\.pnpm[\\/][^\\/]+[\\/]node_modules[\\/])?markdown-it[\\/]/;

/**
 * A Vite and Rolldown plugin: the packages above, imported from markdown-it, resolve to ours.
 * @example
 * ```js
 * export default defineConfig({ plugins: [markdownItDependencies()] });
 * ```
 */
export function markdownItDependencies() {
  return {
    name: 'resumable:markdown-it-dependencies',
    enforce: 'pre' as const,
    resolveId(source: string, importer: string | undefined): string | null {
      const replacement = Object.hasOwn(replacements, source) ? replacements[source] : undefined;
      if (replacement === undefined || !importer || !MARKDOWN_IT.test(importer)) return null;
      return fileURLToPath(new URL(replacement, import.meta.url));
    },
  };
}
