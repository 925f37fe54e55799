/**
 * The `tsfx` command as a user runs it: the example pipeline end to end on a real dev server,
 * then the inspection commands on what it recorded, then a cached rerun and bad input.
 */
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { definePipeline } from '../../src/dsl/pipeline.js';
import { startPipelineRun, watchRun } from '../../src/orchestration/client.js';
import { workflowIdOf } from '../../src/orchestration/types.js';
import { Sleep } from '../fixtures/components.js';
import { e2eEnv, type E2eEnv } from '../helpers/e2e.js';
import { runTsfx } from '../helpers/cli.js';
import { startServeProcess } from '../helpers/serve-process.js';

let env: E2eEnv;

const tsfx = (...args: string[]) => runTsfx(env.env, ...args);

beforeAll(async () => {
  env = await e2eEnv('sqlite');
});
afterAll(async () => env?.close());

describe('tsfx run pipelines/penguin.ts', () => {
  let examplesId: number;
  let curlLine = '';

  it('runs the example pipeline and says where everything is', async () => {
    const r = await tsfx('run', 'pipelines/penguin.ts');
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/pipeline penguin {2}run \d{8}-\d{6}-[0-9a-f]{4}/);
    expect(r.stdout).toContain('workflow  penguin/');
    expect(r.stdout).toContain(path.join(env.config.storeRoot, 'penguin'));
    expect(r.stdout).toMatch(/ExampleGen {2}COMPLETE/);
    expect(r.stdout).toMatch(/StatisticsGen {2}COMPLETE/);
    expect(r.stdout).toMatch(/SchemaGen {2}COMPLETE/);
    expect(r.stdout).toMatch(/ExampleValidator {2}COMPLETE/);
    expect(r.stdout).toMatch(/Transform {2}COMPLETE/);
    expect(r.stdout).toMatch(/Trainer {2}COMPLETE/);
    expect(r.stdout).toMatch(/Evaluator {2}COMPLETE/);
    expect(r.stdout).toMatch(/InfraValidator {2}COMPLETE/);
    expect(r.stdout).toMatch(/Pusher {2}COMPLETE/);
    expect(r.stdout).toContain(
      `pushed    penguin version 1 -> ${path.join(env.config.home, 'serving', 'penguin', '1')}`,
    );
    curlLine = /predict {3}(curl .*)$/m.exec(r.stdout)?.[1] ?? '';
    expect(curlLine).toContain('"Island"');
  });

  it('the curl it printed gets a prediction of raw measurements from `tsfx serve`', async () => {
    const serve = await startServeProcess(env.env);
    try {
      const url = serve.url;
      const curl = curlLine.replace('http://127.0.0.1:8501', url);
      const answer = await new Promise<string>((resolve, reject) => {
        const c = spawn('bash', ['-c', `${curl} --silent --show-error`], { stdio: ['ignore', 'pipe', 'inherit'] });
        let body = '';
        c.stdout.on('data', (d: Buffer) => (body += d.toString()));
        c.once('exit', (code) => (code === 0 ? resolve(body) : reject(new Error(`curl exited ${code}`))));
      });
      const { predictions } = JSON.parse(answer) as { predictions: number[][] };
      // one row of three class probabilities
      expect(predictions).toHaveLength(1);
      expect(predictions[0]).toHaveLength(3);
      expect(predictions[0]!.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 4);
    } finally {
      serve.stop();
    }
    const models = JSON.parse((await tsfx('models', 'penguin', '--json')).stdout) as unknown;
    expect(JSON.stringify(models)).toContain('"version":1');
  });

  it('lists the Examples artifact with its splits and rows', async () => {
    const list = JSON.parse(
      (await tsfx('artifacts', '--type', 'Examples', '--pipeline', 'penguin', '--json')).stdout,
    ) as { id: number; name: string }[];
    // ExampleGen's, and Transform's transformed Examples
    expect(list.map((a) => a.name).sort()).toEqual(['ExampleGen.examples', 'Transform.transformedExamples']);
    examplesId = list.find((a) => a.name === 'ExampleGen.examples')!.id;
    const shown = await tsfx('artifact', String(examplesId), '--json');
    const a = JSON.parse(shown.stdout) as {
      uri: string;
      properties: { rowCounts: Record<string, number> };
      preview: Record<string, { rows: number; first: Record<string, unknown>[] }>;
    };
    const penguins = JSON.parse(fs.readFileSync('node_modules/vega-datasets/data/penguins.json', 'utf8')) as unknown[];
    expect(a.properties.rowCounts.train! + a.properties.rowCounts.eval!).toBe(penguins.length);
    expect(a.preview.train!.first[0]).toHaveProperty('Species');
    const text = await tsfx('artifact', String(examplesId));
    expect(text.stdout).toMatch(/split train: \d+ rows/);
    // the artifact's files are found from its id: <store root>/<pipeline>/<node>/<output>/<id>
    expect(a.uri).toBe(path.join(env.config.storeRoot, 'penguin', 'ExampleGen', 'examples', String(examplesId)));
    // a completed run leaves no reserved (PENDING) artifact; an unknown state is refused
    expect(JSON.parse((await tsfx('artifacts', '--state', 'PENDING', '--json')).stdout)).toEqual([]);
    const bad = await tsfx('artifacts', '--state', 'HALF');
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/unknown artifact state 'HALF' \(known: PENDING, LIVE, .*any\)/);
  });

  it('shows lineage and runs', async () => {
    const lineage = await tsfx('lineage', String(examplesId));
    expect(lineage.code).toBe(0);
    expect(lineage.stdout).toMatch(/<- execution #\d+ ExampleGen penguin\//);
    expect(lineage.stdout).toMatch(/-> execution #\d+ StatisticsGen penguin\/.*COMPLETE/);
    const runs = JSON.parse((await tsfx('runs', '--json')).stdout) as { pipeline: string; status: string }[];
    expect(runs).toEqual([expect.objectContaining({ pipeline: 'penguin', status: 'COMPLETE' })]);
  });

  it('reuses the cached Examples on a second run', async () => {
    const r = await tsfx('run', 'pipelines/penguin.ts', '--json');
    expect(r.code).toBe(0);
    const result = JSON.parse(r.stdout) as {
      nodes: Record<string, { status: string; outputs: Record<string, number> }>;
    };
    expect(result.nodes.ExampleGen!.status).toBe('CACHED');
    expect(result.nodes.ExampleGen!.outputs.examples).toBe(examplesId);
    expect(result.nodes.StatisticsGen!.status).toBe('CACHED');
    expect(result.nodes.SchemaGen!.status).toBe('CACHED');
    // nothing new to push: the cached Pusher's version stands
    expect(result.nodes.Pusher!.status).toBe('CACHED');
  });

  it('rejects a bad param naming the node and field, before anything runs', async () => {
    const r = await tsfx('run', 'pipelines/penguin.ts', '--param', 'ExampleGen.split={"train":"two"}');
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/DefinitionError: nodes\.ExampleGen\.params\.split\.train/);
  });

  it('names a pattern that matches no file', async () => {
    const r = await tsfx('run', 'pipelines/penguin.ts', '--param', 'ExampleGen.input=no/such/*.csv');
    expect(r.code).toBe(1);
    expect(r.stdout + r.stderr).toContain('no/such/*.csv');
  });
});

