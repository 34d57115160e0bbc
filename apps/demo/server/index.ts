/**
 * `pnpm dev`: the emulator (or Ably's cloud with ABLY_API_KEY), the agent server and the Vite app
 * behind one URL.
 */
import { homedir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createServer as createViteServer, type ViteDevServer } from 'vite';
import { type AgentServer, startAgentServer } from './agent-server.js';
import { startBackend } from './backend.js';
import { ConversationStore } from './conversation-store.js';
import { realModelFromEnv } from './real-model.js';

const root = fileURLToPath(new URL('..', import.meta.url));

/**
 * Where conversations are kept: outside the repository and every directory Vite serves (the user's
 * state directory), so no page can fetch them.
 */
function defaultDataFile(env: NodeJS.ProcessEnv): string {
  return join(env.XDG_STATE_HOME ?? join(homedir(), '.local', 'state'), 'resumable-demo', 'conversations.json');
}

async function main() {
  const backend = await startBackend(process.env);
  const store = await ConversationStore.open(process.env.DEMO_DATA_FILE ?? defaultDataFile(process.env));
  const model = realModelFromEnv(process.env);
  let vite: ViteDevServer | undefined;
  const serverOptions = {
    ...backend,
    backend: backend.kind,
    store,
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
  console.log(`\n  Resumable demo (${model?.label ?? 'simulated model'}, ${via}):  ${agent.url}\n`);

  let stopping = false;
  const stop = async () => {
    if (stopping) return process.exit(1);
    stopping = true;
    await vite?.close();
    await agent.close();
    await backend.stop();
    process.exit(0);
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
