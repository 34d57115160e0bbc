// markdown-it imports four packages this kit does not need in its bundle; this plugin points those
// imports at small modules of ours. Used by the package build, where markdown-it is bundled, and by
// the markdown test projects, so tests run what ships.
// - `entities`: src/html-entities.ts (the browser's own decoder in browsers, the HTML table elsewhere).
// - `linkify-it`: src/linkify-replaced.ts; src/autolink-literals.ts links GFM's autolink literals.
// - `punycode.js`: src/punycode-replaced.ts; parser.ts's normalizeLink leaves host names to the URL parser.
// - `uc.micro`: src/unicode-classes.ts, the same classes as regular expression property escapes.
// It also turns markdown-it 15's lowered class fields (`_defineProperty(this, "map", null)`, a generic
// helper called for every field of every token and parser state: a third of the time of parsing a long
// paragraph) back into plain assignments where the value is a literal. The same fields, the same values:
// none of these classes has an accessor that a field's definition would have had to override.
import { fileURLToPath } from 'node:url';

const replacements: Readonly<Record<string, string>> = {
  entities: '../src/html-entities.ts',
  'linkify-it': '../src/linkify-replaced.ts',
  'punycode.js': '../src/punycode-replaced.ts',
  'uc.micro': '../src/unicode-classes.ts',
};
const LITERAL_FIELD =
  /_defineProperty\(\s*this,\s*(?:\/\*[\s\S]*?\*\/\s*)?"([A-Za-z_$][\w$]*)",\s*(null|-?\d+|""|"\w+"|false|true|\[\]|\{\}|Token)\s*\)/g;
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
    transform(code: string, id: string): string | null {
      if (!MARKDOWN_IT.test(id) || !code.includes('_defineProperty(this')) return null;
      const fast = code.replace(LITERAL_FIELD, 'this.$1 = $2');
      // A markdown-it release that lowers its fields another way must be looked at, not shipped slow.
      const token = fast.slice(fast.indexOf('var Token = class'), fast.indexOf('attrIndex(name)'));
      if (!token || token.includes('_defineProperty(')) throw new Error(`${id}: Token's fields are not plain any more`);
      return fast;
    },
  };
}
