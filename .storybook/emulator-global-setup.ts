// Storybook's test run: the hook stories talk to a local emulator on port 8788. Start one for the
// run, or use the one `pnpm storybook` already started.
import { startEmulator } from '../packages/emulator/src/index.js';

const STORY_EMULATOR_PORT = 8788;

export default async function setup(): Promise<() => Promise<void>> {
  try {
    const emulator = await startEmulator({ port: STORY_EMULATOR_PORT });
    return () => emulator.stop();
  } catch (error) {
    if ((error as { code?: string }).code !== 'EADDRINUSE') throw error;
    return async () => undefined;
  }
}
