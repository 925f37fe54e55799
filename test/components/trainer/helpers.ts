/**
 * Penguins through ExampleGen -> StatisticsGen -> SchemaGen -> Transform executors (no
 * Temporal), then the Trainer's driver and executor: what the Trainer tests start from.
 */
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { TransformParams } from '../../../components/transform/index.js';
import { transformDriver } from '../../../components/transform/driver.js';
import { transformExecutor } from '../../../components/transform/executor.js';
import { TrainerParams } from '../../../components/trainer/index.js';
import { trainerDriver } from '../../../components/trainer/driver.js';
import { trainerExecutor } from '../../../components/trainer/executor.js';
import type { InputArtifact } from '../../../src/dsl/component.js';
import { tracePreprocessing, type PreprocessingFn } from '../../../src/ml/transform/index.js';
import { makeCtx, tempDir } from '../example-gen/helpers.js';
import { penguinStatistics, runSchemaGen } from '../schema-gen/helpers.js';

export const pipelinesDir = fileURLToPath(new URL('../../../pipelines/', import.meta.url));

export const penguinPreprocessing: PreprocessingFn = (f) => ({
  species: f.vocabulary('Species'),
  island: f.oneHot(f.vocabulary('Island')),
  sex: f.oneHot(f.vocabulary(f.fillMissing('Sex', 'unknown'))),
  beak_length: f.zScore(f.fillMissing('Beak Length (mm)', f.mean('Beak Length (mm)'))),
  beak_depth: f.zScore(f.fillMissing('Beak Depth (mm)', f.mean('Beak Depth (mm)'))),
  flipper_length: f.zScore(f.fillMissing('Flipper Length (mm)', f.mean('Flipper Length (mm)'))),
  body_mass: f.zScore(f.fillMissing('Body Mass (g)', f.mean('Body Mass (g)'))),
});

/** Transformed penguin Examples (or other rows: `statistics` makes their Examples and statistics) and their TransformGraph, as input artifacts. */
export async function transformedPenguins(preprocessing = penguinPreprocessing, statistics: () => ReturnType<typeof penguinStatistics> = penguinStatistics) {
  const stats = await statistics();
  const { out } = await runSchemaGen(stats.statistics, stats.root);
  const schema: InputArtifact<'Schema'> = { id: 3, type: 'Schema', uri: out, path: out, properties: {} };
  const params = TransformParams.parse({ preprocessing: tracePreprocessing(preprocessing) });
  const inputs = { examples: [stats.examples], schema: [schema] };
  const { resolved } = await transformDriver({ params, inputs: inputs as never, pipelineRoot: stats.root, pipelineName: 'p', nodeId: 'Transform', artifacts: undefined as never });
  const graphDir = tempDir('graph');
  const outDir = tempDir('transformed');
  const result = await transformExecutor({
    inputs,
    outputs: { transformGraph: { type: 'TransformGraph', uri: graphDir, path: graphDir }, transformedExamples: { type: 'Examples', uri: outDir, path: outDir } },
    params,
    resolved,
    ctx: makeCtx(stats.root).ctx,
  });
  return {
    raw: stats.examples,
    examples: { id: 10, type: 'Examples', uri: outDir, path: outDir, properties: result.transformedExamples } as InputArtifact<'Examples'>,
    transformGraph: { id: 11, type: 'TransformGraph', uri: graphDir, path: graphDir, properties: result.transformGraph } as InputArtifact<'TransformGraph'>,
  };
}

/** The Trainer's driver then executor, as prepareNode and runComponent would run them. */
export async function runTrainer(
  data: Awaited<ReturnType<typeof transformedPenguins>>,
  params: Record<string, unknown>,
  opts: { workDir?: string; signal?: AbortSignal; baseModel?: InputArtifact<'Model'> } = {},
) {
  const parsed = TrainerParams.parse({ module: 'penguin-model.ts', label: 'species', ...params });
  const inputs = { examples: [data.examples], transformGraph: [data.transformGraph], ...(opts.baseModel ? { baseModel: [opts.baseModel] } : {}) };
  const noLookup = { list: async () => [], importFile: async () => 0 };
  const { resolved } = await trainerDriver({ params: parsed, inputs: inputs as never, pipelineRoot: pipelinesDir, pipelineName: 'p', nodeId: 'Trainer', artifacts: noLookup as never });
  const model = tempDir('model');
  const run = tempDir('modelrun');
  const { ctx, beats, logs } = makeCtx(pipelinesDir, opts.signal);
  if (opts.workDir) ctx.workDir = opts.workDir;
  const result = await trainerExecutor({
    inputs,
    outputs: { model: { type: 'Model', uri: model, path: model }, modelRun: { type: 'ModelRun', uri: run, path: run } },
    params: parsed,
    resolved: JSON.parse(JSON.stringify(resolved)),
    ctx,
  });
  return { result, model, run, beats, logs, resolved, workDir: ctx.workDir };
}

export const here = path.dirname(fileURLToPath(import.meta.url));
