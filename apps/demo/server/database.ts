import { mkdir } from 'node:fs/promises';
import { PGlite } from '@electric-sql/pglite';
import pg from 'pg';

/** The few things the demo asks of a SQL database; PGlite and a Postgres server both provide them. */
export interface SqlRunner {
  query<Row = Record<string, unknown>>(sql: string, params?: readonly unknown[]): Promise<Row[]>;
}

/**
 * The demo's database: PGlite (Postgres compiled to WebAssembly, in-process, no setup) in a data
 * directory or in memory, or a Postgres server when a connection URL is given. Same SQL on both.
 */
export interface SqlDatabase extends SqlRunner {
  readonly kind: 'pglite' | 'postgres';
  /** Run `work` in one transaction: all of its writes land, or none (a crash mid-write included). */
  transaction<T>(work: (tx: SqlRunner) => Promise<T>): Promise<T>;
  close(): Promise<void>;
}

/** Where the database lives: `url` (a Postgres server) wins over `dataDir` (PGlite); neither = PGlite in memory. */
export interface DatabaseLocation {
  readonly url?: string | undefined;
  readonly dataDir?: string | undefined;
}

/**
 * Open the database.
 *
 * @example
 * ```ts
 * const db = await openDatabase({ url: process.env.DATABASE_URL, dataDir: '/home/me/.local/state/resumable-demo/db' });
 * await db.query('select 1 as one'); // [{ one: 1 }]
 * ```
 */
export async function openDatabase(location: DatabaseLocation = {}): Promise<SqlDatabase> {
  if (location.url) return openPostgres(location.url);
  if (location.dataDir) await mkdir(location.dataDir, { recursive: true });
  const db = await PGlite.create(location.dataDir ? { dataDir: location.dataDir } : {});
  const runner = (target: Pick<PGlite, 'query'>): SqlRunner => ({
    async query<Row>(sql: string, params: readonly unknown[] = []) {
      return (await target.query<Row>(sql, [...params])).rows;
    },
  });
  return {
    kind: 'pglite',
    ...runner(db),
    transaction: (work) => db.transaction((tx) => work(runner(tx))),
    close: () => db.close(),
  };
}

async function openPostgres(url: string): Promise<SqlDatabase> {
  const pool = new pg.Pool({ connectionString: url, max: 4 });
  // Fail at start-up with a clear message rather than on the first answer.
  await pool.query('select 1').catch((cause: unknown) => {
    void pool.end();
    throw new Error(
      `Could not reach the Postgres server in DATABASE_URL (${cause instanceof Error ? cause.message : String(cause)}). ` +
        'Check the URL, or unset DATABASE_URL to use the embedded database.',
    );
  });
  const runner = (target: pg.Pool | pg.PoolClient): SqlRunner => ({
    async query<Row>(sql: string, params: readonly unknown[] = []) {
      return (await target.query(sql, [...params])).rows as Row[];
    },
  });
  return {
    kind: 'postgres',
    ...runner(pool),
    async transaction(work) {
      const client = await pool.connect();
      try {
        await client.query('begin');
        const result = await work(runner(client));
        await client.query('commit');
        return result;
      } catch (error) {
        await client.query('rollback').catch(() => {});
        throw error;
      } finally {
        client.release();
      }
    },
    close: () => pool.end(),
  };
}
