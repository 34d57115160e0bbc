import * as Ably from 'ably';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Emulator, startEmulator } from '../src/index.js';
import { rawConnection } from './helpers.js';

// WebSocket upgrades are checked against the same origin list as REST and CORS, before any credentials
// are read: a page of another origin gets a plain 403, whatever it presents.

const PAGE = 'http://localhost:6006';
let emulator: Emulator;
let token: string;
beforeAll(async () => {
  emulator = await startEmulator({ port: 0, allowedOrigins: [PAGE] });
  const signer = new Ably.Rest({ ...emulator.clientOptions(), logLevel: 0 });
  token = (await signer.auth.requestToken({ clientId: 'viewer' })).token;
});
afterAll(() => emulator.stop());

const query = () => `access_token=${encodeURIComponent(token)}&format=json&v=6`;

describe('WebSocket upgrades', () => {
  it('refuse pages of other origins, and cross-site pages without an Origin, with 403', async () => {
    const pages: Array<Record<string, string>> = [
      { origin: 'http://localhost:3000' },
      { origin: 'http://127.0.0.1:6006' }, // another name is another origin
      { origin: 'null' },
      { 'sec-fetch-site': 'cross-site' },
    ];
    for (const headers of pages) {
      await expect(rawConnection(emulator, query(), headers)).rejects.toThrow(/Unexpected server response: 403/);
    }
  });

  it('let the allowed page, and programs without an Origin, connect', async () => {
    for (const headers of [{ origin: PAGE }, undefined]) {
      const raw = await rawConnection(emulator, query(), headers);
      expect(((await raw.next(4)).connectionDetails as { clientId: string }).clientId).toBe('viewer');
      raw.close();
    }
  });
});
