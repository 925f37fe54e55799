/**
 * PostgreSQL (the metadata store) crashes in the middle of a run and is back ~15 s later:
 * `pg_ctl stop -m immediate` while queries are in flight, then a start on the same cluster.
 * `tsfx run` must not crash (pg's error events on checked-out clients), and the run must complete:
 * metadata calls wait the outage out in the store layer instead of failing activity attempts.
 */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import pg from 'pg';
import { WIDTH } from '../fixtures/pipelines/wide.js';
import { e2eEnv, type E2eEnv } from '../helpers/e2e.js';
import { spawnTsfx, waitFor, type Background } from '../helpers/processes.js';

let env: E2eEnv;
let run: Background | undefined;

const postgres = (cmd: 'start' | 'kill') =>
  execFileSync('bash', ['scripts/postgres.sh', cmd], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] });

async function accepting(url: string): Promise<boolean> {
  const c = new pg.Client({ connectionString: url, connectionTimeoutMillis: 2_000 });
  c.on('error', () => undefined);
  try {
    await c.connect();
    await c.query('select 1');
    return true;
  } catch {
    return false;
  } finally {
    await c.end().catch(() => undefined);
  }
}

async function checkpoint(url: string): Promise<void> {
  const c = new pg.Client({ connectionString: url });
  await c.connect();
  await c.query('checkpoint');
  await c.end();
}

beforeAll(async () => {
  env = await e2eEnv('postgres');
});
afterAll(async () => {
  if (run?.child.exitCode === null) run.child.kill('SIGKILL');
  postgres('start'); // whatever happened, leave the shared test server up
  await env?.close();
});

it('a run on PostgreSQL survives a 15 s database crash: no crash of tsfx run, the run completes', async () => {
  const url = env.config.metadataUrl;
  const attempts = path.join(env.config.home, 'attempts.log');
  const started = () => (fs.existsSync(attempts) ? fs.readFileSync(attempts, 'utf8').trim().split('\n') : []);
  run = spawnTsfx(
    { ...env.env, TSFX_COMPONENTS: 'test/fixtures/cli-components.ts', TSFX_TEST_ATTEMPTS_FILE: attempts },
    'run',
    'test/fixtures/pipelines/wide.ts',
  );
  // the worker's 8 executor slots are busy sleeping (they report progress); the other nodes'
  // executors start, and read metadata, when those finish: during the outage
  await waitFor(
    'the executors to be running',
    () => started().length >= 8,
    120_000,
    20,
  ).catch((err: Error) => {
    throw new Error(`${err.message}; output:\n${run!.output()}`);
  });
  // the test cluster runs with synchronous_commit=off: flush what is committed, or a crash may
  // lose the last commits (a durability setting of the test server, not what is tested here)
  await checkpoint(url);
  postgres('kill');
  expect(await accepting(url)).toBe(false);
  await new Promise((r) => setTimeout(r, 15_000));
  expect(run.child.exitCode, run.output()).toBeNull();
  postgres('start');
  await waitFor('PostgreSQL to accept connections', () => accepting(url), 60_000);

  const code = await Promise.race([run.exited, new Promise((r) => setTimeout(() => r('still running'), 300_000))]);
  expect(code, run.output()).toBe(0);
  expect(run.output()).not.toMatch(/Unhandled 'error' event|admin_shutdown|terminating connection/);
  for (let i = 1; i <= WIDTH; i++) expect(run.output()).toMatch(new RegExp(`w${i} {2}COMPLETE`));
  const execs = await env.store.listExecutions({ pipeline: 'wide' });
  expect(execs.map((e) => e.state)).toEqual(Array.from({ length: WIDTH }, () => 'COMPLETE'));
  // one executor attempt per node: the outage used none up (the nodes past the 8 slots started
  // theirs while the database was down)
  expect(started().map((l) => l.split(' ')[0]).sort()).toEqual(Array.from({ length: WIDTH }, (_, i) => `w${i + 1}`).sort());
}, 480_000);