describe('tsfx worker and tsfx cancel', () => {
  it('a separate `tsfx worker` runs what `tsfx run --no-worker` starts, and stops on SIGTERM', async () => {
    // stderr ignored: an unread pipe would fill with the worker's logs and block it
    const worker = spawn(process.execPath, ['bin/tsfx.js', 'worker', '--queues', 'cpu'], {
      env: env.env,
      stdio: ['ignore', 'pipe', 'ignore'],
    });
    const exited = new Promise<number | null>((resolve) => worker.once('exit', resolve));
    await new Promise<void>((resolve, reject) => {
      worker.stdout.on('data', (d: Buffer) => d.toString().includes('worker polling') && resolve());
      void exited.then((code) => reject(new Error(`tsfx worker exited with ${code}`)));
    });
    const r = await tsfx('run', 'pipelines/penguin.ts', '--no-worker', '--no-cache');
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/ExampleGen {2}COMPLETE/);
    worker.kill('SIGTERM');
    expect(await exited).toBe(0);
  });

  it('`tsfx worker --queues gpu` refuses where no GPU backend loads, unless told to', async () => {
    const r = await tsfx('worker', '--queues', 'gpu');
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/no GPU backend loads here .*--gpu-without-gpu/s);
  });

  it('`tsfx cancel <runId>` cancels a running run and its execution is recorded CANCELED', async () => {
    await env.startWorker();
    const pipeline = definePipeline({ name: 'to-cancel' }, (p) => {
      p.add(Sleep({ label: 'long', ms: 60_000 }), { id: 'long', timeouts: { heartbeatMs: 5_000 } });
    });
    const handle = await startPipelineRun(env.client, env.config, pipeline.compile({ root: env.config.home }));
    const result = watchRun(handle, () => {});
    const runId = handle.workflowId.split('/')[1]!;
    while (!(await env.store.listExecutions({ runId, state: 'RUNNING' })).length)
      await new Promise((r) => setTimeout(r, 100));
    const r = await tsfx('cancel', runId);
    expect(r.stdout).toContain(`cancel requested for to-cancel/${runId}`);
    expect((await result).status).toBe('CANCELED');
    const [exec] = await env.store.listExecutions({ runId });
    expect(exec!.state).toBe('CANCELED');
    const again = await tsfx('cancel', runId);
    expect(again.code).toBe(2);
    expect(again.stderr).toMatch(/is not running/);
  });
});

