import { performance } from 'node:perf_hooks';
import type { Database, Queryable } from '../src/db/connect.ts';
import { summarize, type Summary } from './stats.ts';

/** What the application asked of the database during one measurement window. */
export interface DbWindow {
  transactions: number;
  /** Statements sent inside transactions, not counting BEGIN and COMMIT. */
  statements: number;
  /** Waiting for a pooled connection (PostgreSQL) or for the single connection's lock (PGlite), ms. */
  waitMs: Summary;
  /** From the first statement to the end of the last one, ms (COMMIT excluded). */
  workMs: Summary;
  /** The whole transaction as the caller sees it, ms. */
  totalMs: Summary;
}

/** A database that counts and times its transactions; the overhead is a few clock reads per transaction. */
export function probeDatabase(inner: Database): { db: Database; reset(): void; read(): DbWindow } {
  let statements = 0;
  let wait: number[] = [];
  let work: number[] = [];
  let total: number[] = [];
  const db: Database = {
    engine: inner.engine,
    close: () => inner.close(),
    async transaction(fn) {
      const asked = performance.now();
      try {
        return await inner.transaction(async (tx) => {
          const began = performance.now();
          wait.push(began - asked);
          const counted: Queryable = {
            query(sql, params) {
              statements += 1;
              return tx.query(sql, params);
            },
            exec(sql) {
              statements += 1;
              return tx.exec(sql);
            },
            copyFrom(table, columns, text) {
              statements += 1;
              return tx.copyFrom(table, columns, text);
            },
          };
          try {
            return await fn(counted);
          } finally {
            work.push(performance.now() - began);
          }
        });
      } finally {
        total.push(performance.now() - asked);
      }
    },
  };
  return {
    db,
    reset() {
      statements = 0;
      wait = [];
      work = [];
      total = [];
    },
    read: () => ({ transactions: total.length, statements, waitMs: summarize(wait), workMs: summarize(work), totalMs: summarize(total) }),
  };
}
