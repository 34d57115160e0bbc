/**
 * `pnpm dev`: the emulator (or Ably's cloud with ABLY_API_KEY), the agent server and the Vite app
 * behind one URL.
 */
import { fileURLToPath } from 'node:url';
import { createServer as createViteServer, type ViteDevServer } from 'vite';
import { type AgentServer, startAgentServer } from './agent-server.js';
import { startBackend } from './backend.js';
import { ConversationRecords } from './conversation-records.js';
import { demoDataDir } from './data-dir.js';
import { openDatabase } from './database.js';
import { realModelFromEnv } from './real-model.js';
import { demoRoot, servedRoots } from './served-roots.js';

const root = fileURLToPath(new URL('..', import.meta.url));

async function main() {
  const backend = await startBackend(process.env);
  // A Postgres server with DATABASE_URL, otherwise PGlite in the state directory (no setup).
  const db = await openDatabase({
    url: process.env.DATABASE_URL,
    // Outside every directory that is served, so no page can fetch the stored conversations.
    dataDir: process.env.DATABASE_URL ? undefined : demoDataDir(process.env, [demoRoot, ...servedRoots]),
  });
  const records = await ConversationRecords.open(db);
  const model = realModelFromEnv(process.env);
  let vite: ViteDevServer | undefined;
  const serverOptions = {
    ...backend,
    backend: backend.kind,
    records,
    model,
    host: process.env.HOST ?? '127.0.0.1',
    app: (req: Parameters<ViteDevServer['middlewares']>[0], res: Parameters<ViteDevServer['middlewares']>[1]) => {
      if (vite) vite.middlewares(req, res);
      else res.writeHead(503).end('starting');
    },
  };
  let agent: AgentServer;
  try {
    agent = await startAgentServer({ ...serverOptions, port: Number(process.env.PORT ?? 5173) });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EADDRINUSE') throw error;
    agent = await startAgentServer({ ...serverOptions, port: 0 });
  }
  vite = await createViteServer({
    root,
    configFile: `${root}vite.config.ts`,
    server: { middlewareMode: true, hmr: { server: agent.server } },
    appType: 'spa',
    logLevel: 'warn',
  });

  const via = backend.kind === 'emulator' ? 'the local Ably emulator' : "Ably's cloud";
  const kept = db.kind === 'postgres' ? 'Postgres (DATABASE_URL)' : 'embedded PGlite';
  console.log(`\n  Resumable demo (${model?.label ?? 'simulated model'}, ${via}, ${kept}):  ${agent.url}\n`);

  let stopping = false;
  const stop = async () => {
    if (stopping) return process.exit(1);
    stopping = true;
    await vite?.close();
    await agent.close();
    await backend.stop();
    await db.close();
    process.exit(0);
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
