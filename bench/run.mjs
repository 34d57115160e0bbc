// `pnpm bench <name> [args]`: runs bench/<name>.ts (or .mjs) with tsx; without a name, lists them.
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const [name, ...args] = process.argv.slice(2);
const available = readdirSync(here)
  .filter((f) => /\.(ts|tsx|mjs)$/.test(f) && f !== 'run.mjs' && !f.startsWith('_'))
  .map((f) => f.replace(/\.(ts|tsx|mjs)$/, ''));
if (!name || !available.includes(name)) {
  console.error(`usage: pnpm bench <name> [args]\navailable: ${available.join(', ') || '(none yet)'}`);
  process.exit(name ? 1 : 0);
}
const file = ['ts', 'tsx', 'mjs'].map((ext) => join(here, `${name}.${ext}`)).find(existsSync);
const result = spawnSync(process.execPath, ['--import', 'tsx', '--conditions=source', file, ...args], {
  stdio: 'inherit',
});
process.exit(result.status ?? 1);
