import type { ResponsePattern, SeedResponse, TerminalStatus } from '@resumable/core';
import type { SqlDatabase, SqlRunner } from './database.js';

/** One part of a stored response (core's `SeedPart`). */
export type SeedPart = NonNullable<SeedResponse['parts']>[number];

/** The user's message a response answers, as kept with it. */
export interface UserRecord {
  readonly turnId: string;
  readonly text: string;
  readonly clientId: string | undefined;
  readonly createdAt: number;
  readonly headers: Readonly<Record<string, string>>;
}

/** A response the agent finished streaming, with what it took. */
export interface ResponseRecord {
  readonly conversationId: string;
  readonly responseId: string;
  readonly turnId: string | undefined;
  /** The turn's user message; written once per turn, whichever of its responses comes first. */
  readonly user: UserRecord | undefined;
  readonly pattern: ResponsePattern;
  readonly status: TerminalStatus;
  readonly errorReason: string | undefined;
  readonly cancelledBy: string | undefined;
  readonly clientId: string;
  /** The text parts joined. */
  readonly text: string;
  readonly parts: readonly SeedPart[];
  /** When streaming started and ended (ms epoch). */
  readonly createdAt: number;
  readonly endedAt: number;
  /** Tokens the model produced and messages the agent published for them. */
  readonly tokens: number;
  readonly messagesPublished: number;
  readonly failuresRepaired: number;
  /** When the agent received the cancel that stopped it (ms epoch), for a cancelled response. */
  readonly cancelReceivedAt?: number | undefined;
}

/** How many completed responses a conversation's seed holds at most (the newest). */
const SEED_LIMIT = 200;

const SCHEMA = `
create table if not exists demo_turns (
  conversation_id text not null,
  turn_id text not null,
  text text not null,
  client_id text,
  headers jsonb not null default '{}',
  created_at double precision not null,
  primary key (conversation_id, turn_id)
);
create table if not exists demo_responses (
  conversation_id text not null,
  response_id text not null,
  turn_id text,
  pattern text not null,
  status text not null,
  error_reason text,
  cancelled_by text,
  client_id text not null,
  text text not null,
  parts jsonb not null,
  created_at double precision not null,
  ended_at double precision not null,
  stats jsonb not null default '{}',
  primary key (conversation_id, response_id)
);
create index if not exists demo_responses_by_time on demo_responses (conversation_id, created_at);
create table if not exists demo_controls (
  conversation_id text primary key,
  controls jsonb not null
);
`;

interface ResponseRow {
  conversation_id: string;
  response_id: string;
  turn_id: string | null;
  pattern: string;
  status: string;
  error_reason: string | null;
  cancelled_by: string | null;
  client_id: string;
  text: string;
  parts: SeedPart[] | string;
  created_at: number | string;
  ended_at: number | string;
  stats: Record<string, number> | string;
  user_text: string | null;
  user_client_id: string | null;
  user_headers: Record<string, string> | string | null;
  user_created_at: number | string | null;
}

/** jsonb comes back parsed from both drivers; older servers may hand text. */
const json = <T>(value: T | string): T => (typeof value === 'string' ? (JSON.parse(value) as T) : value);

const SELECT_RESPONSES = `
  select r.*, t.text as user_text, t.client_id as user_client_id, t.headers as user_headers,
         t.created_at as user_created_at
  from demo_responses r
  left join demo_turns t on t.conversation_id = r.conversation_id and t.turn_id = r.turn_id`;

/**
 * Completed conversations in the database: one row per user turn and one per response (its parts in
 * order, how it ended). Each response is written in one transaction together with its turn, and
 * writing the same response or turn again changes nothing, so a retried or repeated write is harmless.
 *
 * @example
 * ```ts
 * const records = await ConversationRecords.open(await openDatabase());
 * await records.save(record);
 * const seed = await records.seed('c-1'); // SeedResponse[], oldest first
 * ```
 */
export class ConversationRecords {
  private constructor(readonly db: SqlDatabase) {}

  static async open(db: SqlDatabase): Promise<ConversationRecords> {
    await db.transaction(async (tx) => {
      for (const statement of SCHEMA.split(';').filter((sql) => sql.trim())) await tx.query(statement);
    });
    return new ConversationRecords(db);
  }

  /** Write a finished response (and its turn's user message); resolves once committed. False if it was there already. */
  async save(record: ResponseRecord): Promise<boolean> {
    return this.db.transaction(async (tx) => {
      if (record.user) await insertTurn(tx, record.conversationId, record.user);
      const inserted = await tx.query(
        `insert into demo_responses (conversation_id, response_id, turn_id, pattern, status, error_reason,
           cancelled_by, client_id, text, parts, created_at, ended_at, stats)
         values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)
         on conflict (conversation_id, response_id) do nothing
         returning response_id`,
        [
          record.conversationId,
          record.responseId,
          record.turnId ?? null,
          record.pattern,
          record.status,
          record.errorReason ?? null,
          record.cancelledBy ?? null,
          record.clientId,
          record.text,
          JSON.stringify(record.parts),
          record.createdAt,
          record.endedAt,
          JSON.stringify({
            tokens: record.tokens,
            messagesPublished: record.messagesPublished,
            failuresRepaired: record.failuresRepaired,
            ...(record.cancelReceivedAt !== undefined ? { cancelReceivedAt: record.cancelReceivedAt } : {}),
          }),
        ],
      );
      return inserted.length > 0;
    });
  }

