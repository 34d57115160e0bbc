/**
 * What the server does with each protocol message a realtime client sends, once decoded: heartbeats,
 * CLOSE and DISCONNECT, ATTACH/DETACH, MESSAGE, PRESENCE, SYNC and in-band AUTH. Publishes and presence
 * are answered with ACK/NACK through the connection's ledger (`ack-ledger.ts`).
 *
 * @module
 */
import { attachChannel, detachChannel } from './attachment.js';
import type { Credentials } from './auth.js';
import { checkReauthClientId } from './client-id-rules.js';
import { Action, type ProtocolMessage } from './codec.js';
import type { Connection } from './connection.js';
import { EmulatorError, errors, toEmulatorError } from './errors.js';
import { answerSyncRequest, applyClientPresence } from './realtime-presence.js';
import { publishFromConnection } from './realtime-publish.js';

/**
 * Handle one protocol message from the client; returns a promise when the handling is asynchronous
 * (the connection handles the next frames only once it settles, to keep them in order).
 *
 * @throws EmulatorError for a message the connection answers with an ERROR on its channel
 * @example
 * ```ts
 * const pending = handleClientAction(connection, { action: Action.ATTACH, channel: 'ai:chat' });
 * ```
 */
export function handleClientAction(connection: Connection, pm: ProtocolMessage): Promise<void> | undefined {
  switch (pm.action) {
    case Action.HEARTBEAT: {
      const reply: ProtocolMessage = { action: Action.HEARTBEAT };
      if (pm.id !== undefined) reply.id = pm.id;
      connection.send(reply);
      return;
    }
    case Action.CLOSE:
      connection.send({ action: Action.CLOSED });
      connection.close();
      return;
    case Action.DISCONNECT:
      connection.disconnect();
      return;
    case Action.ATTACH:
      attachChannel(connection, pm);
      return;
    case Action.DETACH:
      detachChannel(connection, pm);
      return;
    case Action.MESSAGE:
      acknowledge(connection, pm, () => publishFromConnection(connection, pm));
      return;
    case Action.PRESENCE:
      acknowledge(connection, pm, () => applyClientPresence(connection, pm));
      return;
    case Action.SYNC:
      answerSyncRequest(connection, pm);
      return;
    case Action.ANNOTATION:
      acknowledge(connection, pm, () => {
        throw new EmulatorError(40000, 400, 'Annotations are not implemented by the emulator');
      });
      return;
    case Action.AUTH:
      return reauthorize(connection, pm);
    default:
      // Unknown or server-only actions are ignored, as the SDK does with unknown actions.
      connection.hub.log(`${connection.id} ignored action ${pm.action}`);
      return;
  }
}

/** Run `work` once per msgSerial and send its ACK/NACK in order; resent msgSerials get the original answer. */
function acknowledge(connection: Connection, pm: ProtocolMessage, work: () => Array<string | null>): void {
  const reply = connection.acks.answer(pm, work, (error) => {
    if (connection.hub.logging) connection.hub.log(`${connection.id} NACK ${error.code}: ${error.message}`);
  });
  if (reply) connection.send(reply);
}

/**
 * In-band AUTH: a renewed token for the same key and clientId replaces the credentials (CONNECTED with
 * the new details follows). A token error (4014x) disconnects so the client renews and resumes; any
 * other failure ends the connection.
 */
async function reauthorize(connection: Connection, pm: ProtocolMessage): Promise<void> {
  const token = pm.auth?.accessToken;
  let credentials: Credentials;
  try {
    if (typeof token !== 'string' || token === '') throw errors.badRequest('AUTH needs auth.accessToken');
    credentials = await connection.hub.auth.authenticateToken(token);
    if (credentials.keyName !== connection.credentials.keyName && connection.credentials.kind !== 'basic') {
      throw new EmulatorError(40102, 401, 'New token is for a different key than the connection');
    }
    checkReauthClientId(connection.clientId, credentials.clientId);
  } catch (error) {
    const err = toEmulatorError(error);
    if (err.code >= 40140 && err.code < 40150) {
      connection.send({ action: Action.ERROR, error: err.toWire() });
      connection.disconnect();
    } else {
      connection.fatal(err);
    }
    return;
  }
  connection.renewCredentials(credentials);
}
