/**
 * One suite, two backends: every behaviour of the metadata store is checked on SQLite and on
 * a real PostgreSQL, each test on a fresh database.
 */
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import { promisify } from 'node:util';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { MetadataError } from '../../src/errors.js';
import { latestVersion } from '../../src/metadata/migrations.js';
import { openMetadataStore } from '../../src/metadata/open.js';
import type { KyselyMetadataStore } from '../../src/metadata/kysely-store.js';
import type { ExecutionState } from '../../src/metadata/store.js';
import { testDatabases, type Backend, type TestDatabases } from './backends.js';
import { chain, newExec, shape, tick } from './fixtures.js';

const run = promisify(execFile);
describe.each<Backend>(['sqlite', 'postgres'])('metadata store on %s', (backend) => {
  let dbs: TestDatabases;
  let url: string;
  let store: KyselyMetadataStore;

  beforeAll(() => {
    dbs = testDatabases(backend);
  });
  afterAll(async () => dbs.cleanup());

  const open = async () => {
    url = await dbs.fresh();
    store = await openMetadataStore(url);
    return store;
  };
  afterEach(async () => store?.close());

  it('migrates once: reopening and re-running migrate() change nothing', async () => {
    await open();
    await store.migrate();
    await store.migrate();
    await store.close();
    store = await openMetadataStore(url);
    const rows = await dbs.raw(url, 'select version from tsfx_migrations order by version');
    expect(rows.map((r) => Number(r.version))).toEqual(Array.from({ length: latestVersion }, (_, i) => i + 1));
    if (backend === 'sqlite') {
      expect(fs.existsSync(url)).toBe(true);
      expect(await dbs.raw(url, 'pragma journal_mode')).toEqual([{ journal_mode: 'wal' }]);
    }
  });

  it('has an identity, the same on every open and different per database', async () => {
    await open();
    const id = store.storeId;
    expect(id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    await store.close();
    store = await openMetadataStore(url);
    expect(store.storeId).toBe(id);
    const other = await openMetadataStore(await dbs.fresh());
    expect(other.storeId).not.toBe(id);
    await other.close();
  });

  it('records one execution per node and workflow run: the same create again returns it', async () => {
    await open();
    const e = { type: 'ExampleGen', pipeline: 'p', runId: 'r', nodeId: 'n', state: 'RUNNING' as const, workflowRunId: 'wf-1', inputs: [] };
    const first = await store.createExecution(e);
    expect((await store.createExecution(e)).id).toBe(first.id);
    expect((await store.createExecution({ ...e, workflowRunId: 'wf-2' })).id).not.toBe(first.id);
    expect(await store.listExecutions({ runId: 'r' })).toHaveLength(2);
  });

  it('reserves PENDING outputs with the execution, once per workflow run, and publishes them in place', async () => {
    await open();
    const uriOf = (name: string) => (id: number) => `/a/p/n/${name}/${id}`;
    const e = {
      ...newExec('Trainer', { workflowRunId: 'wf-1' }),
      outputs: [
        { name: 'model', type: 'Model' as const, uriOf: uriOf('model') },
        { name: 'modelRun', type: 'ModelRun' as const, uriOf: uriOf('modelRun') },
      ],
    };
    const x = await store.createExecution(e);
    const reserved = await store.reservedOutputs(x.id);
    expect(reserved.map((r) => [r.name, r.artifact.state, r.artifact.uri])).toEqual([
      ['model', 'PENDING', `/a/p/n/model/${reserved[0]!.artifact.id}`],
      ['modelRun', 'PENDING', `/a/p/n/modelRun/${reserved[1]!.artifact.id}`],
    ]);
    // a retried prepare: the same execution and the same reservations, nothing new
    expect((await store.createExecution(e)).id).toBe(x.id);
    expect(await store.reservedOutputs(x.id)).toEqual(reserved);
    expect(await store.listArtifacts({ state: 'any' })).toHaveLength(2);
    const [model, modelRun] = reserved.map((r) => r.artifact);
    const outputs = [
      { name: 'model', type: 'Model' as const, uri: model!.uri, properties: { backend: 'cpu' } },
      { name: 'modelRun', type: 'ModelRun' as const, uri: modelRun!.uri, properties: {} },
    ];
    await expect(store.publishExecution(x.id, [outputs[0]!, { ...outputs[1]!, uri: '/elsewhere' }])).rejects.toThrow(
      /output 'modelRun' is reserved as ModelRun at \/a\/p\/n\/modelRun\/\d+, not ModelRun at \/elsewhere/,
    );
    await expect(store.publishExecution(x.id, [outputs[0]!])).rejects.toThrow(/output 'modelRun' was reserved but is not published/);
    const published = await store.publishExecution(x.id, outputs);
    expect(published.map((a) => [a.id, a.state, a.properties])).toEqual([
      [model!.id, 'LIVE', { backend: 'cpu' }],
      [modelRun!.id, 'LIVE', {}],
    ]);
    expect((await store.eventsOfExecution(x.id)).map((ev) => [ev.type, ev.name])).toEqual([
      ['OUTPUT', 'model'],
      ['OUTPUT', 'modelRun'],
    ]);
    const idsOf = (as: { id: number }[]) => as.map((a) => a.id).sort((a, b) => a - b);
    expect(idsOf(await store.listArtifacts({ pipeline: 'penguin', runId: 'r1' }))).toEqual(idsOf(published));
    expect((await store.lineage(model!.id, 'upstream', 1)).executions.map((ex) => ex.execution.id)).toEqual([x.id]);
  });

  it('refuses a database migrated by a newer tsfx', async () => {
    await open();
    await store.close();
    await dbs.raw(url, `insert into tsfx_migrations (version, name, applied_time) values (999, 'future', 0)`);
    const err = await openMetadataStore(url).catch((e) => e);
    expect(err).toBeInstanceOf(MetadataError);
    expect(err.message).toMatch(/schema version 999/);
  });

  it('migrates safely from several processes at once', async () => {
    url = await dbs.fresh();
    const startAt = String(Date.now() + 2500);
    const outs = await Promise.all(
      [1, 2, 3].map(() => run(process.execPath, ['--import', 'tsx', 'test/metadata/migrate-child.ts', url, startAt])),
    );
    const applied = outs.map((o) => JSON.parse(o.stdout.trim().split('\n').pop()!) as number[]);
    // exactly one process applied each version; the others found it done
    expect(applied.flat().sort()).toEqual(Array.from({ length: latestVersion }, (_, i) => i + 1));
    expect(applied.filter((a) => a.length === 0)).toHaveLength(2);
    store = await openMetadataStore(url);
    const types = await dbs.raw(url, `select name from type where name like 'child-%'`);
    expect(types).toHaveLength(3);
  });

  it('lets two stores of one process write the same database at once', async () => {
    await open();
    const second = await openMetadataStore(url);
    try {
      const made = await Promise.all(
        Array.from({ length: 6 }, (_, i) =>
          (i % 2 ? store : second).createExecution(newExec(`N${i}`, { runId: `r${i % 3}` })),
        ),
      );
      await Promise.all(
        made.map((e, i) =>
          (i % 2 ? second : store).publishExecution(e.id, [
            { name: 'out', type: 'Schema', uri: `/s/${i}`, properties: {} },
          ]),
        ),
      );
    } finally {
      await second.close();
    }
    // closing one store leaves the other usable
    expect(await store.listExecutions({ state: 'COMPLETE' })).toHaveLength(6);
    expect(await store.listContexts({ type: 'pipeline_run' })).toHaveLength(3);
  });

  it('records an execution with inputs, publishes outputs with events and contexts', async () => {
    await open();
    const { stats, examples, statistics } = await chain(store);
    expect(examples).toMatchObject({
      type: 'Examples',
      state: 'LIVE',
      name: 'ExampleGen.examples',
      uri: '/a/r1/examples',
    });
    expect(examples.properties).toEqual({ splitNames: ['train'] });
    expect(examples.createTime).toBeInstanceOf(Date);

    const got = await store.getExecution(stats.id);
    expect(got).toMatchObject({
      type: 'StatisticsGen',
      state: 'COMPLETE',
      pipeline: 'penguin',
      runId: 'r1',
      nodeId: 'StatisticsGen',
    });
    expect(await store.eventsOfExecution(stats.id)).toEqual([
      { artifactId: examples.id, executionId: stats.id, type: 'INPUT', name: 'examples', index: 0 },
      { artifactId: statistics.id, executionId: stats.id, type: 'OUTPUT', name: 'statistics', index: 0 },
    ]);
    expect((await store.eventsOfArtifact(examples.id)).map((e) => `${e.type}:${e.executionId}`)).toEqual([
      expect.stringMatching(/^OUTPUT:/),
      `INPUT:${stats.id}`,
    ]);

    const names = (cs: { type: string; name: string }[]) => cs.map((c) => `${c.type}=${c.name}`);
    expect(names(await store.contextsOfExecution(stats.id))).toEqual([
      'pipeline=penguin',
      'pipeline_run=penguin/r1',
      'node=penguin.StatisticsGen',
    ]);
    expect(names(await store.contextsOfArtifact(statistics.id))).toEqual([
      'pipeline=penguin',
      'pipeline_run=penguin/r1',
      'node=penguin.StatisticsGen',
    ]);
    expect((await store.listContexts({ type: 'pipeline_run' })).map((c) => [c.name, c.properties])).toEqual([
      ['penguin/r1', { pipeline: 'penguin', runId: 'r1' }],
    ]);
    expect(await store.listContexts({ type: 'node' })).toHaveLength(4);
  });

  it('indexes repeated input names and merges execution properties on update', async () => {
    await open();
    const { examples, statistics } = await chain(store);
    const e = await store.createExecution(
      newExec('Trainer', {
        properties: { params: { epochs: 3 } },
        inputs: [
          { name: 'examples', artifactId: examples.id },
          { name: 'examples', artifactId: statistics.id },
        ],
      }),
    );
    expect((await store.eventsOfExecution(e.id)).map((x) => [x.name, x.index, x.artifactId])).toEqual([
      ['examples', 0, examples.id],
      ['examples', 1, statistics.id],
    ]);
    await store.updateExecution(e.id, { state: 'FAILED', properties: { error: 'boom' } });
    expect(await store.getExecution(e.id)).toMatchObject({
      state: 'FAILED',
      properties: { params: { epochs: 3 }, error: 'boom' },
    });
  });

  it('publishes idempotently: a retried or concurrent publisher adds nothing', async () => {
    await open();
    const e = await store.createExecution(newExec('Trainer'));
    const outputs = [
      { name: 'model', type: 'Model' as const, uri: '/a/model', properties: { backend: 'cpu' } },
      { name: 'modelRun', type: 'ModelRun' as const, uri: '/a/run', properties: {} },
    ];
    // a retry publishes the same thing; which of the concurrent calls wins the row lock is not fixed
    const [first, second, third] = await Promise.all([
      store.publishExecution(e.id, outputs, { backend: 'cpu' }),
      store.publishExecution(e.id, outputs, { backend: 'cpu' }),
      store.publishExecution(e.id, outputs, { backend: 'cpu' }),
    ]);
    expect(first.map((a) => a.uri)).toEqual(['/a/model', '/a/run']);
    expect(second.map((a) => a.id)).toEqual(first.map((a) => a.id));
    expect(third.map((a) => a.id)).toEqual(first.map((a) => a.id));
    const again = await store.publishExecution(e.id, outputs);
    expect(again).toEqual(first);
    expect((await store.eventsOfExecution(e.id)).filter((x) => x.type === 'OUTPUT')).toHaveLength(2);
    expect(await store.listArtifacts()).toHaveLength(2);
    expect((await store.getExecution(e.id))?.properties).toEqual({ backend: 'cpu' });
  });

  it('refuses to publish an execution that was canceled or failed', async () => {
    await open();
    const e = await store.createExecution(newExec('Trainer'));
    await store.updateExecution(e.id, { state: 'CANCELED' });
    await expect(store.publishExecution(e.id, [])).rejects.toThrow(/execution \d+ is CANCELED/);
    await expect(
      store.publishExecution(e.id, [{ name: 'x', type: 'Nope' as never, uri: '/x', properties: {} }]),
    ).rejects.toThrow(/unknown artifact type 'Nope'/);
  });

  it('records a cached execution that links to the same artifacts, in its own run', async () => {
    await open();
    const { stats, examples, statistics } = await chain(store, 'r1');
    const cached = await store.recordCachedExecution(
      newExec('StatisticsGen', {
        runId: 'r2',
        state: 'RUNNING',
        cacheKey: 'k',
        inputs: [{ name: 'examples', artifactId: examples.id }],
      }),
      [{ name: 'statistics', artifactId: statistics.id }],
    );
    expect(cached.state).toBe('CACHED');
    const outputEvents = (await store.eventsOfArtifact(statistics.id)).filter((e) => e.type === 'OUTPUT');
    expect(outputEvents.map((e) => [e.type, e.executionId])).toEqual([
      ['OUTPUT', stats.id],
      ['OUTPUT', cached.id],
    ]);
    expect((await store.listArtifacts({ pipeline: 'penguin', runId: 'r2' })).map((a) => a.id)).toEqual([statistics.id]);
    expect((await store.contextsOfArtifact(statistics.id)).map((c) => c.name)).toContain('penguin/r2');
    expect(await store.listArtifacts()).toHaveLength(4);
    await expect(
      store.recordCachedExecution(newExec('StatisticsGen'), [{ name: 'statistics', artifactId: 4242 }]),
    ).rejects.toThrow(/no artifact with id 4242/);
  });

  it('finds the newest COMPLETE execution by cache key, ignoring failed and running ones', async () => {
    await open();
    const publish = async (state: ExecutionState, uri: string) => {
      const e = await store.createExecution(newExec('Transform', { cacheKey: 'key-1', runId: uri }));
      if (state === 'COMPLETE') {
        await store.publishExecution(e.id, [
          { name: 'transformGraph', type: 'TransformGraph', uri: `${uri}/graph`, properties: {} },
          { name: 'transformedExamples', type: 'Examples', uri: `${uri}/ex`, properties: { splitNames: ['train'] } },
        ]);
      } else await store.updateExecution(e.id, { state });
      await tick();
      return e;
    };
    await publish('COMPLETE', '/old');
    const newest = await publish('COMPLETE', '/new');
    await publish('FAILED', '/failed');
    await publish('RUNNING', '/running');
    const hit = await store.findCompletedByCacheKey('key-1');
    expect(hit?.execution.id).toBe(newest.id);
    expect(hit?.outputs.map((o) => [o.name, o.artifact.uri])).toEqual([
      ['transformGraph', '/new/graph'],
      ['transformedExamples', '/new/ex'],
    ]);
    expect(await store.findCompletedByCacheKey('key-2')).toBeUndefined();
  });

  it('finishes the open executions of one run only', async () => {
    await open();
    await store.createExecution(newExec('A', { state: 'NEW' }));
    await store.createExecution(newExec('B', { state: 'RUNNING' }));
    const done = await store.createExecution(newExec('C'));
    await store.publishExecution(done.id, []);
    const other = await store.createExecution(newExec('D', { runId: 'r2' }));
    expect(await store.finishOpenExecutions('penguin', 'r1', 'CANCELED')).toBe(2);
    expect((await store.listExecutions({ runId: 'r1' })).map((e) => `${e.nodeId}:${e.state}`)).toEqual([
      'A:CANCELED',
      'B:CANCELED',
      'C:COMPLETE',
    ]);
    expect((await store.getExecution(other.id))?.state).toBe('RUNNING');
    expect(await store.finishOpenExecutions('penguin', 'r1', 'FAILED')).toBe(0);
    expect(await store.listExecutions({ state: 'CANCELED', nodeId: 'B' })).toHaveLength(1);
  });

  it('lists runs with state counts and a derived status, newest first', async () => {
    await open();
    const make = async (runId: string, states: ExecutionState[], pipeline = 'penguin') => {
      for (const [i, state] of states.entries())
        await store.createExecution(newExec(`N${i}`, { runId, state, pipeline, workflowId: `${pipeline}/${runId}` }));
      await tick();
    };
    await make('a', ['COMPLETE', 'CACHED']);
    await make('b', ['COMPLETE', 'FAILED', 'RUNNING']);
    await make('c', ['COMPLETE', 'NEW']);
    await make('d', ['COMPLETE', 'CANCELED']);
    await make('z', ['FAILED'], 'other');
    const runs = await store.listRuns({ pipeline: 'penguin' });
    expect(runs.map((r) => [r.runId, r.status])).toEqual([
      ['d', 'CANCELED'],
      ['c', 'RUNNING'],
      ['b', 'FAILED'],
      ['a', 'COMPLETE'],
    ]);
    expect(runs[2].states).toEqual({ COMPLETE: 1, FAILED: 1, RUNNING: 1 });
    expect(runs[2].workflowId).toBe('penguin/b');
    expect(runs[2].endTime.getTime()).toBeGreaterThanOrEqual(runs[2].startTime.getTime());
    expect((await store.listRuns({ limit: 2 })).map((r) => r.runId)).toEqual(['z', 'd']);
    expect(await store.listRuns({ pipeline: 'nothing' })).toEqual([]);
  });

  it("records who started a run once: the first start's trigger stays; a run without one is manual", async () => {
    await open();
    await store.recordRunState({ pipeline: 'penguin', runId: 's', state: 'RUNNING', trigger: 'schedule:nightly' });
    // a retried start, then the outcome: neither changes who started it
    await store.recordRunState({ pipeline: 'penguin', runId: 's', state: 'RUNNING', trigger: 'manual' });
    await store.recordRunState({ pipeline: 'penguin', runId: 's', state: 'COMPLETE' });
    await store.recordRunState({ pipeline: 'penguin', runId: 'm', state: 'RUNNING' });
    await store.createExecution(newExec('N0', { runId: 'old', state: 'COMPLETE', pipeline: 'penguin' }));
    const byId = Object.fromEntries((await store.listRuns({ pipeline: 'penguin' })).map((r) => [r.runId, r]));
    expect(byId.s).toMatchObject({ status: 'COMPLETE', trigger: 'schedule:nightly' });
    expect(byId.m!.trigger).toBe('manual');
    expect(byId.old!.trigger).toBe('manual');
  });

  it('finds the latest LIVE artifact of a type in a pipeline, with property filters', async () => {
    await open();
    const bless = async (blessed: boolean, pipeline = 'penguin', extra: Record<string, unknown> = {}) => {
      const e = await store.createExecution(newExec('Evaluator', { pipeline }));
      const [a] = await store.publishExecution(e.id, [
        { name: 'blessing', type: 'ModelBlessing', uri: `/b/${e.id}`, properties: { blessed, ...extra } },
      ]);
      await tick();
      return a;
    };
    const good = await bless(true, 'penguin', { metrics: { accuracy: 0.95 } });
    const bad = await bless(false);
    await bless(true, 'other');
    expect((await store.latestArtifact({ type: 'ModelBlessing', pipeline: 'penguin' }))?.id).toBe(bad.id);
    expect(
      (await store.latestArtifact({ type: 'ModelBlessing', pipeline: 'penguin', where: { blessed: true } }))?.id,
    ).toBe(good.id);
    expect(
      (
        await store.latestArtifact({
          type: 'ModelBlessing',
          pipeline: 'penguin',
          where: { metrics: { accuracy: 0.95 } },
        })
      )?.id,
    ).toBe(good.id);
    expect(
      await store.latestArtifact({ type: 'ModelBlessing', pipeline: 'penguin', where: { blessed: 1 } }),
    ).toBeUndefined();
    expect(await store.latestArtifact({ type: 'Model', pipeline: 'penguin' })).toBeUndefined();
    await store.setArtifactState(good.id, 'DELETED');
    expect((await store.getArtifact(good.id))?.state).toBe('DELETED');
    expect(
      await store.latestArtifact({ type: 'ModelBlessing', pipeline: 'penguin', where: { blessed: true } }),
    ).toBeUndefined();
  });

  it('walks lineage upstream and downstream across executions, to a depth', async () => {
    await open();
    const { examples, anomalies, stats } = await chain(store);
    // a cached re-run is a reuse, not a derivation: lineage does not repeat it
    await store.recordCachedExecution(
      newExec('StatisticsGen', { runId: 'r2', inputs: [{ name: 'examples', artifactId: examples.id }] }),
      [{ name: 'statistics', artifactId: (await store.eventsOfExecution(stats.id))[1].artifactId }],
    );
    const up = await store.lineage(anomalies.id, 'upstream');
    const statsUp = [
      'StatisticsGen.statistics',
      [['StatisticsGen:statistics', [['ExampleGen.examples', [['ExampleGen:examples', []]]]]]],
    ];
    expect(shape(up)).toEqual([
      'ExampleValidator.anomalies',
      [['ExampleValidator:anomalies', [['SchemaGen.schema', [['SchemaGen:schema', [statsUp]]]], statsUp]]],
    ]);
    expect(shape(await store.lineage(anomalies.id, 'upstream', 1))).toEqual([
      'ExampleValidator.anomalies',
      [
        [
          'ExampleValidator:anomalies',
          [
            ['SchemaGen.schema', []],
            ['StatisticsGen.statistics', []],
          ],
        ],
      ],
    ]);
    expect(shape(await store.lineage(anomalies.id, 'upstream', 0))).toEqual(['ExampleValidator.anomalies', []]);

    const down = await store.lineage(examples.id, 'downstream');
    const anomaliesDown = ['ExampleValidator.anomalies', []];
    expect(shape(down)).toEqual([
      'ExampleGen.examples',
      [
        [
          'StatisticsGen:examples',
          [
            [
              'StatisticsGen.statistics',
              [
                ['SchemaGen:statistics', [['SchemaGen.schema', [['ExampleValidator:schema', [anomaliesDown]]]]]],
                ['ExampleValidator:statistics', [anomaliesDown]],
              ],
            ],
          ],
        ],
      ],
    ]);
    expect(down.executions[0].execution.state).toBe('COMPLETE');
    await expect(store.lineage(9999, 'upstream')).rejects.toThrow(/no artifact with id 9999/);
  });

  it('lists artifacts by type, pipeline and run, newest first', async () => {
    await open();
    const r1 = await chain(store, 'r1');
    await tick();
    const r2 = await chain(store, 'r2');
    const other = await store.createExecution(newExec('ExampleGen', { pipeline: 'other', runId: 'r1' }));
    const [otherEx] = await store.publishExecution(other.id, [
      { name: 'examples', type: 'Examples', uri: '/o', properties: { splitNames: ['a'] } },
    ]);
    const ids = (as: { id: number }[]) => as.map((a) => a.id);
    expect(ids(await store.listArtifacts({ type: 'Examples' }))).toEqual([otherEx.id, r2.examples.id, r1.examples.id]);
    expect(ids(await store.listArtifacts({ type: 'Examples', pipeline: 'penguin' }))).toEqual([
      r2.examples.id,
      r1.examples.id,
    ]);
    expect(ids(await store.listArtifacts({ pipeline: 'penguin', runId: 'r1' }))).toEqual(
      ids([r1.anomalies, r1.schema, r1.statistics, r1.examples]),
    );
    expect(ids(await store.listArtifacts({ type: 'Examples', runId: 'r1' })).sort()).toEqual(
      [r1.examples.id, otherEx.id].sort(),
    );
    expect(ids(await store.listArtifacts({ runId: 'r%' }))).toEqual([]);
    expect(await store.listArtifacts({ pipeline: 'penguin', limit: 3 })).toHaveLength(3);
    expect(await store.listArtifacts({ type: 'PushedModel' })).toEqual([]);
  });

  it('names the unknown id in a MetadataError', async () => {
    await open();
    const checks: [() => Promise<unknown>, RegExp][] = [
      [() => store.updateExecution(777, { state: 'FAILED' }), /no execution with id 777/],
      [() => store.publishExecution(778, []), /no execution with id 778/],
      [() => store.setArtifactState(779, 'DELETED'), /no artifact with id 779/],
      [() => store.eventsOfArtifact(780), /no artifact with id 780/],
      [() => store.eventsOfExecution(781), /no execution with id 781/],
      [() => store.contextsOfExecution(782), /no execution with id 782/],
      [() => store.contextsOfArtifact(783), /no artifact with id 783/],
      [
        () => store.createExecution(newExec('Trainer', { inputs: [{ name: 'examples', artifactId: 784 }] })),
        /inputs: no artifact with id 784/,
      ],
    ];
    for (const [call, message] of checks) {
      const err = (await call().catch((e: unknown) => e)) as Error;
      expect(err, String(message)).toBeInstanceOf(MetadataError);
      expect(err.message).toMatch(message);
    }
    expect(await store.getArtifact(785)).toBeUndefined();
    expect(await store.getExecution(786)).toBeUndefined();
    // the failed createExecution left nothing behind
    expect(await store.listExecutions()).toEqual([]);
  });

  it.runIf(backend === 'postgres')('reports an unreachable server without leaking the password', async () => {
    store = undefined as never;
    const err = await openMetadataStore('postgres://tsfx:s3cret@127.0.0.1:1/none').catch((e) => e);
    expect(err).toBeInstanceOf(MetadataError);
    expect(err.message).toMatch(/127\.0\.0\.1:1/);
    expect(err.message).not.toMatch(/s3cret/);
  });
});
