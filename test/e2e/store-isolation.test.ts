/**
 * Two metadata stores never see each other's work or files: two TSFX_HOMEs on one Temporal
 * server with the default queues run concurrently and each store holds exactly its own runs
 * and artifacts; one TSFX_HOME switched from SQLite to PostgreSQL leaves the SQLite store's
 * files untouched; a worker of another store that shares queues by an explicit prefix refuses
 * the run at once, naming both stores.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { bindStore, loadConfig } from '../../src/config.js';
import { definePipeline } from '../../src/dsl/pipeline.js';
import { openMetadataStore } from '../../src/metadata/open.js';
import type { Artifact, MetadataStore } from '../../src/metadata/store.js';
import { startPipelineRun, watchRun } from '../../src/orchestration/client.js';
import { Sleep } from '../fixtures/components.js';
import { digestFolder } from '../chaos/invariants.js';
import { runTsfx } from '../helpers/cli.js';
import { e2eEnv, freshPostgresDb, type E2eEnv } from '../helpers/e2e.js';

const opened: { close(): Promise<void> }[] = [];
afterAll(async () => {
  for (const x of opened) await x.close();
});

/** A TSFX_HOME on the test server with the default (store-derived) task queues. */
function home(): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    TSFX_HOME: fs.mkdtempSync(path.join(os.tmpdir(), 'tsfx-home-')),
    TEMPORAL_ADDRESS: process.env.TSFX_TEST_TEMPORAL_ADDRESS,
  };
  delete env.TSFX_QUEUE_PREFIX;
  delete env.TSFX_METADATA_URL;
  delete env.TSFX_ARTIFACT_ROOT;
  return env;
}

async function storeOf(env: NodeJS.ProcessEnv): Promise<MetadataStore> {
  const store = await openMetadataStore(loadConfig(env).metadataUrl);
  opened.push(store);
  return store;
}

/** Every file under `dir` with its sha256, attempt records included: nothing may change at all. */
const digests = (dir: string) => digestFolder(dir, []);

const under = (root: string) => (a: Artifact) => a.uri.startsWith(root + path.sep);

describe('two TSFX_HOMEs on one Temporal server, default queues', () => {
  it('run concurrently, and each store sees exactly its own runs and artifacts', async () => {
    const homes = [home(), home()];
    const results = await Promise.all(
      homes.flatMap((env) => [1, 2].map((i) => runTsfx(env, 'run', 'pipelines/penguin.ts', '--run-id', `r${i}`, '--json'))),
    );
    for (const r of results) expect(r.code, r.stderr).toBe(0);
    const stores = await Promise.all(homes.map(storeOf));
    expect(stores[0]!.storeId).not.toBe(stores[1]!.storeId);
    for (const [i, store] of stores.entries()) {
      const runs = await store.listRuns();
      expect(runs.map((r) => `${r.runId}:${r.status}`).sort()).toEqual(['r1:COMPLETE', 'r2:COMPLETE']);
      const root = bindStore(loadConfig(homes[i]!), store.storeId).storeRoot;
      const artifacts = await store.listArtifacts();
      // run r2 may reuse r1's outputs through the cache, or race it: at least one run's worth
      expect(artifacts.length).toBeGreaterThanOrEqual(4);
      expect(artifacts.filter((a) => !under(root)(a))).toEqual([]);
      for (const a of artifacts) expect(fs.existsSync(a.uri), a.uri).toBe(true);
      // the same pipeline and run ids in both stores: workflow ids carry the store, so they never collide
      for (const x of await store.listExecutions())
        expect(x.workflowId).toMatch(new RegExp(`^penguin/r[12]/${store.storeId.replace(/-/g, '').slice(0, 12)}$`));
    }
  });
});

describe('one TSFX_HOME, switched from SQLite to PostgreSQL', () => {
  it("keeps the SQLite store's files: each store writes below its own identity", async () => {
    const sqliteHome = home();
    const first = await runTsfx(sqliteHome, 'run', 'pipelines/penguin.ts');
    expect(first.code, first.stderr).toBe(0);
    const sqlite = await storeOf(sqliteHome);
    const sqliteRoot = bindStore(loadConfig(sqliteHome), sqlite.storeId).storeRoot;
    const before = digests(sqliteRoot);
    expect(Object.keys(before).length).toBeGreaterThan(4);

    const pgHome = { ...sqliteHome, TSFX_METADATA_URL: await freshPostgresDb() };
    const second = await runTsfx(pgHome, 'run', 'pipelines/penguin.ts');
    expect(second.code, second.stderr).toBe(0);
    const postgres = await storeOf(pgHome);
    expect(postgres.storeId).not.toBe(sqlite.storeId);
    const pgRoot = bindStore(loadConfig(pgHome), postgres.storeId).storeRoot;
    // execution ids restart at 1 in the new store, yet nothing of the old store's changed
    expect((await postgres.listExecutions()).map((x) => x.id)).toContain(1);
    expect(digests(sqliteRoot)).toEqual(before);
    const pgArtifacts = await postgres.listArtifacts();
    expect(pgArtifacts.length).toBeGreaterThanOrEqual(4);
    expect(pgArtifacts.filter((a) => !under(pgRoot)(a))).toEqual([]);
    for (const a of await sqlite.listArtifacts()) expect(fs.existsSync(a.uri), a.uri).toBe(true);
  });
});

describe('two stores sharing task queues through one TSFX_QUEUE_PREFIX', () => {
  let owner: E2eEnv;
  let other: E2eEnv;
  afterAll(async () => {
    await other?.close();
    await owner?.close();
  });

  it("a worker of the other store refuses the run's activities, not retried, naming both stores", async () => {
    owner = await e2eEnv('sqlite');
    other = await e2eEnv('sqlite', { queuePrefix: owner.config.queuePrefix });
    await other.startWorker(); // the only worker polling these queues
    const pipeline = definePipeline({ name: 'crossed' }, (p) => void p.add(Sleep({ label: 'x' }), { id: 'x' }));
    const handle = await startPipelineRun(owner.client, owner.config, pipeline.compile({ root: owner.config.home }));
    // the workflow's first step (recording the run) is refused already: the run fails, naming both stores
    const failure = (await watchRun(handle, () => {}).then(
      () => new Error('the run completed'),
      (err: unknown) => err as Error,
    )) as Error & { cause?: Error & { cause?: Error } };
    const reason = [failure.message, failure.cause?.message, failure.cause?.cause?.message].join(' | ');
    expect(reason).toContain(`belongs to metadata store ${owner.store.storeId}`);
    expect(reason).toContain(`this worker serves store ${other.store.storeId}`);
    // nothing was recorded in either store: the refusal came before any write
    expect(await owner.store.listRuns()).toEqual([]);
    expect(await other.store.listRuns()).toEqual([]);
    expect(await owner.store.listExecutions()).toEqual([]);
    expect(await other.store.listExecutions()).toEqual([]);
    expect(fs.existsSync(owner.config.storeRoot) || fs.existsSync(other.config.storeRoot)).toBe(false);
  });
});
