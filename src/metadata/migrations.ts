/**
 * Numbered migrations, applied in order and recorded in `tsfx_migrations`. One list serves both
 * dialects; the few differences (id columns) go through `idColumn`.
 *
 * Concurrency: the CLI and several workers may open a fresh database at the same moment. All
 * pending migrations run in one transaction that first takes a database-wide lock
 * (SQLite: BEGIN IMMEDIATE; PostgreSQL: pg_advisory_xact_lock), and the applied versions are
 * read only after the lock is held, so a second process finds the work done and does nothing.
 */
import { randomUUID } from 'node:crypto';
import { sql, type Kysely } from 'kysely';
import { MetadataError } from '../errors.js';
import type { Db, SqlDialect } from './schema.js';
import { writeTransaction } from './transaction.js';

interface Migration {
  version: number;
  name: string;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- migrations run before the typed schema exists
  up(db: Kysely<any>, dialect: SqlDialect): Promise<void>;
}

/** Arbitrary constant: the advisory lock every tsfx process agrees on for migrations. */
const MIGRATION_LOCK_KEY = 0x7473_6678; // "tsfx"

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- migrations run before the typed schema exists
type CreateTable = ReturnType<Kysely<any>['schema']['createTable']>;

function idColumn(table: CreateTable, dialect: SqlDialect): CreateTable {
  return dialect === 'postgres'
    ? table.addColumn('id', 'serial', (c) => c.primaryKey())
    : table.addColumn('id', 'integer', (c) => c.primaryKey().autoIncrement());
}

