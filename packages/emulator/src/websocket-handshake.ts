/**
 * What happens when a WebSocket connects: authenticate it (key or token, clientId rules), hold it while
 * the connection it resumes is cut off, then start a new connection or resume or recover an existing one
 * (a failed resume starts a new connection and says why in CONNECTED).
 *
 * @module
 */
import type { IncomingMessage } from 'node:http';
import type { WebSocket } from 'ws';
import type { Credentials } from './auth.js';
import { resolveClientId } from './client-id-rules.js';
import { encodeFrame, type Format } from './codec.js';
import { Connection } from './connection.js';
import type { EmulatorServer } from './emulator.js';
import { EmulatorError, errors, toEmulatorError } from './errors.js';

/**
 * Handle a new WebSocket: authenticate, then new connection, resume or recover. A refused attempt gets
 * an ERROR frame and is closed.
 *
 * @example
 * ```ts
 * wss.handleUpgrade(req, socket, head, (ws) => void acceptWebSocket(server, ws, req));
 * ```
 */
export async function acceptWebSocket(server: EmulatorServer, ws: WebSocket, req: IncomingMessage): Promise<void> {
  ws.on('error', () => {});
  const url = new URL(req.url ?? '/', 'http://emulator');
  const query = url.searchParams;
  const format: Format = query.get('format') === 'msgpack' ? 'msgpack' : 'json';
  const resumeKey = query.get('resume') ?? query.get('recover');
  const reject = (error: EmulatorError) => {
    server.log(`connection refused: ${error.code} ${error.message}`);
    ws.send(encodeFrame({ action: 9, error: error.toWire() }, format));
    ws.close();
  };
  let credentials: Credentials;
  let clientId: string | undefined;
  try {
    if (url.pathname !== '/') throw errors.badRequest(`WebSocket path must be "/" (got "${url.pathname}")`);
    const key = query.get('key');
    const token = query.get('access_token') ?? query.get('accessToken');
    if (key) credentials = server.auth.authenticateKey(key);
    else if (token) credentials = await server.auth.authenticateToken(token);
    else throw errors.badCredentials('No credentials: connect with key= or access_token=');
    server.admitCredentials(credentials, req);
    clientId = resolveClientId(credentials, query.get('clientId') ?? undefined);
  } catch (error) {
    reject(toEmulatorError(error));
    return;
  }
  if (ws.readyState !== ws.OPEN) return;
  // Only an authenticated attempt by the cut-off connection's own identity is held.
  const cutOffId = server.cutOffs.heldConnectionId(resumeKey, credentials.keyName, clientId);
  let replayEarlyFrames: (() => void) | undefined;
  if (cutOffId !== undefined) {
    replayEarlyFrames = await server.cutOffs.hold(ws, cutOffId);
    if (!replayEarlyFrames) return;
    if (server.auth.isExpired(credentials)) {
      reject(errors.tokenExpired('Token expired while the connection was cut off; renew it and reconnect'));
      return;
    }
  }
  let connection: Connection | undefined;
  let resumeError: EmulatorError | undefined;
  if (resumeKey) {
    if (!/^[A-Za-z0-9]+![A-Za-z0-9]+-\d+$/.test(resumeKey)) {
      resumeError = new EmulatorError(80018, 400, `Invalid connection key "${resumeKey}"`);
    } else {
      // Only live state can be resumed: a destroyed connection (closed) is as good as unknown.
      const known = server.connectionForKey(resumeKey);
      if (!known) {
        resumeError = new EmulatorError(80008, 400, 'Unable to recover connection (connection expired)');
      } else if (known.credentials.keyName !== credentials.keyName || known.clientId !== clientId) {
        resumeError = new EmulatorError(80011, 400, 'Unable to recover connection: credentials or clientId changed');
      } else {
        connection = known;
      }
    }
  }
  const isNew = !connection;
  if (!connection) {
    connection = new Connection(server, credentials);
    server.connections.set(connection.id, connection);
  }
  connection.credentials = credentials;
  connection.clientId = clientId;
  connection.configure(query, format);
  connection.adopt(ws, resumeError);
  replayEarlyFrames?.();
  server.log(
    `${connection.id} ${isNew ? 'connected' : query.get('resume') ? 'resumed' : 'recovered'} (${format}, ${credentials.kind} ${credentials.keyName}${clientId ? `, clientId ${clientId}` : ''})${resumeError ? ` after failed resume: ${resumeError.code}` : ''}`,
  );
}
