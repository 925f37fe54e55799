/**
 * Write transactions that are safe when several processes (the CLI, one or more workers) share
 * one database.
 *
 * SQLite: a deferred BEGIN that reads first and writes later fails at once with SQLITE_BUSY
 * when another process committed in between (busy_timeout cannot help a stale WAL snapshot),
 * so writers take the write lock up front with BEGIN IMMEDIATE and queue on busy_timeout.
 * Kysely's SQLite driver has one connection behind a mutex; `db.connection()` holds it for the
 * whole callback, so the callback must use the handle it is given, never the outer `db`.
 *
 * PostgreSQL: an ordinary READ COMMITTED transaction; callers lock the rows they decide on.
 */
import { sql } from 'kysely';
import type { Db, SqlDialect } from './schema.js';

export async function writeTransaction<T>(db: Db, dialect: SqlDialect, fn: (tx: Db) => Promise<T>): Promise<T> {
  if (dialect === 'postgres') return db.transaction().execute(fn);
  return db.connection().execute(async (conn) => {
    await sql`begin immediate`.execute(conn);
    let result: T;
    try {
      result = await fn(conn);
    } catch (err) {
      await sql`rollback`.execute(conn).catch(() => undefined);
      throw err;
    }
    await sql`commit`.execute(conn);
    return result;
  });
}

/** `select … for update` on PostgreSQL; SQLite has no row locks (BEGIN IMMEDIATE already serialises writers). */
export function forUpdate<Q extends { forUpdate(): Q }>(dialect: SqlDialect, query: Q): Q {
  return dialect === 'postgres' ? query.forUpdate() : query;
}
