#!/usr/bin/env node
import { parseArgs } from 'node:util';
import { CONTROL_TOKEN_HEADER } from './control-auth.js';
import { DEFAULT_KEY, startEmulator } from './emulator.js';

const usage = `Usage: resumable-emulator [--port 8787] [--host 127.0.0.1] [--key appId.keyId:secret]...
                          [--allow-origin http://localhost:5173]... [--control-token token]
                          [--namespace name[:mutable]]... [--connection-state-ttl ms]
                          [--max-message-size bytes] [--append-rollup-window ms] [--quiet]

A local Ably-compatible server (WebSocket realtime + REST on one port) for development and tests.
The namespace "ai" has mutable messages (updates, deletes, appends) on by default.
Web pages may only use it from the origins given with --allow-origin (none by default: this
emulator cannot tell your dev server's page from any other on this machine; programs such as the
Node SDK are not affected), and only with tokens a program signed: the built-in key is refused from
web pages. The fault endpoint /_emulator/* needs the control token (random per process unless
--control-token or EMULATOR_CONTROL_TOKEN sets it) and refuses web pages.`;

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      port: { type: 'string', default: process.env.EMULATOR_PORT ?? '8787' },
      host: { type: 'string', default: '127.0.0.1' },
      key: { type: 'string', multiple: true },
      'allow-origin': { type: 'string', multiple: true },
      'control-token': { type: 'string' },
      namespace: { type: 'string', multiple: true },
      'connection-state-ttl': { type: 'string' },
      'max-message-size': { type: 'string' },
      'append-rollup-window': { type: 'string' },
      quiet: { type: 'boolean', default: false },
      help: { type: 'boolean', short: 'h', default: false },
    },
  });
  if (values.help) {
    console.log(usage);
    return;
  }
  const number = (name: string, raw: string | undefined): number | undefined => {
    if (raw === undefined) return undefined;
    const value = Number(raw);
    if (!Number.isFinite(value) || value < 0) throw new Error(`--${name} must be a non-negative number (got "${raw}")`);
    return value;
  };
  const namespaces: Record<string, { mutableMessages: boolean }> = {};
  for (const entry of values.namespace ?? []) {
    const [name, flag] = entry.split(':');
    if (!name) throw new Error(`--namespace needs a name, e.g. --namespace chat:mutable (got "${entry}")`);
    namespaces[name] = { mutableMessages: flag === 'mutable' };
  }
  const options: Parameters<typeof startEmulator>[0] = {
    port: number('port', values.port) ?? 8787,
    host: values.host,
    keys: values.key && values.key.length > 0 ? values.key : [DEFAULT_KEY],
    namespaces,
    log: !values.quiet,
    allowedOrigins: values['allow-origin'] ?? [],
  };
  const controlToken = values['control-token'] ?? process.env.EMULATOR_CONTROL_TOKEN;
  if (controlToken) options.controlToken = controlToken;
  const ttl = number('connection-state-ttl', values['connection-state-ttl']);
  if (ttl !== undefined) options.connectionStateTtl = ttl;
  const size = number('max-message-size', values['max-message-size']);
  if (size !== undefined) options.maxMessageSize = size;
  const rollup = number('append-rollup-window', values['append-rollup-window']);
  if (rollup !== undefined) options.appendRollupWindow = rollup;

  const emulator = await startEmulator(options);
  const clientOptions = emulator.clientOptions();
  console.log(`Resumable emulator listening on ${emulator.httpUrl} (WebSocket ${emulator.wsUrl})

Client options for the ably SDK:
  new Ably.Realtime(${JSON.stringify({ ...clientOptions, useBinaryProtocol: undefined }, null, 2).replace(/\n/g, '\n  ')})
  (add useBinaryProtocol: true for msgpack. Browsers: the built-in key is refused from web pages; give
  them authUrl or authCallback, answered by your server with key.auth.createTokenRequest)

Pages allowed: ${emulator.allowedOrigins().join(', ') || 'none (add --allow-origin http://localhost:5173)'}

Control token: ${emulator.controlToken}
Faults (loopback, not from web pages): curl -X POST ${emulator.httpUrl}/_emulator/faults/{drop|expire|cut-off|pause|delay|expire-tokens|restart} \\
  -H 'content-type: application/json' -H '${CONTROL_TOKEN_HEADER}: ${emulator.controlToken}' -d '{"connectionId":"…","ms":1000}'
`);
  const shutdown = () => {
    emulator.stop().then(() => process.exit(0));
  };
  process.on('SIGINT', shutdown);
  process.on('SIGTERM', shutdown);
}

main().catch((error: Error) => {
  console.error(`resumable-emulator: ${error.message}\n\n${usage}`);
  process.exit(1);
});
