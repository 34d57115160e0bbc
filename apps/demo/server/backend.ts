import { randomBytes } from 'node:crypto';
import { loopbackOrigins, startEmulator } from '@resumable/emulator';
import type * as Ably from 'ably';

/** Where the demo's Ably traffic goes: the local emulator, or Ably's cloud when a key is given. */
export interface Backend {
  readonly kind: 'emulator' | 'ably';
  /** Options for the agent's server-side clients (with the key). */
  readonly agentAblyOptions: Ably.ClientOptions;
  /** Options a browser needs besides credentials. */
  readonly browserAblyOptions: Readonly<Record<string, unknown>>;
  /** The emulator's HTTP URL (fault controls), when running on the emulator. */
  readonly emulatorUrl: string | undefined;
  /** The token of the emulator's control endpoint; only this server holds it. */
  readonly emulatorControlToken: string | undefined;
  /** Let the pages the demo serves on `port` (localhost and 127.0.0.1) use the emulator. */
  allowPagesOn(port: number): void;
  stop(): Promise<void>;
}

/**
 * Start the backend the environment asks for: with `ABLY_API_KEY` the demo uses Ably's cloud (only
 * options change), otherwise it starts the emulator on a free port.
 *
 * @example
 * ```ts
 * const backend = await startBackend(process.env);
 * console.log(backend.kind); // 'emulator'
 * ```
 */
export async function startBackend(
  env: NodeJS.ProcessEnv,
  emulatorOptions: { connectionStateTtl?: number } = {},
): Promise<Backend> {
  const key = env.ABLY_API_KEY;
  if (key) {
    return {
      kind: 'ably',
      agentAblyOptions: { key },
      browserAblyOptions: {},
      emulatorUrl: undefined,
      emulatorControlToken: undefined,
      allowPagesOn: () => {},
      stop: async () => {},
    };
  }
  // A key of this process only: the emulator's public built-in key does not work on the demo's emulator.
  const demoKey = `demo.local:${randomBytes(18).toString('base64url')}`;
  const emulator = await startEmulator({ port: 0, keys: [demoKey], ...emulatorOptions });
  const { key: _key, ...browserAblyOptions } = emulator.clientOptions();
  return {
    kind: 'emulator',
    agentAblyOptions: emulator.clientOptions() as Ably.ClientOptions,
    browserAblyOptions,
    emulatorUrl: emulator.httpUrl,
    emulatorControlToken: emulator.controlToken,
    allowPagesOn: (port) => {
      for (const origin of loopbackOrigins(port)) emulator.allowOrigin(origin);
    },
    stop: () => emulator.stop(),
  };
}
