import { createReadStream } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { extname, join, normalize } from 'node:path';
import { fileURLToPath } from 'node:url';
import react from '@vitejs/plugin-react';
import { type AliasOptions, build, defaultClientConditions } from 'vite';

const MIME: Record<string, string> = { '.html': 'text/html', '.js': 'text/javascript', '.css': 'text/css' };

/** Serve a built bench page from `dir` on a free loopback port; `/` answers with `indexFile`. */
function serveStatic(dir: string, indexFile: string): Promise<Server> {
  const server = createServer((req, res) => {
    // Strip leading `../` so a request cannot leave `dir`.
    const path = normalize(decodeURIComponent(new URL(req.url ?? '/', 'http://x').pathname)).replace(
      /^(\.\.[/\\])+/,
      '',
    );
    const file = join(dir, path === '/' ? indexFile : path);
    res.setHeader('content-type', MIME[extname(file)] ?? 'application/octet-stream');
    createReadStream(file)
      .on('error', () => {
        res.statusCode = 404;
        res.end();
      })
      .pipe(res);
  });
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve(server)));
}

/** A bench page built and served on loopback; `close` stops the server and removes the build. */
export interface BenchPage {
  readonly url: string;
  close(): Promise<void>;
}

/**
 * Build `bench/<htmlFile>` with Vite (production React, workspace packages from source) into a
 * temporary directory and serve it on a free loopback port.
 */
export async function serveBenchPage(htmlFile: string, alias: AliasOptions = []): Promise<BenchPage> {
  const here = fileURLToPath(new URL('.', import.meta.url));
  const outDir = await mkdtemp(join(tmpdir(), 'bench-page-'));
  await build({
    root: here,
    configFile: false,
    logLevel: 'warn',
    mode: 'production',
    plugins: [react()],
    resolve: { conditions: ['source', ...defaultClientConditions], alias },
    build: {
      outDir,
      emptyOutDir: true,
      rollupOptions: { input: join(here, htmlFile) },
      reportCompressedSize: false,
      chunkSizeWarningLimit: 5000,
    },
  });
  const server = await serveStatic(outDir, htmlFile);
  return {
    url: `http://127.0.0.1:${(server.address() as { port: number }).port}`,
    async close() {
      await new Promise((resolve) => server.close(resolve));
      await rm(outDir, { recursive: true, force: true });
    },
  };
}
