// Checks the built packages/react as a Next.js App Router user meets it: the client entries keep
// `'use client'`, and `@resumable/react/server` loads under the `react-server` condition (where React
// has no createContext or hooks). Run after `pnpm build`.
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';

const dist = new URL('../packages/react/dist/', import.meta.url);
const failures = [];
for (const entry of ['index.js', 'hooks.js']) {
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
if (failures.length > 0) {
  console.error(failures.join('\n'));
  process.exit(1);
}
console.log('packages/react dist: client entries keep "use client"; ./server loads under react-server');
