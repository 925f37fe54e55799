/**
 * Open the metadata store named by a URL (TSFX_METADATA_URL, see src/config.ts):
 * `postgres://` or `postgresql://` → PostgreSQL; anything else is a SQLite file path
 * (an optional `sqlite:` prefix is stripped). Migrations run before the store is returned; the
 * store returned retries its calls through database outages (retry.ts).
 */
import fs from 'node:fs';
import path from 'node:path';
import BetterSqlite3 from 'better-sqlite3';
import { Kysely, PostgresDialect, SqliteDialect } from 'kysely';
import pg from 'pg';
import { MetadataError } from '../errors.js';
import { KyselyMetadataStore } from './kysely-store.js';
import { retryingStore } from './retry.js';
import type { Database, Db, SqlDialect } from './schema.js';
import type { MetadataStore } from './store.js';

/** The CLI and one or more workers share the file; a writer waits this long for the lock. */
const SQLITE_BUSY_TIMEOUT_MS = 10_000;
const PG_INT8_OID = 20;

export function isPostgresUrl(url: string): boolean {
  return /^postgres(ql)?:\/\//i.test(url);
}

/** The URL with any password replaced, for messages and logs. */
export function redactUrl(url: string): string {
  return url.replace(/^(postgres(?:ql)?:\/\/[^:/@]*:)[^@]*@/i, '$1***@');
}

/** a plain path, or one behind an optional `sqlite:` / `sqlite://` prefix */
const sqlitePath = (url: string) => url.replace(/^sqlite:(\/\/)?/i, '');

function openSqlite(file: string): Db {
  if (file !== ':memory:') fs.mkdirSync(path.dirname(path.resolve(file)), { recursive: true });
  let database: BetterSqlite3.Database;
  try {
    database = new BetterSqlite3(file, { timeout: SQLITE_BUSY_TIMEOUT_MS });
    database.pragma(`busy_timeout = ${SQLITE_BUSY_TIMEOUT_MS}`);
    // WAL lets readers (tsfx runs / lineage) proceed while a worker writes.
    database.pragma('journal_mode = WAL');
    database.pragma('synchronous = NORMAL');
    database.pragma('foreign_keys = ON');
  } catch (err) {
    throw new MetadataError(`cannot open SQLite metadata database ${file}: ${(err as Error).message}`, { cause: err });
  }
  return new Kysely<Database>({ dialect: new SqliteDialect({ database }) });
}

function openPostgres(url: string): Db {
  const pool = new pg.Pool({
    connectionString: url,
    max: 10,
    // Timestamps and counts are int8; as numbers they match what SQLite returns
    // (ms since epoch stays far below 2^53).
    types: {
      getTypeParser: ((oid: number, format?: 'text' | 'binary') =>
        oid === PG_INT8_OID && format !== 'binary'
          ? (v: string) => Number(v)
          : pg.types.getTypeParser(oid, format)) as typeof pg.types.getTypeParser,
    },
  });
  // A client losing its server must not crash the process: pg emits 'error' on the pool for an
  // idle client and on the client itself while it is checked out (a query in flight when the
  // server shuts down, 57P01), where no listener means an uncaught exception. The query in
  // flight fails on its own and the store's retry (retry.ts) replays it on a new connection.
  pool.on('error', () => undefined);
  pool.on('connect', (client) => client.on('error', () => undefined));
  return new Kysely<Database>({ dialect: new PostgresDialect({ pool }) });
}

/** The Kysely handle for a metadata URL, without migrating (tools and tests; most callers want openMetadataStore). */
export function openDatabase(url: string): { db: Db; dialect: SqlDialect } {
  if (!url) throw new MetadataError('metadata URL is empty: set TSFX_METADATA_URL or TSFX_HOME');
  return isPostgresUrl(url)
    ? { db: openPostgres(url), dialect: 'postgres' }
    : { db: openSqlite(sqlitePath(url)), dialect: 'sqlite' };
}

/**
 * One connection per SQLite file per process, shared by every store opened on it. Two
 * connections in one process would deadlock: better-sqlite3 waits for a lock synchronously,
 * so the second writer's busy wait blocks the event loop the first writer needs to commit.
 * Sharing puts both behind Kysely's connection mutex instead.
 */
const sqliteHandles = new Map<string, { db: Db; refs: number }>();

function acquireSqlite(url: string): { db: Db; release: () => Promise<void> } {
  const file = sqlitePath(url);
  if (file === ':memory:') {
    const db = openSqlite(file);
    return { db, release: () => db.destroy() };
  }
  const key = path.resolve(file);
  let handle = sqliteHandles.get(key);
  if (!handle) {
    handle = { db: openSqlite(file), refs: 0 };
    sqliteHandles.set(key, handle);
  }
  handle.refs++;
  const shared = handle;
  return {
    db: shared.db,
    release: async () => {
      if (--shared.refs > 0) return;
      sqliteHandles.delete(key);
      await shared.db.destroy();
    },
  };
}

export async function openMetadataStore(url: string): Promise<MetadataStore & KyselyMetadataStore> {
  if (!url) throw new MetadataError('metadata URL is empty: set TSFX_METADATA_URL or TSFX_HOME');
  const store = isPostgresUrl(url)
    ? new KyselyMetadataStore(openPostgres(url), 'postgres')
    : (({ db, release }) => new KyselyMetadataStore(db, 'sqlite', release))(acquireSqlite(url));
  try {
    // not retried: a wrong URL or a database that is not there at all is said at once
    await store.migrate();
  } catch (err) {
    await store.close().catch(() => undefined);
    if (err instanceof MetadataError) throw err;
    throw new MetadataError(`cannot prepare metadata database ${redactUrl(url)}: ${(err as Error).message}`, {
      cause: err,
    });
  }
  return retryingStore(store);
}
