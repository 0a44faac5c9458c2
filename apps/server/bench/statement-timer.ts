import { performance } from 'node:perf_hooks';
import type { Database, Queryable } from '../src/db/connect.ts';

/** One statement as the application waited for it: sent, run by the engine, answered (ms). */
export interface TimedStatement {
  label: string;
  startedAt: number;
  ms: number;
}

/** One transaction: when it was asked for, when it had its connection, when it ended (performance.now()). */
export interface TimedTransaction {
  askedAt: number;
  beganAt: number;
  endedAt: number;
  statements: TimedStatement[];
}

/** Tables an ingest touches, by name in the SQL; the first found names the statement. */
const TABLES = [
  'usage_sessions',
  'usage_denials',
  'usage_snapshots',
  'usage_identities',
  'usage_hourly',
  'usage_daily',
  'usage_person_daily',
  'usage_person_monthly',
  'usage_uploads',
  'license_servers',
  'features',
  'audit_events',
  'audit_chain_heads',
  'memberships',
];

/**
 * A short name for a statement: its verb and the first table it names (a staging table by its own name),
 * e.g. "INSERT usage_sessions", "COPY staged_sessions", "SELECT features (lock)".
 */
export function statementLabel(sql: string): string {
  const text = sql.replace(/\s+/g, ' ').trim();
  const verb = /^(\w+)/.exec(text)?.[1]?.toUpperCase() ?? '?';
  if (verb === 'COPY' || (verb === 'CREATE' && /TEMP/i.test(text)) || verb === 'TRUNCATE') {
    const target = /^(?:COPY|CREATE (?:TEMP|TEMPORARY) TABLE(?: IF NOT EXISTS)?|TRUNCATE)\s+(?:pg_temp\.)?(\w+)/i.exec(text)?.[1];
    return `${verb} ${target ?? '?'}`;
  }
  const tableAt = TABLES.map((table) => ({ table, at: text.search(new RegExp(`\\b${table}\\b`)) }))
    .filter((found) => found.at >= 0)
    .sort((a, b) => a.at - b.at)[0];
  const staged = /\b(?:pg_temp\.)?(staged_\w+)\b/.exec(text)?.[1];
  const table = verb === 'INSERT' || verb === 'DELETE' || verb === 'UPDATE' ? (tableAt?.table ?? staged) : (staged ?? tableAt?.table);
  const suffix = /FOR (?:NO KEY )?UPDATE/i.test(text) ? ' (lock)' : '';
  if (!table) return /AT TIME ZONE/i.test(text) ? `${verb} (zone arithmetic)` : `${verb} (no table)`;
  return `${verb} ${table}${suffix}`;
}

/**
 * A Database that times every statement of every transaction (a clock read or two per statement). On PGlite
 * a statement's time is the engine's own work in this process; on a PostgreSQL server it is the round trip.
 */
export function timeStatements(inner: Database): { db: Database; transactions: TimedTransaction[] } {
  const transactions: TimedTransaction[] = [];
  const timed = async <T>(statements: TimedStatement[], label: string, run: () => Promise<T>): Promise<T> => {
    const startedAt = performance.now();
    try {
      return await run();
    } finally {
      statements.push({ label, startedAt, ms: performance.now() - startedAt });
    }
  };
  const db: Database = {
    engine: inner.engine,
    close: () => inner.close(),
    async transaction(fn) {
      const record: TimedTransaction = { askedAt: performance.now(), beganAt: Number.NaN, endedAt: Number.NaN, statements: [] };
      try {
        return await inner.transaction((tx) => {
          record.beganAt = performance.now();
          const wrapped: Queryable = {
            query: (sql, params) => timed(record.statements, statementLabel(sql), () => tx.query(sql, params)),
            exec: (sql) => timed(record.statements, 'EXEC', () => tx.exec(sql)),
            copyFrom: (table, columns, text) => timed(record.statements, `COPY ${table.replace(/^pg_temp\./, '')}`, () => tx.copyFrom(table, columns, text)),
          };
          return fn(wrapped);
        });
      } finally {
        record.endedAt = performance.now();
        transactions.push(record);
      }
    },
  };
  return { db, transactions };
}
