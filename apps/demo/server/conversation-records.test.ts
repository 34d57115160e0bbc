import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConversationRecords, type ResponseRecord } from './conversation-records.js';
import { openDatabase, type SqlDatabase } from './database.js';

const dirs: string[] = [];
// One in-memory database for the tests that need no restart (each starts in seconds); one conversation each.
let db: SqlDatabase;
let records: ConversationRecords;
beforeAll(async () => {
  db = await openDatabase();
  records = await ConversationRecords.open(db);
});
afterAll(async () => {
  await db?.close();
  for (const dir of dirs) await rm(dir, { recursive: true, force: true });
});

const user = { turnId: 't1', text: 'Weather in Paris?', clientId: 'ann', createdAt: 1000, headers: { app: 'x' } };
const record = (change: Partial<ResponseRecord> = {}): ResponseRecord => ({
  conversationId: 'c1',
  responseId: 'r1',
  turnId: 't1',
  user,
  pattern: 'message-per-response',
  status: 'complete',
  errorReason: undefined,
  cancelledBy: undefined,
  clientId: 'agent',
  text: 'Sunny.',
  parts: [
    { kind: 'reasoning', text: 'Look it up.' },
    { kind: 'tool-call', text: '{"city":"Paris"}', toolCallId: 'c1', toolName: 'weather' },
    { kind: 'tool-result', text: '{"sky":"sunny"}', toolCallId: 'c1', toolName: 'weather' },
    { kind: 'text', text: 'Sunny.' },
  ],
  createdAt: 1001,
  endedAt: 1500,
  tokens: 4,
  messagesPublished: 5,
  failuresRepaired: 0,
  ...change,
});

describe('conversation records', () => {
  it('keep turns and responses in a data directory across a restart, as seeds with parts and status', async () => {
    const dataDir = await mkdtemp(join(tmpdir(), 'demo-records-'));
    dirs.push(dataDir);
    const first = await openDatabase({ dataDir });
    const kept = await ConversationRecords.open(first);
    await kept.save(record());
    await kept.save(
      record({ responseId: 'r2', status: 'cancelled', cancelledBy: 'bob', createdAt: 2000, parts: [], text: '' }),
    );
    await first.close();

    const reopened = await openDatabase({ dataDir });
    const again = await ConversationRecords.open(reopened);
    const seed = await again.seed('c1');
    expect(seed.map((response) => [response.responseId, response.status, response.cancelledBy])).toEqual([
      ['r1', 'complete', undefined],
      ['r2', 'cancelled', 'bob'],
    ]);
    expect(seed[0]).toMatchObject({
      turnId: 't1',
      text: 'Sunny.',
      parts: record().parts,
      user: { text: 'Weather in Paris?', clientId: 'ann', createdAt: 1000, headers: { app: 'x' } },
    });
    expect(await again.seed('other')).toEqual([]);
    await reopened.close();
  });

  it('writing the same response or turn again changes nothing', async () => {
    expect(await records.save(record())).toBe(true);
    expect(await records.save(record({ text: 'changed', user: { ...user, text: 'changed' } }))).toBe(false);
    const [only, ...rest] = await records.seed('c1');
    expect(rest).toEqual([]);
    expect(only).toMatchObject({ text: 'Sunny.', user: { text: 'Weather in Paris?' } });
    expect(await records.turn('c1', 't1')).toMatchObject({ text: 'Weather in Paris?' });
    expect(await records.find('r1')).toMatchObject({ conversationId: 'c1', tokens: 4, messagesPublished: 5 });
  });

  it('a write that fails half way leaves nothing behind (one transaction per response)', async () => {
    // The turn row is written first; the response row then fails (parts that are not JSON-serialisable).
    const circular: Record<string, unknown> = {};
    circular.self = circular;
    await expect(records.save(record({ conversationId: 'c2', parts: circular as never }))).rejects.toThrow();
    expect(await records.turn('c2', 't1')).toBeUndefined();
    expect(await records.seed('c2')).toEqual([]);
  });

  it('keeps a conversation’s controls', async () => {
    expect(await records.controls('c3')).toBeUndefined();
    await records.saveControls('c3', { paused: true });
    await records.saveControls('c3', { paused: false, tokensPerSecond: 80 });
    expect(await records.controls('c3')).toEqual({ paused: false, tokensPerSecond: 80 });
  });
});
