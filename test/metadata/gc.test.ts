/**
 * Garbage collection of metadata rows, on SQLite and on a real PostgreSQL: what is kept (kept
 * runs, their whole upstream, served models, other pipelines), what goes, and that the rows
 * left still hang together (no event, attribution or association points at a missing row).
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { DefinitionError } from '../../src/errors.js';
import { RunningRunsError } from '../../src/metadata/gc.js';
import type { KyselyMetadataStore } from '../../src/metadata/kysely-store.js';
import { openMetadataStore } from '../../src/metadata/open.js';
import type { MetadataStore } from '../../src/metadata/store.js';
import { testDatabases, type Backend, type TestDatabases } from './backends.js';
import { chain, newExec, tick } from './fixtures.js';

/** r1 in full; r2 reuses r1's Examples through the cache and makes the rest anew; r3 in full. */
async function threeRuns(store: MetadataStore) {
  const r1 = await chain(store, 'r1');
  await tick();
  const cachedGen = await store.recordCachedExecution(newExec('ExampleGen', { runId: 'r2', cacheKey: 'gen' }), [
    { name: 'examples', artifactId: r1.examples.id },
  ]);
  const stats2 = await store.createExecution(
    newExec('StatisticsGen', { runId: 'r2', inputs: [{ name: 'examples', artifactId: r1.examples.id }] }),
  );
  const [statistics2] = await store.publishExecution(stats2.id, [
    { name: 'statistics', type: 'ExampleStatistics', uri: '/a/r2/stats', properties: { splitNames: ['train'] } },
  ]);
  await tick();
  const r3 = await chain(store, 'r3');
  return { r1, cachedGen, stats2, statistics2: statistics2!, r3 };
}

