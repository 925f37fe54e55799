/**
 * Trainer -> Evaluator through Temporal, twice. The first run has no blessed model yet: its
 * change threshold is skipped, the value thresholds bless the model. The second run trains a
 * new model (other params) and its Evaluator's driver finds the first run's blessed model in
 * metadata (TFX's LatestBlessedModelStrategy), records it as the baselineModel input, scores
 * both, and checks the change threshold against it. `tsfx show` prints both artifacts.
 */
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { Evaluator } from '../../components/evaluator/index.js';
import { ExampleGen } from '../../components/example-gen/index.js';
import { SchemaGen } from '../../components/schema-gen/index.js';
import { StatisticsGen } from '../../components/statistics-gen/index.js';
import { Trainer } from '../../components/trainer/index.js';
import { Transform } from '../../components/transform/index.js';
import { localPath } from '../../src/artifacts/local-store.js';
import { definePipeline } from '../../src/dsl/pipeline.js';
import { startPipelineRun, watchRun } from '../../src/orchestration/client.js';
import { pipelinesDir, penguinPreprocessing } from '../components/trainer/helpers.js';
import { runTsfx } from '../helpers/cli.js';
import { e2eEnv, type E2eEnv } from '../helpers/e2e.js';

let env: E2eEnv;
beforeAll(async () => {
  env = await e2eEnv('sqlite');
  await env.startWorker();
}, 120_000);
afterAll(async () => {
  await env?.close();
});

const pipeline = (epochs: number) =>
  definePipeline({ name: 'evaluate' }, (p) => {
    const gen = p.add(ExampleGen({ input: '../node_modules/vega-datasets/data/penguins.json', split: { train: 2, eval: 1 } }));
    const stats = p.add(StatisticsGen({ examples: gen.outputs.examples }));
    const schema = p.add(SchemaGen({ statistics: stats.outputs.statistics }));
    const tf = p.add(Transform({ examples: gen.outputs.examples, schema: schema.outputs.schema, preprocessing: penguinPreprocessing }));
    const trainer = p.add(Trainer({ examples: tf.outputs.transformedExamples, transformGraph: tf.outputs.transformGraph, module: './penguin-model.ts', label: 'species', epochs, batchSize: 16, hparams: { hidden: 16, learningRate: 0.02 } }));
    p.add(
      Evaluator({
        examples: gen.outputs.examples,
        model: trainer.outputs.model,
        slicing: [{ features: ['Island'] }],
        thresholds: { accuracy: { value: { lowerBound: 0.6 }, change: { direction: 'higherIsBetter', absolute: -0.3 } } },
      }),
    );
  });

const run = async (epochs: number) => {
  const handle = await startPipelineRun(env.client, env.config, pipeline(epochs).compile({ root: pipelinesDir }));
  const result = await watchRun(handle, () => {});
  expect(result.status, JSON.stringify(result)).toBe('COMPLETE');
  const out = result.nodes.Evaluator!.outputs!;
  return { result, model: result.nodes.Trainer!.outputs!.model!, evaluation: out.evaluation!, blessing: out.blessing!, execution: result.nodes.Evaluator!.executionId! };
};

it("the second run's Evaluator takes the first run's blessed model as its baseline", async () => {
  const first = await run(12);
  const b1 = (await env.store.getArtifact(first.blessing))!;
  expect(b1.properties).toMatchObject({ blessed: true, model: first.model, skipped: 1, failed: 0 });
  expect(b1.properties.baselineModel).toBeUndefined();
  expect(fs.existsSync(path.join(localPath(b1.uri), 'BLESSED'))).toBe(true);
  const inputs1 = (await env.store.eventsOfExecution(first.execution)).filter((e) => e.type === 'INPUT').map((e) => e.name).sort();
  expect(inputs1).toEqual(['examples', 'model']);

  const second = await run(14);
  expect(second.model).not.toBe(first.model);
  const events = await env.store.eventsOfExecution(second.execution);
  expect(events.filter((e) => e.type === 'INPUT' && e.name === 'baselineModel').map((e) => e.artifactId)).toEqual([first.model]);
  const b2 = (await env.store.getArtifact(second.blessing))!;
  expect(b2.properties).toMatchObject({ model: second.model, baselineModel: first.model, skipped: 0 });
  const validation = JSON.parse(fs.readFileSync(path.join(localPath(b2.uri), 'validation.json'), 'utf8'));
  const change = validation.checks.find((c: { kind: string; slice: string }) => c.kind === 'change' && c.slice === 'Overall');
  // the baseline's accuracy in run 2 is what run 1's Evaluator measured for that model on the same rows
  const e1 = (await env.store.getArtifact(first.evaluation))!;
  expect(change.baseline).toBe((e1.properties as { overall: { accuracy: number } }).overall.accuracy);
  expect(change.verdict).toBe(change.diff >= -0.3 ? 'pass' : 'fail');
  expect(b2.properties.blessed).toBe(validation.checks.every((c: { verdict: string }) => c.verdict === 'pass'));

  // tsfx show: a table per slice, candidate vs baseline, thresholds marked
  const e2 = (await env.store.getArtifact(second.evaluation))!;
  const shown = await runTsfx(env.env, 'show', String(e2.id));
  expect(shown.code, shown.stderr).toBe(0);
  const lines = shown.stdout.split('\n');
  expect(lines[0]).toMatch(new RegExp(`^#${e2.id} ModelEvaluation .*: multiclass on Species, \\d+ rows of eval; candidate Model #${second.model} vs baseline Model #${first.model}$`));
  expect(lines[1]).toMatch(new RegExp(`^blessing #${b2.id}: (BLESSED|NOT BLESSED) \\(`));
  expect(lines).toContain('Overall (' + (e2.properties as { rows: number }).rows + ' examples)');
  expect(lines.some((l) => /^metric\s+candidate\s+baseline\s+diff\s+thresholds$/.test(l))).toBe(true);
  const accuracy = lines.find((l) => l.startsWith('accuracy '))!;
  expect(accuracy).toMatch(/[✓✗] >= 0.6; [✓✗] change higherIsBetter diff >= -0.3$/);
  expect(lines.some((l) => /^Island=Biscoe \(\d+ examples\)$/.test(l))).toBe(true);
  const json = JSON.parse((await runTsfx(env.env, 'show', String(e2.id), '--json')).stdout);
  expect(json.baseline.model).toBe(first.model);
  expect(json.validation.blessed).toBe(b2.properties.blessed);

  const blessing = await runTsfx(env.env, 'show', String(b2.id));
  expect(blessing.code, blessing.stderr).toBe(0);
  expect(blessing.stdout.split('\n')[0]).toBe(`#${b2.id} ModelBlessing ${b2.name}: ${b2.properties.blessed ? 'BLESSED' : 'NOT BLESSED'} Model #${second.model} against baseline Model #${first.model}`);
  expect(blessing.stdout).toContain(`metrics per slice: tsfx show ${e2.id}`);
  expect(blessing.stdout).toMatch(/Overall\s+accuracy\s+change higherIsBetter diff >= -0.3/);
}, 600_000);
