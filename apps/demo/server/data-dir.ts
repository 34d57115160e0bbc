import { homedir } from 'node:os';
import { isAbsolute, join, relative, resolve } from 'node:path';
import { HttpError } from './http-utils.js';

/**
 * Where the embedded database keeps conversations: `DEMO_DATA_DIR`, else the user's state directory
 * (`$XDG_STATE_HOME/resumable-demo/db`, default `~/.local/state/resumable-demo/db`). It must lie outside
 * every directory the demo serves (`servedRoots`), so no page can fetch the stored conversations.
 *
 * @throws HttpError 40003 when the directory is inside a served root, naming the root and the fix
 * @example
 * ```ts
 * const dataDir = demoDataDir(process.env, servedRoots); // '/home/ann/.local/state/resumable-demo/db'
 * ```
 */
export function demoDataDir(env: NodeJS.ProcessEnv, servedRoots: readonly string[]): string {
  const dir = resolve(
    env.DEMO_DATA_DIR ?? join(env.XDG_STATE_HOME ?? join(homedir(), '.local', 'state'), 'resumable-demo', 'db'),
  );
  for (const root of servedRoots) {
    const inside = relative(resolve(root), dir);
    if (inside === '' || (!inside.startsWith('..') && !isAbsolute(inside))) {
      throw new HttpError(
        500,
        40003,
        `The demo's data directory ${dir} is inside ${root}, which the demo serves`,
        'Set DEMO_DATA_DIR to a directory outside the repository, or unset it for the default.',
      );
    }
  }
  return dir;
}