describe('tsfx run pipelines/penguin-curated.ts', () => {
  it('validates against the checked-in schema: the "." sex is flagged, skew is measured, lineage reaches the file', async () => {
    const r = await tsfx('run', 'pipelines/penguin-curated.ts', '--json');
    expect(r.code, r.stderr).toBe(0);
    const result = JSON.parse(r.stdout) as {
      nodes: Record<string, { status: string; outputs: Record<string, number> }>;
    };
    expect(result.nodes.ImportSchemaGen!.status).toBe('COMPLETE');
    const anomaliesId = result.nodes.ExampleValidator!.outputs.anomalies!;
    const a = JSON.parse((await tsfx('artifact', String(anomaliesId), '--json')).stdout) as {
      properties: Record<string, unknown>;
    };
    const bySplit = a.properties.anomalies as Record<string, string[]>;
    // the source's "." rows land in at least one split; nothing else is wrong with the data
    expect([...bySplit.train!, ...bySplit.eval!].every((x) => x === 'Sex:ENUM_TYPE_UNEXPECTED_STRING_VALUES')).toBe(
      true,
    );
    expect([...bySplit.train!, ...bySplit.eval!]).toContain('Sex:ENUM_TYPE_UNEXPECTED_STRING_VALUES');
    const shown = await tsfx('show', String(anomaliesId), '--split', 'train');
    expect(shown.stdout).toMatch(/Species\s+skew\s+L_INFTY\s+[\d.]+\s+0\.15\s+ok/);
    expect(shown.stdout).toMatch(/Body Mass \(g\)\s+skew\s+JENSEN_SHANNON_DIVERGENCE/);
    const lineage = await tsfx('lineage', String(result.nodes.ImportSchemaGen!.outputs.schema));
    expect(lineage.stdout).toMatch(/ExternalArtifact #\d+ ImportSchemaGen\.result \(as source\)/);
    expect(lineage.stdout).toMatch(/<- execution #\d+ Importer penguin-curated\//);
  });
});

describe('tsfx run --workers', () => {
  it('starts more worker processes for the run: the shard activities run on more than one, and they stop after', async () => {
    // queues of its own, so no worker of another test here takes a shard: the one in the run's
    // process and the one started beside it host everything
    const own = { ...env.env, TSFX_QUEUE_PREFIX: `${env.env.TSFX_QUEUE_PREFIX}w2-` };
    const r = await runTsfx(own, 'run', 'test/fixtures/pipelines/sharded.ts', '--workers', '2', '--json');
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toContain('starting 1 more worker process for the cpu queue');
    const result = JSON.parse(r.stdout) as { runId: string; nodes: Record<string, { shards?: { total: number } }> };
    expect(result.nodes.StatisticsGen!.shards!.total).toBeGreaterThan(20);
    const history = await env.client.workflow
      .getHandle(workflowIdOf('sharded', result.runId, env.store.storeId))
      .fetchHistory();
    const events = history.events ?? [];
    const shardIds = new Set(
      events
        .filter((e) => e.activityTaskScheduledEventAttributes?.activityType?.name === 'runShard')
        .map((e) => String(e.eventId)),
    );
    const identities = new Set(
      events
        .filter((e) => shardIds.has(String(e.activityTaskStartedEventAttributes?.scheduledEventId ?? '')))
        .map((e) => Number(e.activityTaskStartedEventAttributes!.identity!.split('@')[0])),
    );
    // identities are pid@host; the worker process logged its pid: it and the run's process took shards
    const child = Number(
      /worker polling .*\(pid (\d+);/.exec(
        fs.readFileSync(path.join(env.config.home, 'logs', 'worker-1.log'), 'utf8'),
      )![1],
    );
    expect(identities.size).toBe(2);
    expect(identities.has(child)).toBe(true);
    // and it is gone with the run
    expect(() => process.kill(child, 0)).toThrow();
  });

  it('refuses a worker count that is not a whole number', async () => {
    const r = await tsfx('run', 'test/fixtures/pipelines/sharded.ts', '--workers', 'two');
    expect(r.code).not.toBe(0);
    expect(r.stderr).toMatch(/--workers takes a whole number from 0, got 'two'/);
  });
});
