import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createServer as createViteServer, type ViteDevServer } from 'vite';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { demoDataDir } from './data-dir.js';
import { demoRoot, servedRoots } from './served-roots.js';

// What the demo's dev server (Vite, as `pnpm dev` runs it) hands out: the app's sources, never the
// stored conversations, the repository's other files or test files, and nothing readable by another
// origin (no CORS).

const repo = join(demoRoot, '..', '..');
let vite: ViteDevServer;
let server: Server;
let base: string;
let stateHome: string;

beforeAll(async () => {
  stateHome = await mkdtemp(join(tmpdir(), 'resumable-demo-state-'));
  const dataDir = demoDataDir({ XDG_STATE_HOME: stateHome }, [demoRoot, ...servedRoots]);
  await mkdir(dataDir, { recursive: true });
  await writeFile(join(dataDir, 'conversations.json'), '{"secret":"stored conversation"}');
  vite = await createViteServer({
    root: demoRoot,
    configFile: join(demoRoot, 'vite.config.ts'),
    server: { middlewareMode: true, hmr: false },
    appType: 'spa',
    logLevel: 'silent',
  });
  server = createServer(vite.middlewares);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}, 60_000);

afterAll(async () => {
  await new Promise((resolve) => server?.close(resolve));
  await vite?.close();
  await rm(stateHome, { recursive: true, force: true });
});

describe('the demo dev server', () => {
  it('serves the app’s own sources', async () => {
    const main = await fetch(`${base}/src/main.tsx`);
    expect(main.status).toBe(200);
    expect(await main.text()).toContain('createRoot');
  });

  it('refuses the stored conversations, the repository’s other files and test files', async () => {
    const dataFile = join(demoDataDir({ XDG_STATE_HOME: stateHome }, []), 'conversations.json');
    const refused = [
      `/@fs${dataFile}`,
      `/@fs${join(repo, 'package.json')}`,
      `/@fs${join(repo, 'pnpm-lock.yaml')}`,
      `/@fs${join(demoRoot, 'server', 'backend.ts')}`,
      `/@fs${join(repo, 'packages', 'core', 'src', 'inbound-hardening.test.ts')}`,
      '/server/backend.ts',
      '/package.json',
      '/vite.config.ts',
    ];
    for (const path of refused) {
      const answer = await fetch(`${base}${path}`);
      const text = await answer.text();
      expect([path, answer.status]).toEqual([path, 403]);
      expect(text).not.toContain('stored conversation');
    }
  });

  it('sends no CORS headers to another origin', async () => {
    const answer = await fetch(`${base}/src/main.tsx`, { headers: { origin: 'http://127.0.0.1:1' } });
    expect(answer.headers.get('access-control-allow-origin')).toBeNull();
    const preflight = await fetch(`${base}/src/main.tsx`, {
      method: 'OPTIONS',
      headers: { origin: 'http://127.0.0.1:1', 'access-control-request-method': 'GET' },
    });
    expect(preflight.headers.get('access-control-allow-origin')).toBeNull();
  });
});

describe('the data directory', () => {
  it('defaults to the user’s state directory, outside every served root', () => {
    const dir = demoDataDir({ XDG_STATE_HOME: '/home/ann/.local/state' }, [demoRoot, ...servedRoots]);
    expect(dir).toBe('/home/ann/.local/state/resumable-demo/db');
  });

  it('refuses a DEMO_DATA_DIR inside a served root, with the fix', () => {
    for (const inside of [join(demoRoot, 'src', 'db'), join(demoRoot, '.data'), demoRoot]) {
      expect(() => demoDataDir({ DEMO_DATA_DIR: inside }, [demoRoot, ...servedRoots])).toThrow(
        expect.objectContaining({ code: 40003, hint: expect.stringContaining('outside the repository') }),
      );
    }
    expect(demoDataDir({ DEMO_DATA_DIR: join(tmpdir(), 'demo-db') }, [demoRoot])).toBe(join(tmpdir(), 'demo-db'));
  });
});
