/**
 * Global setup of the Chromium run: starts `chat-server.ts` in a Node process of its own, with the workspace's
 * `source` condition (a global setup itself is loaded without it, and a fresh clone has no build), and hands the
 * page what that process printed.
 */
import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import type * as Ably from 'ably';
import type { TestProject } from 'vitest/node';

declare module 'vitest' {
  export interface ProvidedContext {
    chatServer: { endpoint: string; clientOptions: Ably.ClientOptions };
  }
}

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const script = fileURLToPath(new URL('./chat-server.ts', import.meta.url));
  const child = spawn(process.execPath, ['--import', 'tsx', '--conditions=source', script], {
    stdio: ['pipe', 'pipe', 'inherit'],
  });
  const lines = createInterface({ input: child.stdout! });
  const context = await new Promise<{ endpoint: string; clientOptions: Ably.ClientOptions }>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('the chat server did not start within 30 s')), 30_000);
    child.once('exit', (code) => reject(new Error(`the chat server exited with code ${code}`)));
    lines.once('line', (line) => {
      clearTimeout(timer);
      resolve(JSON.parse(line));
    });
  });
  project.provide('chatServer', context);
  return async () => {
    const exited = new Promise((resolve) => child.once('exit', resolve));
    child.stdin!.end();
    await Promise.race([exited, new Promise((resolve) => setTimeout(resolve, 5_000))]);
    if (child.exitCode === null) child.kill('SIGKILL');
  };
}
