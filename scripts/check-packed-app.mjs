// Adopts the kit as an outside app would: packs every package (after `pnpm build`), installs the
// tarballs with npm into a fresh Vite React app outside the workspace, typechecks it (strict,
// `nodenext`) with each README's opening example beside it (and every example of the react README), and
// builds it with Vite. Needs the npm registry for react, ably, vite and typescript.
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const rootPkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));
const app = mkdtempSync(join(tmpdir(), 'resumable-packed-app-'));
const run = (command, args, cwd) =>
  execFileSync(command, args, { cwd, stdio: ['ignore', 'pipe', 'inherit'], encoding: 'utf8' });

try {
  const tarballs = join(app, 'tarballs');
  mkdirSync(tarballs);
  for (const name of readdirSync(join(root, 'packages'))) {
    // pnpm pack rewrites `workspace:` ranges to the versions an npm user gets.
    run('pnpm', ['pack', '--pack-destination', tarballs], join(root, 'packages', name));
  }
  const packed = readdirSync(tarballs).map((file) => `./tarballs/${file}`);
  // The `source` condition points the workspace at src; in a tarball it would send an app whose tools
  // use that condition (a common monorepo setting) to TypeScript sources built with our settings.
  for (const file of readdirSync(tarballs)) {
    const manifest = run('tar', ['-xzf', join(tarballs, file), '-O', 'package/package.json'], app);
    if (manifest.includes('"source"')) throw new Error(`${file}: package.json still has a "source" export condition`);
  }

  const dev = rootPkg.devDependencies;
  writeFileSync(
    join(app, 'package.json'),
    `${JSON.stringify({ name: 'packed-app', private: true, type: 'module' }, null, 2)}\n`,
  );
  writeFileSync(
    join(app, 'tsconfig.json'),
    `${JSON.stringify(
      {
        compilerOptions: {
          strict: true,
          module: 'nodenext',
          moduleResolution: 'nodenext',
          target: 'ES2022',
          lib: ['ES2023', 'DOM', 'DOM.Iterable'],
          jsx: 'react-jsx',
          noEmit: true,
          skipLibCheck: true,
          types: ['node'],
        },
        include: ['src'],
      },
      null,
      2,
    )}\n`,
  );
  mkdirSync(join(app, 'src'));
  writeFileSync(
    join(app, 'index.html'),
    '<!doctype html><div id="root"></div><script type="module" src="/src/main.tsx"></script>\n',
  );
  writeFileSync(
    join(app, 'src', 'main.tsx'),
    `import * as Ably from 'ably';
import { AblyProvider } from 'ably/react';
import { createRoot } from 'react-dom/client';
import { type ResumableError, type SeedResponse, StreamingMessage, useChannelHydration } from '@resumable/react';
import { ResponseStoreProvider, useStreamedResponse } from '@resumable/react/hooks';
import { seedToMessage } from '@resumable/react/server';
import '@resumable/react/styles.css';

const client = new Ably.Realtime({ authUrl: '/api/ably-token', autoConnect: false });
const seed: SeedResponse[] = [{ responseId: 'r1', text: '**Hello**', createdAt: 0 }];

function Latest() {
  const { text, status } = useStreamedResponse({ responseId: 'r1' });
  return <StreamingMessage text={text} status={status} />;
}

function Conversation() {
  const { responses, error, store } = useChannelHydration({ channelName: 'ai:1', strategy: 'history', seed });
  const failure: ResumableError | undefined = error;
  return (
    <section>
      {failure ? <p role="alert">{failure.hint}</p> : null}
      <StreamingMessage response={seedToMessage(seed[0]!)} />
      {responses.map((response) => <StreamingMessage key={response.id} response={response} />)}
      <ResponseStoreProvider store={store}>
        <Latest />
      </ResponseStoreProvider>
    </section>
  );
}

createRoot(document.getElementById('root')!).render(
  <AblyProvider client={client}>
    <Conversation />
  </AblyProvider>,
);
`,
  );
  let readmeExamples = 0;
  for (const name of readdirSync(join(root, 'packages'))) {
    const readme = readFileSync(join(root, 'packages', name, 'README.md'), 'utf8');
    const examples = [...readme.matchAll(/```(tsx?)\n([\s\S]*?)```/g)];
    for (const [i, [, lang, code]] of (name === 'react' ? examples : examples.slice(0, 1)).entries()) {
      writeFileSync(
        join(app, 'src', `readme-${name}-${i}.${lang}`),
        code.includes('export ') ? code : `${code}export {};\n`,
      );
      readmeExamples += 1;
    }
  }
  const registry = [
    'react',
    'react-dom',
    'ably',
    '@types/react',
    '@types/react-dom',
    'typescript',
    'vite',
    '@vitejs/plugin-react',
  ];
  run(
    'npm',
    [
      'install',
      '--no-audit',
      '--no-fund',
      '--prefer-offline',
      ...packed,
      ...registry.map((name) => `${name}@${dev[name]}`),
    ],
    app,
  );
  writeFileSync(
    join(app, 'vite.config.js'),
    "import react from '@vitejs/plugin-react';\nimport { defineConfig } from 'vite';\n\nexport default defineConfig({ plugins: [react()], build: { chunkSizeWarningLimit: 2048 } });\n",
  );
  run(join(app, 'node_modules', '.bin', 'tsc'), ['-p', '.'], app);
  run(join(app, 'node_modules', '.bin', 'vite'), ['build', '--logLevel', 'warn'], app);
  // What a server component may import, from the installed tarball, with React's server build.
  run(
    process.execPath,
    ['--conditions=react-server', '--input-type=module', '-e', "await import('@resumable/react/server')"],
    app,
  );
  console.log(
    `packed app: ${packed.length} tarballs installed with npm, typechecked (nodenext) with ${readmeExamples} README examples, built with Vite; ./server loads under react-server`,
  );
} finally {
  rmSync(app, { recursive: true, force: true });
}
