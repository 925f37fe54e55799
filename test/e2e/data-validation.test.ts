/**
 * ExampleGen -> StatisticsGen -> SchemaGen (from train only) -> ExampleValidator through
 * Temporal, on an eval split with a category the schema has never seen: with haltOnAnomalies
 * the run stops after the anomalies are recorded, naming them, and nothing downstream runs;
 * without it the anomalies are recorded and the run goes on.
 */
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ExampleGen } from '../../components/example-gen/index.js';
import { ExampleValidator } from '../../components/example-validator/index.js';
import { SchemaGen } from '../../components/schema-gen/index.js';
import { StatisticsGen } from '../../components/statistics-gen/index.js';
import { definePipeline } from '../../src/dsl/pipeline.js';
import { startPipelineRun, watchRun } from '../../src/orchestration/client.js';
import { AfterValidation } from '../fixtures/components.js';
import { e2eEnv, type E2eEnv } from '../helpers/e2e.js';

let env: E2eEnv;
let root: string;

beforeAll(async () => {
  env = await e2eEnv('sqlite');
  await env.startWorker();
  root = path.join(env.config.home, 'data');
  fs.mkdirSync(root, { recursive: true });
  const rows = (species: string[]) => ['species,mass', ...species.map((s, i) => `${s},${3000 + i * 10}`)].join('\n');
  fs.writeFileSync(path.join(root, 'train.csv'), rows(['Adelie', 'Gentoo', 'Adelie', 'Chinstrap', 'Gentoo']));
  fs.writeFileSync(path.join(root, 'eval.csv'), rows(['Adelie', 'Emperor', 'Gentoo']));
});
afterAll(async () => env?.close());

const pipeline = (name: string, haltOnAnomalies: boolean) =>
  definePipeline({ name }, (p) => {
    const gen = p.add(ExampleGen({ splits: { train: 'train.csv', eval: 'eval.csv' } }));
    const stats = p.add(StatisticsGen({ examples: gen.outputs.examples }));
    const schema = p.add(SchemaGen({ statistics: stats.outputs.statistics, excludeSplits: ['eval'] }));
    const check = p.add(
      ExampleValidator({ statistics: stats.outputs.statistics, schema: schema.outputs.schema, haltOnAnomalies }),
    );
    // stands in for the Trainer: it must not run when the data is halted
    p.add(AfterValidation({ anomalies: check.outputs.anomalies }), { id: 'Trainer' });
  });

describe('anomalies in a pipeline run', () => {
  it('halts the run after recording the anomalies, naming them', async () => {
    const handle = await startPipelineRun(env.client, env.config, pipeline('halting', true).compile({ root }));
    const result = await watchRun(handle, () => {});
    expect(result.status).toBe('FAILED');
    const v = result.nodes.ExampleValidator!;
    expect(v.status).toBe('FAILED');
    expect(v.error).toMatch(/1 data anomaly \(eval: species:ENUM_TYPE_UNEXPECTED_STRING_VALUES\)/);
    const anomalies = (await env.store.getArtifact(v.outputs!.anomalies!))!;
    expect(anomalies.state).toBe('LIVE');
    expect(anomalies.properties.anomalyCount).toBe(1);
    const [exec] = await env.store.listExecutions({ runId: result.runId, nodeId: 'ExampleValidator' });
    expect(exec!.state).toBe('COMPLETE');
    expect(result.nodes.Trainer!.status).toBe('SKIPPED');
    expect(await env.store.listExecutions({ runId: result.runId, nodeId: 'Trainer' })).toEqual([]);
    // every execution that ran is COMPLETE, yet the run is FAILED in metadata: the workflow's outcome
    const [run] = await env.store.listRuns({ pipeline: 'halting' });
    expect(run).toMatchObject({ runId: result.runId, status: 'FAILED', error: expect.stringMatching(/ExampleValidator: 1 data anomaly/) });
  });

  it('records the anomalies and goes on when halting is off', async () => {
    const result = await watchRun(
      await startPipelineRun(env.client, env.config, pipeline('recording', false).compile({ root })),
      () => {},
    );
    expect(result.status).toBe('COMPLETE');
    expect(result.nodes.Trainer!.status).toBe('COMPLETE');
    expect((await env.store.listRuns({ pipeline: 'recording' }))[0]).toMatchObject({ status: 'COMPLETE' });
    const anomalies = (await env.store.getArtifact(result.nodes.ExampleValidator!.outputs!.anomalies!))!;
    expect(anomalies.properties.anomalies).toEqual({ train: [], eval: ['species:ENUM_TYPE_UNEXPECTED_STRING_VALUES'] });
  });
});