export const migrations: Migration[] = [
  {
    version: 1,
    name: 'mlmd-core',
    async up(db, dialect) {
      await idColumn(db.schema.createTable('type'), dialect)
        .addColumn('name', 'text', (c) => c.notNull())
        .addColumn('kind', 'text', (c) => c.notNull())
        .addUniqueConstraint('type_kind_name_unique', ['kind', 'name'])
        .execute();

      await idColumn(db.schema.createTable('artifact'), dialect)
        .addColumn('type_id', 'integer', (c) => c.notNull().references('type.id'))
        .addColumn('uri', 'text', (c) => c.notNull())
        .addColumn('state', 'text', (c) => c.notNull())
        .addColumn('name', 'text', (c) => c.notNull())
        .addColumn('properties', 'text', (c) => c.notNull())
        .addColumn('create_time', 'bigint', (c) => c.notNull())
        .addColumn('update_time', 'bigint', (c) => c.notNull())
        .execute();
      await db.schema.createIndex('artifact_type_time').on('artifact').columns(['type_id', 'create_time']).execute();
      await db.schema.createIndex('artifact_uri').on('artifact').column('uri').execute();

      await idColumn(db.schema.createTable('execution'), dialect)
        .addColumn('type_id', 'integer', (c) => c.notNull().references('type.id'))
        .addColumn('pipeline', 'text', (c) => c.notNull())
        .addColumn('run_id', 'text', (c) => c.notNull())
        .addColumn('node_id', 'text', (c) => c.notNull())
        .addColumn('state', 'text', (c) => c.notNull())
        .addColumn('cache_key', 'text')
        .addColumn('workflow_id', 'text')
        .addColumn('workflow_run_id', 'text')
        .addColumn('properties', 'text', (c) => c.notNull())
        .addColumn('create_time', 'bigint', (c) => c.notNull())
        .addColumn('update_time', 'bigint', (c) => c.notNull())
        .execute();
      await db.schema.createIndex('execution_cache_key').on('execution').column('cache_key').execute();
      await db.schema.createIndex('execution_run').on('execution').columns(['pipeline', 'run_id', 'node_id']).execute();

      await idColumn(db.schema.createTable('event'), dialect)
        .addColumn('artifact_id', 'integer', (c) => c.notNull().references('artifact.id').onDelete('cascade'))
        .addColumn('execution_id', 'integer', (c) => c.notNull().references('execution.id').onDelete('cascade'))
        .addColumn('type', 'text', (c) => c.notNull())
        .addColumn('name', 'text', (c) => c.notNull())
        .addColumn('idx', 'integer', (c) => c.notNull())
        .addColumn('time', 'bigint', (c) => c.notNull())
        .addUniqueConstraint('event_slot_unique', ['execution_id', 'type', 'name', 'idx'])
        .execute();
      await db.schema.createIndex('event_artifact').on('event').columns(['artifact_id', 'type']).execute();

      await idColumn(db.schema.createTable('context'), dialect)
        .addColumn('type_id', 'integer', (c) => c.notNull().references('type.id'))
        .addColumn('name', 'text', (c) => c.notNull())
        .addColumn('properties', 'text', (c) => c.notNull())
        .addColumn('create_time', 'bigint', (c) => c.notNull())
        .addUniqueConstraint('context_type_name_unique', ['type_id', 'name'])
        .execute();

      await db.schema
        .createTable('attribution')
        .addColumn('context_id', 'integer', (c) => c.notNull().references('context.id').onDelete('cascade'))
        .addColumn('artifact_id', 'integer', (c) => c.notNull().references('artifact.id').onDelete('cascade'))
        .addPrimaryKeyConstraint('attribution_pk', ['context_id', 'artifact_id'])
        .execute();
      await db.schema.createIndex('attribution_artifact').on('attribution').column('artifact_id').execute();

      await db.schema
        .createTable('association')
        .addColumn('context_id', 'integer', (c) => c.notNull().references('context.id').onDelete('cascade'))
        .addColumn('execution_id', 'integer', (c) => c.notNull().references('execution.id').onDelete('cascade'))
        .addPrimaryKeyConstraint('association_pk', ['context_id', 'execution_id'])
        .execute();
      await db.schema.createIndex('association_execution').on('association').column('execution_id').execute();

      await db.schema
        .createTable('parent_context')
        .addColumn('context_id', 'integer', (c) => c.notNull().references('context.id').onDelete('cascade'))
        .addColumn('parent_context_id', 'integer', (c) => c.notNull().references('context.id').onDelete('cascade'))
        .addPrimaryKeyConstraint('parent_context_pk', ['context_id', 'parent_context_id'])
        .execute();
    },
  },
  {
    // The store's identity: artifact paths and default task queues carry it, so two stores on
    // one machine or one Temporal server never write into each other's folders or run each
    // other's work. One row, written once, inside the migration lock (so one id wins).
    version: 2,
    name: 'store-identity',
    async up(db) {
      await db.schema
        .createTable('tsfx_store')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('created_time', 'bigint', (c) => c.notNull())
        .execute();
      await db.insertInto('tsfx_store').values({ id: randomUUID(), created_time: Date.now() }).execute();
    },
  },
];

export const latestVersion = Math.max(...migrations.map((m) => m.version));

/** Apply pending migrations; returns the versions this call applied (empty when up to date). */
export async function migrate(db: Db, dialect: SqlDialect): Promise<number[]> {
  return writeTransaction(db, dialect, async (tx) => {
    if (dialect === 'postgres') await sql`select pg_advisory_xact_lock(${MIGRATION_LOCK_KEY})`.execute(tx);
    await tx.schema
      .createTable('tsfx_migrations')
      .ifNotExists()
      .addColumn('version', 'integer', (c) => c.primaryKey())
      .addColumn('name', 'text', (c) => c.notNull())
      .addColumn('applied_time', 'bigint', (c) => c.notNull())
      .execute();
    const applied = new Set((await tx.selectFrom('tsfx_migrations').select('version').execute()).map((r) => r.version));
    const newest = Math.max(0, ...applied);
    if (newest > latestVersion) {
      throw new MetadataError(
        `metadata database is at schema version ${newest}, newer than this tsfx knows (${latestVersion}); upgrade tsfx`,
      );
    }
    const done: number[] = [];
    for (const m of [...migrations].sort((a, b) => a.version - b.version)) {
      if (applied.has(m.version)) continue;
      await m.up(tx, dialect);
      await tx
        .insertInto('tsfx_migrations')
        .values({ version: m.version, name: m.name, applied_time: Date.now() })
        .execute();
      done.push(m.version);
    }
    return done;
  });
}
