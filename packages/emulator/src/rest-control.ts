/**
 * The control endpoint: the emulator's faults, connections and allowed origins over HTTP, for test
 * runners and demos in other processes. Only loopback peers with the control token get in, and no page
 * ever does.
 *
 * @module
 */
import { admitControlRequest } from './control-auth.js';
import { errors } from './errors.js';
import type { RestContext } from './rest.js';
import { readBody, send } from './rest-io.js';

/**
 * `/_emulator/*`, for programs on this machine that hold the control token: list connections, allow a
 * page origin, and inject faults (`segments` is the path after `_emulator`).
 *
 * @throws EmulatorError 40300 for a request that is not from loopback (or from a page), 40101 without the
 *   token, 40400 for an unknown path or fault, 40003 for bad fault parameters
 * @example
 * ```ts
 * await controlRoute(ctx, 'POST', ['faults', 'drop']); // body {"connectionId": "…"} or none for all
 * ```
 */
export async function controlRoute(ctx: RestContext, method: string, segments: string[]): Promise<void> {
  const { server, req } = ctx;
  admitControlRequest(req, server.controlToken, server.isLoopback(req));
  if (method === 'GET' && segments[0] === 'connections') {
    send(
      ctx,
      200,
      [...server.connections.values()].map((c) => ({
        id: c.id,
        clientId: c.clientId,
        format: c.format,
        connected: c.socket !== undefined,
        channels: [...c.attachments.keys()],
      })),
    );
    return;
  }
  if (method === 'POST' && segments[0] === 'origins' && segments.length === 1) {
    const raw = await readBody(ctx);
    const origin = (raw as { origin?: unknown } | undefined)?.origin;
    if (typeof origin !== 'string') {
      throw errors.invalidParam('Body must be {"origin": "http://localhost:5173"}: the page origin to allow');
    }
    server.allowOrigin(origin);
    send(ctx, 200, { allowedOrigins: server.allowedOrigins() });
    return;
  }
  if (method !== 'POST' || segments[0] !== 'faults' || segments.length !== 2) {
    throw errors.notFound(
      'Control endpoint: GET /_emulator/connections, POST /_emulator/origins, POST /_emulator/faults/{drop|expire|cut-off|pause|delay|expire-tokens|restart}',
    );
  }
  const raw = await readBody(ctx, true);
  const body = (typeof raw === 'object' && raw !== null ? raw : {}) as {
    connectionId?: unknown;
    ms?: unknown;
    keepConnections?: unknown;
    expire?: unknown;
  };
  const connectionId = typeof body.connectionId === 'string' ? body.connectionId : undefined;
  // The faults check "ms" themselves: a number of milliseconds from 0 to 600000.
  const ms = () => body.ms as number;
  switch (segments[1]) {
    case 'drop':
      send(ctx, 200, { affected: server.faults.dropConnections(connectionId) });
      return;
    case 'expire':
      send(ctx, 200, { affected: server.faults.expireConnections(connectionId) });
      return;
    case 'cut-off':
      if (body.connectionId !== undefined && typeof body.connectionId !== 'string') {
        // Not "every connection": a malformed id must not widen the fault.
        throw errors.invalidParam('"connectionId" must be a string; leave it out to cut off every connection');
      }
      send(ctx, 200, {
        // cutOff validates ms (a number from 0 to 600000) and the connection id.
        affected: server.faults.cutOff(connectionId, body.ms as number, { expire: body.expire === true }),
      });
      return;
    case 'pause':
      server.faults.pauseDelivery(ms());
      send(ctx, 200, { ok: true });
      return;
    case 'delay':
      server.faults.delayDelivery(ms());
      send(ctx, 200, { ok: true });
      return;
    case 'expire-tokens':
      send(ctx, 200, { affected: server.faults.expireTokens() });
      return;
    case 'restart':
      send(ctx, 200, { ok: true });
      {
        // Restart once the answer is out (the restart closes this connection too).
        const restart = () =>
          setImmediate(() => {
            server
              .restart({ keepConnections: body.keepConnections === true })
              .catch((error) => server.log(`restart failed: ${(error as Error).message}`));
          });
        if (ctx.res.writableFinished) restart();
        else ctx.res.once('finish', restart);
      }
      return;
    default:
      throw errors.notFound(
        `Unknown fault "${segments[1]}": use drop, expire, cut-off, pause, delay, expire-tokens or restart`,
      );
  }
}