  /** The newest completed responses of a conversation, oldest first, as the seed a client hydrates from. */
  async seed(conversationId: string): Promise<SeedResponse[]> {
    const rows = await this.db.query<ResponseRow>(
      `${SELECT_RESPONSES} where r.conversation_id = $1 order by r.created_at desc limit ${SEED_LIMIT}`,
      [conversationId],
    );
    return rows.reverse().map(toSeed);
  }

  /** One stored response, or undefined. */
  async get(conversationId: string, responseId: string): Promise<ResponseRecord | undefined> {
    const [row] = await this.db.query<ResponseRow>(
      `${SELECT_RESPONSES} where r.conversation_id = $1 and r.response_id = $2`,
      [conversationId, responseId],
    );
    return row ? toRecord(row) : undefined;
  }

  /** A stored response in whichever conversation holds it (the inspector asks by responseId only). */
  async find(responseId: string): Promise<ResponseRecord | undefined> {
    const [row] = await this.db.query<ResponseRow>(`${SELECT_RESPONSES} where r.response_id = $1 limit 1`, [
      responseId,
    ]);
    return row ? toRecord(row) : undefined;
  }

  /** A turn's user message, when one of its responses was stored. */
  async turn(conversationId: string, turnId: string): Promise<UserRecord | undefined> {
    const [row] = await this.db.query<{
      text: string;
      client_id: string | null;
      headers: unknown;
      created_at: unknown;
    }>('select text, client_id, headers, created_at from demo_turns where conversation_id = $1 and turn_id = $2', [
      conversationId,
      turnId,
    ]);
    if (!row) return undefined;
    return {
      turnId,
      text: row.text,
      clientId: row.client_id ?? undefined,
      createdAt: Number(row.created_at),
      headers: json(row.headers as Record<string, string>),
    };
  }

  /** The controls saved for a conversation (see conversation-agents.ts), or undefined. */
  async controls(conversationId: string): Promise<Record<string, unknown> | undefined> {
    const [row] = await this.db.query<{ controls: unknown }>(
      'select controls from demo_controls where conversation_id = $1',
      [conversationId],
    );
    return row ? json(row.controls as Record<string, unknown>) : undefined;
  }

  async saveControls(conversationId: string, controls: object): Promise<void> {
    await this.db.query(
      `insert into demo_controls (conversation_id, controls) values ($1, $2)
       on conflict (conversation_id) do update set controls = excluded.controls`,
      [conversationId, JSON.stringify(controls)],
    );
  }
}

async function insertTurn(tx: SqlRunner, conversationId: string, user: UserRecord): Promise<void> {
  await tx.query(
    `insert into demo_turns (conversation_id, turn_id, text, client_id, headers, created_at)
     values ($1, $2, $3, $4, $5, $6) on conflict (conversation_id, turn_id) do nothing`,
    [conversationId, user.turnId, user.text, user.clientId ?? null, JSON.stringify(user.headers), user.createdAt],
  );
}

function toRecord(row: ResponseRow): ResponseRecord {
  const stats = json(row.stats);
  return {
    conversationId: row.conversation_id,
    responseId: row.response_id,
    turnId: row.turn_id ?? undefined,
    user:
      row.turn_id && row.user_text !== null
        ? {
            turnId: row.turn_id,
            text: row.user_text,
            clientId: row.user_client_id ?? undefined,
            createdAt: Number(row.user_created_at),
            headers: json(row.user_headers ?? {}),
          }
        : undefined,
    pattern: row.pattern as ResponsePattern,
    status: row.status as TerminalStatus,
    errorReason: row.error_reason ?? undefined,
    cancelledBy: row.cancelled_by ?? undefined,
    clientId: row.client_id,
    text: row.text,
    parts: json(row.parts),
    createdAt: Number(row.created_at),
    endedAt: Number(row.ended_at),
    tokens: stats.tokens ?? 0,
    messagesPublished: stats.messagesPublished ?? 0,
    failuresRepaired: stats.failuresRepaired ?? 0,
    ...(stats.cancelReceivedAt !== undefined ? { cancelReceivedAt: stats.cancelReceivedAt } : {}),
  };
}

function toSeed(row: ResponseRow): SeedResponse {
  const record = toRecord(row);
  return {
    responseId: record.responseId,
    text: record.text,
    createdAt: record.createdAt,
    pattern: record.pattern,
    clientId: record.clientId,
    status: record.status,
    parts: record.parts,
    ...(record.turnId ? { turnId: record.turnId } : {}),
    ...(record.errorReason !== undefined ? { errorReason: record.errorReason } : {}),
    ...(record.cancelledBy !== undefined ? { cancelledBy: record.cancelledBy } : {}),
    ...(record.user
      ? {
          user: {
            text: record.user.text,
            createdAt: record.user.createdAt,
            headers: record.user.headers,
            ...(record.user.clientId ? { clientId: record.user.clientId } : {}),
          },
        }
      : {}),
  };
}
