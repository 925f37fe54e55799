/**
 * The metadata connection layer against a real PostgreSQL whose backends are terminated under
 * it (pg_terminate_backend sends 57P01 admin_shutdown, as a server shutdown does): no uncaught
 * `error` event from a checked-out client, and store calls retry onto a new connection. Plus the
 * retry rules themselves: what counts as a connection error, and the window giving up.
 */
import net from 'node:net';
import { sql } from 'kysely';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MetadataUnavailableError } from '../../src/errors.js';
import { openDatabase, openMetadataStore } from '../../src/metadata/open.js';
import { isConnectionError, metadataRetryMs, withConnectionRetry } from '../../src/metadata/retry.js';
import type { MetadataStore } from '../../src/metadata/store.js';
import { freshPostgresDb } from '../helpers/e2e.js';

let url: string;
let admin: pg.Client;

/** Terminate every other session on the test database: each gets 57P01. */
async function terminateSessions(): Promise<number> {
  const db = new URL(url).pathname.slice(1);
  const res = await admin.query(
    'select pg_terminate_backend(pid) from pg_stat_activity where datname = $1 and pid <> pg_backend_pid()',
    [db],
  );
  return res.rowCount ?? 0;
}

beforeAll(async () => {
  url = await freshPostgresDb();
  admin = new pg.Client({ connectionString: url });
  await admin.connect();
});
afterAll(async () => {
  await admin?.end();
});

describe('on PostgreSQL', () => {
  it('a client terminated while checked out (inside a transaction) does not crash the process', async () => {
    const { db } = openDatabase(url);
    try {
      const err = await db
        .transaction()
        .execute(async (tx) => {
          await sql`select 1`.execute(tx);
          expect(await terminateSessions()).toBeGreaterThan(0);
          // the 57P01 arrives while no query is active: pg emits it as an 'error' event on the client
          await new Promise((r) => setTimeout(r, 500));
          await sql`select 1`.execute(tx);
        })
        .catch((e: unknown) => e);
      expect(err).toBeInstanceOf(Error);
      expect(isConnectionError(err)).toBe(true);
      // and the pool hands out a working connection afterwards
      expect((await sql<{ n: number }>`select 2 as n`.execute(db)).rows[0]!.n).toBe(2);
    } finally {
      await db.destroy();
    }
  });

  it('a store call made while the database is unreachable waits, and runs once when it is back', async () => {
    // the store reaches PostgreSQL through a TCP relay this test takes down and brings back
    const target = new URL(url);
    const sockets = new Set<net.Socket>();
    const relay = net.createServer((inbound) => {
      const outbound = net.connect(Number(target.port), target.hostname);
      for (const s of [inbound, outbound]) {
        sockets.add(s);
        s.on('error', () => undefined);
        s.on('close', () => (inbound.destroy(), outbound.destroy()));
      }
      inbound.pipe(outbound).pipe(inbound);
    });
    await new Promise<void>((r) => relay.listen(0, '127.0.0.1', r));
    const port = (relay.address() as net.AddressInfo).port;
    const via = new URL(url);
    via.port = String(port);
    const store: MetadataStore = await openMetadataStore(via.toString());
    try {
      await store.listRuns();
      // down: established connections cut, new ones refused
      await new Promise<void>((r) => relay.close(() => r()));
      for (const s of sockets) s.destroy();
      const call = store.createExecution({
        type: 'Sleep',
        pipeline: 'p',
        runId: 'r',
        nodeId: 'n',
        state: 'RUNNING',
        properties: {},
        inputs: [],
      });
      let settled = false;
      void call.finally(() => (settled = true)).catch(() => undefined);
      await new Promise((r) => setTimeout(r, 3_000));
      expect(settled).toBe(false);
      await new Promise<void>((r) => relay.listen(port, '127.0.0.1', r));
      const exec = await call;
      expect((await store.getExecution(exec.id))?.state).toBe('RUNNING');
      // the transaction ran once: one execution, not one per attempt
      expect(await store.listExecutions({ pipeline: 'p' })).toHaveLength(1);
    } finally {
      await store.close();
      relay.close();
      for (const s of sockets) s.destroy();
    }
  });
});

describe('retry rules', () => {
  const pgError = (code: string) => Object.assign(new Error(`pg ${code}`), { code });

  it('counts connection loss, refusal and shutdown as connection errors, nothing else', () => {
    for (const code of ['ECONNREFUSED', 'ECONNRESET', '57P01', '57P03', '08006', '08001', 'SQLITE_BUSY'])
      expect(isConnectionError(pgError(code)), code).toBe(true);
    expect(isConnectionError(new Error('Connection terminated unexpectedly'))).toBe(true);
    expect(isConnectionError(new Error('wrapped', { cause: pgError('57P01') }))).toBe(true);
    for (const code of ['23505', '42P01', '40001', 'SQLITE_CONSTRAINT'])
      expect(isConnectionError(pgError(code)), code).toBe(false);
  });

  it('retries until the call succeeds, and throws other errors at once', async () => {
    let calls = 0;
    const ok = await withConnectionRetry('t', async () => {
      if (++calls < 3) throw pgError('57P03');
      return 'ok';
    });
    expect([ok, calls]).toEqual(['ok', 3]);
    calls = 0;
    await expect(
      withConnectionRetry('t', async () => {
        calls++;
        throw pgError('23505');
      }),
    ).rejects.toThrow('pg 23505');
    expect(calls).toBe(1);
  });

  it('gives up after the window with MetadataUnavailableError; TSFX_METADATA_RETRY_MS sets it', async () => {
    const err = await withConnectionRetry('t', () => Promise.reject(pgError('ECONNREFUSED')), { windowMs: 500 }).catch(
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(MetadataUnavailableError);
    expect((err as Error).message).toMatch(/unreachable for 1 s \(t\): pg ECONNREFUSED/);
    expect(metadataRetryMs({})).toBe(60_000);
    expect(metadataRetryMs({ TSFX_METADATA_RETRY_MS: '15000' })).toBe(15_000);
    expect(() => metadataRetryMs({ TSFX_METADATA_RETRY_MS: 'soon' })).toThrow(/TSFX_METADATA_RETRY_MS/);
  });
});
