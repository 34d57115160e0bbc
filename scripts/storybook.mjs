// `pnpm storybook`: a local emulator on port 8788 for the hook stories, then Storybook itself.
// Extra arguments go to `storybook dev` (default `-p 6006`).
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
// One control token for the emulator and Storybook's server (which passes the stories' faults on), and
// a key of the emulator's own that only Storybook's server holds (it signs the stories' tokens).
const token = process.env.RESUMABLE_STORY_EMULATOR_TOKEN ?? randomBytes(24).toString('base64url');
const key =
  process.env.RESUMABLE_STORY_EMULATOR_KEY ??
  `stories.${randomBytes(6).toString('hex')}:${randomBytes(18).toString('base64url')}`;
const env = {
  ...process.env,
  STORYBOOK_DISABLE_TELEMETRY: '1',
  EMULATOR_PORT: '8788',
  EMULATOR_CONTROL_TOKEN: token,
  RESUMABLE_STORY_EMULATOR_TOKEN: token,
  RESUMABLE_STORY_EMULATOR_KEY: key,
};
const children = [];
const start = (command, args) => {
  const child = spawn(command, args, { cwd: root, env, stdio: 'inherit' });
  children.push(child);
  child.on('exit', (code) => {
    for (const other of children) if (other !== child && other.exitCode === null) other.kill('SIGTERM');
    process.exitCode = code ?? 0;
  });
  return child;
};
const stop = () => {
  for (const child of children) if (child.exitCode === null) child.kill('SIGTERM');
};
process.on('SIGINT', stop);
process.on('SIGTERM', stop);

start(process.execPath, [
  '--import',
  'tsx',
  '--conditions=source',
  join(root, 'packages/emulator/src/cli.ts'),
  '--port',
  '8788',
  '--key',
  key,
  '--quiet',
]);
const extra = process.argv.slice(2);
start(join(root, 'node_modules/.bin/storybook'), ['dev', ...(extra.length > 0 ? extra : ['-p', '6006'])]);
