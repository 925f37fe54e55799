/**
 * The Tuner through Temporal with two worker processes (one executor slot each): the penguins
 * go through ExampleGen, StatisticsGen, SchemaGen and Transform, the Tuner runs each of its
 * grid's trials as an activity of its own, on both workers, and the Trainer consumes the best
 * HyperParameters: its model is built with exactly the values the Tuner picked.
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import { temporal } from '@temporalio/proto';
import { ExampleGen } from '../../components/example-gen/index.js';
import { SchemaGen } from '../../components/schema-gen/index.js';
import { StatisticsGen } from '../../components/statistics-gen/index.js';
import { Trainer } from '../../components/trainer/index.js';
import { Transform } from '../../components/transform/index.js';
import { Tuner } from '../../components/tuner/index.js';
import { definePipeline } from '../../src/dsl/pipeline.js';
import { startPipelineRun, watchRun } from '../../src/orchestration/client.js';
import { pipelinesDir, penguinPreprocessing } from '../components/trainer/helpers.js';
import { runTsfx } from '../helpers/cli.js';
import { e2eEnv, type E2eEnv } from '../helpers/e2e.js';
import { spawnTsfx, waitFor, type Background } from '../helpers/processes.js';

let env: E2eEnv;
const workers: Background[] = [];

beforeAll(async () => {
  env = await e2eEnv('sqlite');
  // two worker processes, one executor attempt at a time each: trials can only overlap across them
  for (let i = 0; i < 2; i++) workers.push(spawnTsfx(env.env, 'worker', '--queues', 'cpu', '--concurrency', '1'));
  await waitFor('both workers to poll the cpu queue', async () => {
    const res = await env.client.workflowService.describeTaskQueue({
      namespace: env.config.temporalNamespace,
      taskQueue: { name: `${env.env.TSFX_QUEUE_PREFIX}cpu` },
      taskQueueType: temporal.api.enums.v1.TaskQueueType.TASK_QUEUE_TYPE_ACTIVITY,
    });
    return new Set((res.pollers ?? []).map((p) => p.identity)).size >= 2;
  }, 180_000);
}, 240_000);
afterAll(async () => {
  for (const w of workers) if (w.child.exitCode === null) w.child.kill('SIGTERM');
  await Promise.all(workers.map((w) => w.exited));
  await env?.close();
});

const pipeline = definePipeline({ name: 'tune' }, (p) => {
  const gen = p.add(ExampleGen({ input: '../node_modules/vega-datasets/data/penguins.json' }));
  const stats = p.add(StatisticsGen({ examples: gen.outputs.examples }));
  const schema = p.add(SchemaGen({ statistics: stats.outputs.statistics }));
  const tf = p.add(Transform({ examples: gen.outputs.examples, schema: schema.outputs.schema, preprocessing: penguinPreprocessing }));
  const common = { examples: tf.outputs.transformedExamples, transformGraph: tf.outputs.transformGraph, module: './penguin-model.ts', label: 'species', epochs: 4, batchSize: 16 };
  const tuner = p.add(
    Tuner({
      ...common,
      search: { strategy: 'grid', trials: 4, space: { hidden: { values: [4, 16] }, learningRate: { values: [1e-4, 0.05] } }, objective: { metric: 'val_accuracy' } },
    }),
  );
  p.add(Trainer({ ...common, hparams: { hidden: 2, learningRate: 0.5 }, hyperparameters: tuner.outputs.bestHyperparameters }));
});

/** Never called: the wiring a Trainer refuses at compile time. */
export function wrongWiring() {
  return definePipeline({ name: 'wrong' }, (p) => {
    const gen = p.add(ExampleGen({ input: 'x.csv' }));
    const schema = p.add(SchemaGen({ statistics: p.add(StatisticsGen({ examples: gen.outputs.examples })).outputs.statistics }));
    const tf = p.add(Transform({ examples: gen.outputs.examples, schema: schema.outputs.schema, preprocessing: penguinPreprocessing }));
    p.add(
      Trainer({
        examples: tf.outputs.transformedExamples,
        transformGraph: tf.outputs.transformGraph,
        module: 'm.ts',
        label: 'y',
        // @ts-expect-error -- hyperparameters takes HyperParameters, not a TransformGraph
        hyperparameters: tf.outputs.transformGraph,
      }),
    );
  });
}

it('runs each trial as its own activity on both workers, and the Trainer trains with the best values', async () => {
  const handle = await startPipelineRun(env.client, env.config, pipeline.compile({ root: pipelinesDir }));
  const result = await watchRun(handle, () => {});
  expect(result.status).toBe('COMPLETE');

  const events = (await handle.fetchHistory()).events ?? [];
  const scheduled = new Map<string, string>();
  for (const e of events) {
    const a = e.activityTaskScheduledEventAttributes;
    if (a?.activityType?.name === 'runShard' && a.activityId?.startsWith('Tuner/')) scheduled.set(String(e.eventId), a.activityId);
  }
  expect([...scheduled.values()].sort()).toEqual(['Tuner/shard-0', 'Tuner/shard-1', 'Tuner/shard-2', 'Tuner/shard-3']);
  const identities = events.flatMap((e) => {
    const s = e.activityTaskStartedEventAttributes;
    return s && scheduled.has(String(s.scheduledEventId)) ? [s.identity!] : [];
  });
  expect(new Set(identities).size).toBe(2);

  const hp = (await env.store.getArtifact(result.nodes.Tuner!.outputs!.bestHyperparameters!))!;
  const props = hp.properties as { values: Record<string, unknown>; bestTrial: number; objective: { metric: string; direction: string }; trials: { trial: number; values: Record<string, unknown>; objective: number | null }[] };
  expect(props.objective).toEqual({ metric: 'val_accuracy', direction: 'max' });
  expect(props.trials).toHaveLength(4);
  const best = Math.max(...props.trials.map((t) => t.objective!));
  expect(props.trials.find((t) => t.trial === props.bestTrial)!.objective).toBe(best);
  expect(props.trials.findIndex((t) => t.objective === best)).toBe(props.bestTrial);
  expect(props.values).toEqual(props.trials[props.bestTrial]!.values);

  // the Trainer's own hparams ({hidden: 2, learningRate: 0.5}) are overridden by the tuned ones
  const model = (await env.store.getArtifact(result.nodes.Trainer!.outputs!.model!))!;
  expect((model.properties as { hparams: Record<string, unknown> }).hparams).toEqual(props.values);
  // tsfx show: every trial's values and objective, the best marked; --json gives the properties
  const shown = await runTsfx(env.env, 'show', String(hp.id));
  expect(shown.code).toBe(0);
  const lines = shown.stdout.split('\n');
  expect(lines[0]).toBe(`#${hp.id} HyperParameters ${hp.name}: best ${JSON.stringify(props.values)} by max val_accuracy`);
  expect(lines[1]).toMatch(/^trial\s+hidden\s+learningRate\s+val_accuracy/);
  const rows = lines.slice(2, 6).map((l) => l.trim().split(/\s+/));
  expect(rows.map((r) => Number(r[0]))).toEqual([0, 1, 2, 3]);
  expect(rows.filter((r) => r[4] === 'best').map((r) => Number(r[0]))).toEqual([props.bestTrial]);
  expect(JSON.parse((await runTsfx(env.env, 'show', String(hp.id), '--json')).stdout)).toEqual(props);

  const trainerEvents = await env.store.eventsOfExecution(result.nodes.Trainer!.executionId!);
  expect(trainerEvents.filter((e) => e.type === 'INPUT' && e.name === 'hyperparameters').map((e) => e.artifactId)).toEqual([hp.id]);
}, 600_000);
