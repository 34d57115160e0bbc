// Storybook's test run: the hook stories talk to a local emulator on port 8788. Start one for the
// run (its key and control token go to the dev server's emulator bridge through the environment), or
// use the one `pnpm storybook` already started (which set that environment for this process).
import { startEmulator } from '../packages/emulator/src/index.js';
import { STORY_EMULATOR_PORT, STORY_TOKEN_ENV } from './emulator-bridge.js';
import { storyEmulatorKey } from './story-tokens.js';

export default async function setup(): Promise<() => Promise<void>> {
  try {
    const emulator = await startEmulator({
      port: STORY_EMULATOR_PORT,
      keys: [storyEmulatorKey()],
      controlToken: process.env[STORY_TOKEN_ENV],
    });
    process.env[STORY_TOKEN_ENV] = emulator.controlToken;
    return () => emulator.stop();
  } catch (error) {
    if ((error as { code?: string }).code !== 'EADDRINUSE') throw error;
    return async () => undefined;
  }
}
