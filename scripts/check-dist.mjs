// Checks the built packages/react as a Next.js App Router user meets it: the client entries keep
// `'use client'`, and `@resumable/react/server` loads under the `react-server` condition (where React
// has no createContext or hooks); and every package's tarball has a LICENSE, a `repository` and no
// stories, story fixtures or test helpers. Run after `pnpm build`.
import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';

const dist = new URL('../packages/react/dist/', import.meta.url);
const failures = [];
for (const entry of ['index.js', 'hooks.js', 'streaming-message.js']) {
  const first = readFileSync(new URL(entry, dist), 'utf8').split('\n', 1)[0];
  if (!/^["']use client["'];?$/.test(first)) failures.push(`dist/${entry} does not start with 'use client'`);
}
if (/use client/.test(readFileSync(new URL('server.js', dist), 'utf8'))) {
  failures.push("dist/server.js must not be a client module ('use client')");
}
try {
  execFileSync(
    process.execPath,
    [
      '--conditions=react-server',
      '--input-type=module',
      '-e',
      "const m = await import('@resumable/react/server'); if (m.seedToMessage({ text: 'x' }).status !== 'complete') process.exit(1);",
    ],
    { cwd: new URL('../packages/react/', import.meta.url), stdio: 'pipe' },
  );
} catch (error) {
  failures.push(`@resumable/react/server does not load under react-server: ${error.stderr ?? error}`);
}
const packages = new URL('../packages/', import.meta.url);
const NOT_SHIPPED = /\.(test|stories)\.|(^|\/)story-|(^|\/)test-utils\/|^test\//;
for (const name of readdirSync(packages)) {
  const dir = new URL(`${name}/`, packages);
  const pkg = JSON.parse(readFileSync(new URL('package.json', dir), 'utf8'));
  if (!pkg.repository?.url) failures.push(`${pkg.name}: no repository field`);
  const [packed] = JSON.parse(execFileSync('npm', ['pack', '--dry-run', '--json'], { cwd: dir, encoding: 'utf8' }));
  const files = packed.files.map((file) => file.path);
  if (!files.includes('LICENSE')) failures.push(`${pkg.name}: no LICENSE in the tarball`);
  for (const file of files.filter((path) => NOT_SHIPPED.test(path))) failures.push(`${pkg.name}: ships ${file}`);
}
if (failures.length > 0) {
  console.error(failures.join('\n'));
  process.exit(1);
}
console.log(
  'packages: react client entries keep "use client", ./server loads under react-server; tarballs have LICENSE and repository, no stories or test helpers',
);
