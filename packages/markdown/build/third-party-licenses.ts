// Writes dist/THIRD-PARTY-LICENSES.md: the licence of every package bundled into dist, so the
// tarball carries the notices their MIT licences ask for.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

function packageRoot(moduleId: string): string | undefined {
  const at = moduleId.lastIndexOf('/node_modules/');
  if (at < 0) return undefined;
  const rest = moduleId.slice(at + '/node_modules/'.length).split('/');
  const depth = rest[0]?.startsWith('@') ? 2 : 1;
  return join(moduleId.slice(0, at), 'node_modules', ...rest.slice(0, depth));
}

function licenceText(root: string): string {
  const file = readdirSync(root).find((name) => /^licen[cs]e/i.test(name));
  if (file) return readFileSync(join(root, file), 'utf8').trim();
  const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));
  throw new Error(`${pkg.name} has no licence file to ship (licence field: ${pkg.license ?? 'none'})`);
}

interface EmitContext {
  emitFile(file: { type: 'asset'; fileName: string; source: string }): string;
}

/**
 * A Rolldown plugin that emits `THIRD-PARTY-LICENSES.md` for the packages bundled into the output.
 * @example
 * ```js
 * export default defineConfig({ plugins: [thirdPartyLicenses()] });
 * ```
 */
export function thirdPartyLicenses() {
  return {
    name: 'resumable:third-party-licenses',
    generateBundle(this: EmitContext, _options: unknown, bundle: Record<string, { moduleIds?: readonly string[] }>) {
      const roots = new Set<string>();
      for (const output of Object.values(bundle)) {
        for (const id of output.moduleIds ?? []) {
          const root = packageRoot(id.replaceAll('\\', '/'));
          if (root && existsSync(join(root, 'package.json'))) roots.add(root);
        }
      }
      const sections = [...roots].sort().map((root) => {
        const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));
        return `## ${pkg.name} ${pkg.version} (${pkg.license})\n\n\`\`\`text\n${licenceText(root)}\n\`\`\``;
      });
      if (sections.length === 0) return;
      const source = `# Third-party licences\n\nThese packages are bundled into \`dist/\`.\n\n${sections.join('\n\n')}\n`;
      this.emitFile({ type: 'asset', fileName: 'THIRD-PARTY-LICENSES.md', source });
    },
  };
}
