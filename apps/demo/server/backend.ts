import { startEmulator } from '@resumable/emulator';
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
      stop: async () => {},
    };
  }
  const emulator = await startEmulator({ port: 0, ...emulatorOptions });
  const { key: _key, ...browserAblyOptions } = emulator.clientOptions();
  return {
    kind: 'emulator',
    agentAblyOptions: emulator.clientOptions() as Ably.ClientOptions,
    browserAblyOptions,
    emulatorUrl: emulator.httpUrl,
    stop: () => emulator.stop(),
  };
}
