import { type ChildProcess, spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import * as Ably from 'ably';
import { afterEach, describe, expect, it } from 'vitest';
import { waitFor } from './helpers.js';

const cli = fileURLToPath(new URL('../src/cli.ts', import.meta.url));
const running: ChildProcess[] = [];

function start(args: string[]): { child: ChildProcess; output: () => string; exited: Promise<number | null> } {
  const child = spawn(process.execPath, ['--import', 'tsx', cli, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  running.push(child);
  let output = '';
  child.stdout?.on('data', (chunk) => {
    output += String(chunk);
  });
  child.stderr?.on('data', (chunk) => {
    output += String(chunk);
  });
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  return { child, output: () => output, exited };
}

afterEach(() => {
  for (const child of running.splice(0)) if (child.exitCode === null) child.kill('SIGKILL');
});

describe('resumable-emulator CLI', () => {
  it('prints client options, logs traffic readably and stops on SIGTERM', async () => {
    const { child, output, exited } = start(['--port', '0', '--namespace', 'chat:mutable']);
    await waitFor(() => /listening on http:\/\/127\.0\.0\.1:\d+/.test(output()), 20_000, 'the CLI to listen');
    const port = Number(/127\.0\.0\.1:(\d+)/.exec(output())?.[1]);
    expect(output()).toContain('"key": "resumable.local:local-emulator-secret"');
    expect(output()).toContain(`"port": ${port}`);
    const client = new Ably.Realtime({
      key: 'resumable.local:local-emulator-secret',
      endpoint: '127.0.0.1',
      port,
      tls: false,
      useBinaryProtocol: false,
      logLevel: 0,
    });
    const channel = client.channels.get('chat:room');
    const { serials } = await channel.publish('greeting', 'hello from the test');
    await channel.appendMessage({ serial: serials[0] as string, data: '!' });
    await waitFor(() => output().includes('append'), 10_000, 'the append to be logged');
    expect(output()).toMatch(/connected \(json, basic resumable\.local\)/);
    expect(output()).toContain('MESSAGE chat:room msgSerial=0 [create');
    expect(output()).toContain('"hello from the test"');
    client.close();
    child.kill('SIGTERM');
    expect(await exited).toBe(0);
  }, 30_000);

  it('prints the control token that drives faults, and the pages it lets in', async () => {
    const { output } = start(['--port', '0', '--quiet']);
    await waitFor(() => output().includes('Control token:'), 20_000, 'the CLI to print its control token');
    expect(output()).toContain('Pages allowed: none (add --allow-origin http://localhost:5173)');
    const port = Number(/127\.0\.0\.1:(\d+)/.exec(output())?.[1]);
    const token = /Control token: (\S+)/.exec(output())?.[1] as string;
    const drop = (headers: Record<string, string>) =>
      fetch(`http://127.0.0.1:${port}/_emulator/faults/drop`, { method: 'POST', headers, body: '{}' });
    expect((await drop({ 'content-type': 'application/json' })).status).toBe(401);
    const answer = await drop({ 'content-type': 'application/json', 'x-emulator-control-token': token });
    expect(await answer.json()).toEqual({ affected: 0 });

    const allowing = start(['--port', '0', '--quiet', '--allow-origin', 'http://localhost:5173']);
    await waitFor(() => allowing.output().includes('Control token:'), 20_000, 'the second CLI to start');
    expect(allowing.output()).toContain('Pages allowed: http://localhost:5173\n');
    expect(/Control token: (\S+)/.exec(allowing.output())?.[1]).not.toBe(token);
  }, 40_000);

  it('rejects bad arguments with a message and exit code 1', async () => {
    const { output, exited } = start(['--port', 'many']);
    expect(await exited).toBe(1);
    expect(output()).toContain('--port must be a non-negative number');
  }, 30_000);
});
