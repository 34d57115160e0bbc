import * as Ably from 'ably';
import { type AgentServer, startAgentServer } from './agent-server.js';
import { type Backend, startBackend } from './backend.js';
import { ConversationRecords } from './conversation-records.js';
import { openDatabase, type SqlDatabase } from './database.js';

/** The agent server on a fresh emulator and an in-memory database, with clients as the tests need them. */
export interface TestServer {
  readonly backend: Backend;
  readonly server: AgentServer;
  /** A request to the agent server's API (JSON when there is a body). */
  api(path: string, init?: RequestInit): Promise<Response>;
  /** A client that authenticates the way the browser does: a token request signed by the agent server. */
  browserClient(channelName: string, clientId?: string): Ably.Realtime;
  /** A client with the agent's key (it can publish), standing for the agent or another browser. */
  keyClient(): Ably.Realtime;
  close(): Promise<void>;
}

export async function startTestServer(): Promise<TestServer> {
  const backend = await startBackend({});
  const db: SqlDatabase = await openDatabase();
  const server = await startAgentServer({
    ...backend,
    backend: backend.kind,
    records: await ConversationRecords.open(db),
  });
  const clients: Ably.Realtime[] = [];
  const api = (path: string, init?: RequestInit) =>
    fetch(`${server.url}${path}`, { ...init, headers: init?.body ? { 'content-type': 'application/json' } : {} });
  return {
    backend,
    server,
    api,
    browserClient(channelName, clientId = 'ann') {
      const client = new Ably.Realtime({
        ...backend.browserAblyOptions,
        logLevel: 0,
        authCallback: (_params, callback) => {
          api(`/api/token?channel=${encodeURIComponent(channelName)}&clientId=${clientId}`)
            .then((res) => res.json())
            .then(
              (tokenRequest: Ably.TokenRequest) => callback(null, tokenRequest),
              (error) => callback(String(error), null),
            );
        },
      });
      clients.push(client);
      return client;
    },
    keyClient() {
      const client = new Ably.Realtime({ ...backend.agentAblyOptions, logLevel: 0 });
      clients.push(client);
      return client;
    },
    async close() {
      for (const client of clients) client.close();
      await server.close();
      await backend.stop();
      await db.close();
    },
  };
}