describe.each<Backend>(['sqlite', 'postgres'])('metadata gc on %s', (backend) => {
  let dbs: TestDatabases;
  let url: string;
  let store: KyselyMetadataStore;

  beforeAll(() => {
    dbs = testDatabases(backend);
  });
  afterAll(async () => dbs.cleanup());
  afterEach(async () => store?.close());

  const open = async () => {
    url = await dbs.fresh();
    store = await openMetadataStore(url);
    return store;
  };
  const count = async (table: string) => Number((await dbs.raw(url, `select count(*) as n from ${table}`))[0]!.n);
  const counts = async () =>
    Object.fromEntries(
      await Promise.all(
        ['artifact', 'execution', 'event', 'attribution', 'association', 'context'].map(async (t) => [
          t,
          await count(t),
        ]),
      ),
    );
  /** rows pointing at rows that are gone: must stay 0 after every gc */
  const dangling = async () => {
    const checks = [
      'select count(*) as n from event e where not exists (select 1 from artifact a where a.id = e.artifact_id) or not exists (select 1 from execution x where x.id = e.execution_id)',
      'select count(*) as n from attribution t where not exists (select 1 from artifact a where a.id = t.artifact_id)',
      'select count(*) as n from association t where not exists (select 1 from execution x where x.id = t.execution_id)',
      'select count(*) as n from attribution t where not exists (select 1 from context c where c.id = t.context_id)',
    ];
    let n = 0;
    for (const q of checks) n += Number((await dbs.raw(url, q))[0]!.n);
    return n;
  };
  const ids = (list: { id: number }[]) => list.map((x) => x.id).sort((a, b) => a - b);

  it('keeps the kept runs, their upstream (an artifact reused from an old run included), and removes the rest', async () => {
    await open();
    const { r1, cachedGen, stats2, statistics2, r3 } = await threeRuns(store);

    const plan = await store.collectGarbage({ keepRuns: 2 });
    expect(plan.keptRuns).toEqual([
      { pipeline: 'penguin', runId: 'r3' },
      { pipeline: 'penguin', runId: 'r2' },
    ]);
    // r1's Examples stay (r2 reused them), and so does the ExampleGen execution that made them
    expect(ids(plan.artifacts)).toEqual(ids([r1.statistics, r1.schema, r1.anomalies]));
    expect(ids(plan.executions)).toEqual(ids([r1.stats, r1.sg, r1.ev]));
    expect(plan.runs).toEqual([]);
    expect(await store.getArtifact(r1.examples.id)).toBeDefined();
    expect(await store.getExecution(r1.gen.id)).toBeDefined();
    expect(await store.getArtifact(r1.statistics.id)).toBeUndefined();
    expect(await store.getExecution(r1.stats.id)).toBeUndefined();
    // lineage of what stays is whole: r2's statistics come from r1's Examples made by r1's ExampleGen
    const up = await store.lineage(statistics2.id, 'upstream');
    expect(up.executions[0]!.execution.id).toBe(stats2.id);
    expect(up.executions[0]!.artifacts[0]!.artifact.id).toBe(r1.examples.id);
    expect(up.executions[0]!.artifacts[0]!.executions[0]!.execution.id).toBe(r1.gen.id);
    expect(await store.getExecution(cachedGen.id)).toBeDefined();
    expect((await store.lineage(r3.anomalies.id, 'upstream')).executions).toHaveLength(1);
    // a cache lookup can no longer find what was collected
    expect(await dbs.raw(url, `select id from execution where id = ${r1.stats.id}`)).toEqual([]);
    expect(await dangling()).toBe(0);

    // again with one run kept: r1 and r2 go entirely, their run contexts too
    const second = await store.collectGarbage({ keepRuns: 1 });
    expect(ids(second.artifacts)).toEqual(ids([r1.examples, statistics2]));
    expect(ids(second.executions)).toEqual(ids([r1.gen, cachedGen, stats2]));
    expect(second.runs.map((r) => r.runId).sort()).toEqual(['r1', 'r2']);
    expect((await store.listRuns()).map((r) => r.runId)).toEqual(['r3']);
    expect((await store.listContexts({ type: 'pipeline_run' })).map((c) => c.name)).toEqual(['penguin/r3']);
    expect(ids(await store.listArtifacts())).toEqual(ids([r3.examples, r3.statistics, r3.schema, r3.anomalies]));
    expect(await dangling()).toBe(0);
    // nothing left to collect
    const third = await store.collectGarbage({ keepRuns: 1 });
    expect([third.artifacts.length, third.executions.length, third.runs.length]).toEqual([0, 0, 0]);
  });

  it('a canceled run neither counts toward the kept runs nor is kept', async () => {
    await open();
    const r1 = await chain(store, 'r1');
    await tick();
    const r2 = await chain(store, 'r2');
    await store.recordRunState({ pipeline: 'penguin', runId: 'r2', state: 'CANCELED' });
    const plan = await store.collectGarbage({ keepRuns: 1 });
    expect(plan.keptRuns).toEqual([{ pipeline: 'penguin', runId: 'r1' }]);
    expect(await store.getArtifact(r1.anomalies.id)).toBeDefined();
    expect(await store.getArtifact(r2.anomalies.id)).toBeUndefined();
    expect(await dangling()).toBe(0);
  });

  it('plans without changing anything', async () => {
    await open();
    await threeRuns(store);
    const before = await counts();
    const plan = await store.planGarbageCollection({ keepRuns: 1 });
    expect(plan.artifacts).toHaveLength(5);
    expect(await counts()).toEqual(before);
    const done = await store.collectGarbage({ keepRuns: 1 });
    expect(ids(done.artifacts)).toEqual(ids(plan.artifacts));
    expect(await count('artifact')).toBe(before.artifact - 5);
  });

  it('keeps every PushedModel with its upstream, and the inputs of any execution of a kept run', async () => {
    await open();
    const r1 = await chain(store, 'r1');
    const trainer = await store.createExecution(
      newExec('Trainer', { inputs: [{ name: 'examples', artifactId: r1.examples.id }] }),
    );
    const [model, modelRun] = await store.publishExecution(trainer.id, [
      { name: 'model', type: 'Model', uri: '/a/r1/model', properties: {} },
      { name: 'modelRun', type: 'ModelRun', uri: '/a/r1/model-run', properties: {} },
    ]);
    const pusher = await store.createExecution(
      newExec('Pusher', { inputs: [{ name: 'model', artifactId: model!.id }] }),
    );
    const [pushed] = await store.publishExecution(pusher.id, [
      { name: 'pushedModel', type: 'PushedModel', uri: '/serving/penguin/1', properties: { version: 1 } },
    ]);
    // a Pusher that refused (not blessed) served nothing: its PushedModel goes with its run
    const refusing = await store.createExecution(newExec('Pusher', { inputs: [{ name: 'model', artifactId: model!.id }] }));
    const [notPushed] = await store.publishExecution(refusing.id, [
      { name: 'pushedModel', type: 'PushedModel', uri: '/a/r1/not-pushed', properties: { pushed: false, reason: 'not blessed' } },
    ]);
    await tick();
    // r2 has one execution, failed, whose input its driver found in metadata (r1's schema)
    const failed = await store.createExecution(
      newExec('ExampleValidator', { runId: 'r2', inputs: [{ name: 'schema', artifactId: r1.schema.id }] }),
    );
    await store.updateExecution(failed.id, { state: 'FAILED' });

    const plan = await store.collectGarbage({ keepRuns: 1 });
    // Model's sibling ModelRun and what only led to the anomalies go; the served model's chain stays
    expect(ids(plan.artifacts)).toEqual(ids([modelRun!, notPushed!, r1.anomalies]));
    expect(ids(plan.executions)).toEqual(ids([r1.ev, refusing]));
    for (const a of [pushed!, model!, r1.examples, r1.schema, r1.statistics])
      expect(await store.getArtifact(a.id), a.name).toBeDefined();
    expect(await store.getExecution(trainer.id)).toBeDefined();
    expect(await dangling()).toBe(0);
  });

  it('refuses while a run is RUNNING unless forced, and never deletes an open execution or its inputs', async () => {
    await open();
    const r1 = await chain(store, 'r1');
    await tick();
    await chain(store, 'r2');
    const open1 = await store.createExecution(
      newExec('Transform', { runId: 'r1', inputs: [{ name: 'examples', artifactId: r1.examples.id }] }),
    );
    const before = await counts();
    const err = await store.collectGarbage({ keepRuns: 1 }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(RunningRunsError);
    expect((err as Error).message).toMatch(/penguin\/r1 is RUNNING/);
    expect(await counts()).toEqual(before);

    const plan = await store.collectGarbage({ keepRuns: 1, force: true });
    expect(plan.running).toEqual([{ pipeline: 'penguin', runId: 'r1' }]);
    expect(ids(plan.artifacts)).toEqual(ids([r1.statistics, r1.schema, r1.anomalies]));
    expect(await store.getExecution(open1.id)).toBeDefined();
    expect(await store.getArtifact(r1.examples.id)).toBeDefined();
    expect(await dangling()).toBe(0);
  });

  it("collects a failed execution's reserved PENDING outputs, even in a kept run, never a running one's", async () => {
    await open();
    const reserve = (name: string) => [{ name, type: 'Model' as const, uriOf: (id: number) => `/a/trainer/${name}/${id}` }];
    const failed = await store.createExecution(newExec('Trainer', { runId: 'r1', outputs: reserve('model') }));
    const running = await store.createExecution(newExec('Trainer-b', { runId: 'r1', outputs: reserve('model') }));
    const [failedModel] = await store.reservedOutputs(failed.id);
    const [runningModel] = await store.reservedOutputs(running.id);
    expect(failedModel!.artifact).toMatchObject({ state: 'PENDING', uri: `/a/trainer/model/${failedModel!.artifact.id}` });
    await store.updateExecution(failed.id, { state: 'FAILED' });
    // reserved artifacts are not listed by default, and no driver finds them
    expect(await store.listArtifacts()).toEqual([]);
    expect(await store.latestArtifact({ type: 'Model', pipeline: 'penguin' })).toBeUndefined();
    expect(ids(await store.listArtifacts({ state: 'any' }))).toEqual(ids([failedModel!.artifact, runningModel!.artifact]));

    const plan = await store.collectGarbage({ keepRuns: 5, force: true });
    expect(ids(plan.artifacts)).toEqual([failedModel!.artifact.id]);
    // the failed execution stays with its run (kept): only the never-published reservation went
    expect(plan.executions).toEqual([]);
    expect((await store.getExecution(failed.id))?.state).toBe('FAILED');
    expect(await store.reservedOutputs(failed.id)).toEqual([]);
    expect(await store.getArtifact(runningModel!.artifact.id)).toBeDefined();
    expect(await dangling()).toBe(0);
  });

  it('collects in one pipeline only, never what another pipeline uses', async () => {
    await open();
    const r1 = await chain(store, 'r1');
    const o0 = await store.createExecution(newExec('ExampleGen', { pipeline: 'other', runId: 'o0' }));
    const [o0Examples] = await store.publishExecution(o0.id, [
      { name: 'examples', type: 'Examples', uri: '/o/0', properties: {} },
    ]);
    await tick();
    // another pipeline reused penguin's r1 Examples through the cache (the key is global)
    await store.recordCachedExecution(newExec('ExampleGen', { pipeline: 'other', runId: 'o1' }), [
      { name: 'examples', artifactId: r1.examples.id },
    ]);
    await tick();
    await chain(store, 'r2');

    const plan = await store.collectGarbage({ keepRuns: 1, pipeline: 'penguin' });
    expect(ids(plan.artifacts)).toEqual(ids([r1.statistics, r1.schema, r1.anomalies]));
    expect(await store.getArtifact(r1.examples.id)).toBeDefined();
    expect(await store.getExecution(o0.id)).toBeDefined();
    // every pipeline: other's old run goes, what its kept run reused stays
    const all = await store.collectGarbage({ keepRuns: 1 });
    expect(ids(all.artifacts)).toEqual(ids([o0Examples!]));
    expect(all.runs).toEqual([{ pipeline: 'other', runId: 'o0' }]);
    expect(await store.getArtifact(r1.examples.id)).toBeDefined();
    expect(await dangling()).toBe(0);
    await expect(store.collectGarbage({ keepRuns: 1, pipeline: 'nope' })).rejects.toThrow(DefinitionError);
    await expect(store.collectGarbage({ keepRuns: -1 })).rejects.toThrow(/--keep-runs/);
  });
});
