/**
 * Fresh metadata databases for the store suite: a new SQLite file in a temp folder, or a new
 * database on the test PostgreSQL (TSFX_TEST_POSTGRES_URL, else started by scripts/postgres.sh).
 */
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import BetterSqlite3 from 'better-sqlite3';
import pg from 'pg';

export type Backend = 'sqlite' | 'postgres';

export interface TestDatabases {
  /** URL of a new, empty database */
  fresh(): Promise<string>;
  /** run SQL directly (no store), for checks the store API does not expose */
  raw(url: string, text: string, params?: unknown[]): Promise<Record<string, unknown>[]>;
  /** drop everything fresh() made */
  cleanup(): Promise<void>;
}

export function postgresBaseUrl(): string {
  if (process.env.TSFX_TEST_POSTGRES_URL) return process.env.TSFX_TEST_POSTGRES_URL;
  const out = execFileSync('bash', ['scripts/postgres.sh', 'start'], {
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const url = out.trim().split('\n').pop()!;
  process.env.TSFX_TEST_POSTGRES_URL = url;
  return url;
}

function sqliteDatabases(): TestDatabases {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tsfx-metadata-'));
  let n = 0;
  return {
    // a nested folder, so every test also checks that the store creates parent folders
    fresh: async () => path.join(dir, `db${++n}`, 'metadata.sqlite'),
    raw: async (url, text, params = []) => {
      const db = new BetterSqlite3(url, { timeout: 10_000 });
      try {
        const stmt = db.prepare(text);
        return stmt.reader ? (stmt.all(...params) as Record<string, unknown>[]) : (stmt.run(...params), []);
      } finally {
        db.close();
      }
    },
    cleanup: async () => fs.rmSync(dir, { recursive: true, force: true }),
  };
}

function postgresDatabases(): TestDatabases {
  const base = postgresBaseUrl();
  const made: string[] = [];
  const admin = async <T>(url: string, fn: (c: pg.Client) => Promise<T>): Promise<T> => {
    const client = new pg.Client({ connectionString: url });
    await client.connect();
    try {
      return await fn(client);
    } finally {
      await client.end();
    }
  };
  return {
    fresh: async () => {
      const name = `tsfx_meta_${randomBytes(5).toString('hex')}`;
      await admin(base, (c) => c.query(`create database ${name}`));
      made.push(name);
      const url = new URL(base);
      url.pathname = `/${name}`;
      return url.toString();
    },
    raw: (url, text, params = []) => admin(url, async (c) => (await c.query(text, params)).rows),
    cleanup: async () => {
      await admin(base, async (c) => {
        for (const name of made.splice(0)) await c.query(`drop database if exists ${name} with (force)`);
      });
    },
  };
}

export const testDatabases = (backend: Backend): TestDatabases =>
  backend === 'sqlite' ? sqliteDatabases() : postgresDatabases();
