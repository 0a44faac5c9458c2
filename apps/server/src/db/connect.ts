import { createHash } from 'node:crypto';
import { once } from 'node:events';
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import pg from 'pg';
import { from as copyFromStdin } from 'pg-copy-streams';
import lockfile from 'proper-lockfile';

/** A query runner: the transaction handed to repos, on either engine. */
export interface Queryable {
  query<Row = Record<string, unknown>>(sql: string, params?: readonly unknown[]): Promise<{ rows: Row[]; rowCount: number }>;
  /** Runs a script of several statements without parameters (migrations only). */
  exec(sql: string): Promise<void>;
  /**
   * Bulk-loads rows with COPY … FROM in PostgreSQL's text format (see copyText), one round trip for all of
   * them; answers the number of rows loaded. `table` and `columns` are SQL identifiers written in the code,
   * never input.
   */
  copyFrom(table: string, columns: readonly string[], text: string): Promise<number>;
}

/** Escapes one field for COPY's text format: null becomes \N; backslash, tab, newline and CR are escaped. */
export function copyText(value: string | number | boolean | null): string {
  if (value === null) return '\\N';
  if (typeof value !== 'string') return String(value);
  return /[\\\t\n\r]/.test(value) ? value.replace(/[\\\t\n\r]/g, (c) => (c === '\\' ? '\\\\' : c === '\t' ? '\\t' : c === '\n' ? '\\n' : '\\r')) : value;
}

const copyStatement = (table: string, columns: readonly string[], source: string) => `COPY ${table} (${columns.join(', ')}) FROM ${source}`;

/** A frontend message of the PostgreSQL wire protocol: type byte, length (itself included), body. */
function frontendMessage(type: string, body: Buffer): Buffer {
  const header = Buffer.alloc(5);
  header.write(type, 0, 'latin1');
  header.writeUInt32BE(body.length + 4, 1);
  return Buffer.concat([header, body]);
}

/** One of the two engines behind the same small interface. */
export interface Database {
  readonly engine: 'pglite' | 'postgres';
  /** Runs fn in a transaction: committed when it resolves, rolled back when it throws. */
  transaction<T>(fn: (tx: Queryable) => Promise<T>): Promise<T>;
  close(): Promise<void>;
}

export class DatabaseLockedError extends Error {
  constructor(dataDir: string) {
    super(
      `The embedded database in ${dataDir} is in use by another Seatwise process (a running server or migration). ` +
        'Stop that process first, or point DATA_DIR at another folder. (If no Seatwise process runs because one ' +
        'crashed, the lock frees itself within a minute.)',
    );
  }
}

// pg returns bigint (int8) columns as strings by default; our counters fit in a double.
pg.types.setTypeParser(pg.types.builtins.INT8, (value) => Number(value));

const statementNames = new Map<string, string>();
/** A stable name for a statement text (prepared once per connection by the driver). */
function statementName(sql: string): string {
  let name = statementNames.get(sql);
  if (!name) {
    name = `sw_${createHash('sha1').update(sql).digest('hex').slice(0, 20)}`;
    statementNames.set(sql, name);
  }
  return name;
}

/** Opens a PostgreSQL server pool. */
export function openPostgres(url: string, poolSize: number): Database {
  const pool = new pg.Pool({ connectionString: url, max: poolSize });
  // An idle client that errors (server restart) must not crash the process; the next checkout reconnects.
  pool.on('error', () => undefined);
  return {
    engine: 'postgres',
    async transaction(fn) {
      const client = await pool.connect();
      try {
        await client.query('BEGIN');
        const tx: Queryable = {
          async query(sql, params) {
            // Named statements are parsed and planned once per connection, not on every request.
            const result = await client.query({ name: statementName(sql), text: sql, values: params as unknown[] | undefined });
            return { rows: result.rows, rowCount: result.rowCount ?? 0 };
          },
          async exec(sql) {
            await client.query(sql);
          },
          async copyFrom(table, columns, text) {
            const stream = client.query(copyFromStdin(copyStatement(table, columns, 'STDIN')));
            const finished = once(stream, 'finish');
            stream.end(text);
            await finished;
            return stream.rowCount;
          },
        };
        const value = await fn(tx);
        await client.query('COMMIT');
        return value;
      } catch (error) {
        await client.query('ROLLBACK').catch(() => undefined);
        throw error;
      } finally {
        client.release();
      }
    },
    close: () => pool.end(),
  };
}

/**
 * Opens the embedded database. `dataDir` undefined means in memory (tests). On disk, the folder is locked
 * for this process: PGlite is single-process, and a second writer would corrupt it.
 */
export async function openPglite(dataDir: string | undefined): Promise<Database> {
  let release: (() => Promise<void>) | undefined;
  let location: string | undefined;
  if (dataDir) {
    mkdirSync(dataDir, { recursive: true });
    location = path.join(dataDir, 'pgdata');
    try {
      release = await lockfile.lock(dataDir, {
        lockfilePath: path.join(dataDir, 'seatwise.lock'),
        // Generous: a long query blocks the event loop, and with it the lock's refresh. After a crash, the
        // folder frees itself within this time.
        stale: 60_000,
        update: 5_000,
        onCompromised: (error) => {
          // Someone else took the lock: continuing could corrupt the database, so stop at once.
          process.stderr.write(`Lost the lock on ${dataDir}: ${error.message}\n`);
          process.exit(1);
        },
      });
    } catch (error) {
      if ((error as { code?: string }).code === 'ELOCKED') throw new DatabaseLockedError(dataDir);
      throw error;
    }
  }
  let pglite: PGlite;
  try {
    pglite = await PGlite.create(location ? { dataDir: location } : {});
  } catch (error) {
    await release?.();
    throw error;
  }
  const wrap = (runner: Pick<PGlite, 'query' | 'exec'>): Queryable => ({
    // PGlite's documented COPY reads the virtual file '/dev/blob', a server-side file that only a superuser
    // may read, and tenant transactions run as the application role. The wire protocol's COPY FROM STDIN
    // works as any role: the statement, the data and the end of the data go in as one message sequence,
    // under PGlite's query lock so that no other statement's messages come in between.
    async copyFrom(table, columns, text) {
      const data = Buffer.from(text);
      const message = Buffer.concat([
        frontendMessage('Q', Buffer.from(`${copyStatement(table, columns, 'STDIN')}\0`)),
        ...(data.length > 0 ? [frontendMessage('d', data)] : []),
        frontendMessage('c', Buffer.alloc(0)),
      ]);
      const { messages } = await pglite._runExclusiveQuery(() => pglite.execProtocol(message));
      const done = messages.find((reply) => reply.name === 'commandComplete') as { text?: string } | undefined;
      return Number(/^COPY (\d+)/.exec(done?.text ?? '')?.[1] ?? 0);
    },
    async query(sql, params) {
      const result = await runner.query(sql, params as unknown[] | undefined);
      return { rows: result.rows as never[], rowCount: result.affectedRows ?? result.rows.length };
    },
    async exec(sql) {
      await runner.exec(sql);
    },
  });
  return {
    engine: 'pglite',
    transaction: (fn) => pglite.transaction((tx) => fn(wrap(tx))),
    async close() {
      await pglite.close();
      await release?.();
    },
  };
}
