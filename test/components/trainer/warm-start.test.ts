/**
 * Warm start (TFX's base_model): the driver finds the pipeline's latest blessed model and
 * records it as the baseModel input; the executor starts from its weights, so the first epoch
 * starts where the base model ended instead of from random weights.
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import { TrainerParams } from '../../../components/trainer/index.js';
import { trainerDriver } from '../../../components/trainer/driver.js';
import type { ArtifactLookup, FoundArtifact, InputArtifact } from '../../../src/dsl/component.js';
import { removeTempDirs } from '../example-gen/helpers.js';
import { pipelinesDir, runTrainer, transformedPenguins } from './helpers.js';

let data: Awaited<ReturnType<typeof transformedPenguins>>;
beforeAll(async () => {
  data = await transformedPenguins();
});
afterAll(removeTempDirs);

const firstLoss = (result: { modelRun: unknown }) => (result.modelRun as { history: { loss: number }[] }).history[0]!.loss;

it('starts from the base model: the first epoch begins near where the base model ended', async () => {
  const base = await runTrainer(data, { epochs: 8, batchSize: 16, hparams: { learningRate: 0.02 } });
  const baseModel: InputArtifact<'Model'> = { id: 77, type: 'Model', uri: base.model, path: base.model, properties: base.result.model };
  const cold = await runTrainer(data, { epochs: 1, batchSize: 16, hparams: { learningRate: 0.02 } });
  const warm = await runTrainer(data, { epochs: 1, batchSize: 16, hparams: { learningRate: 0.02 } }, { baseModel });
  expect((warm.result.model as { warmStartedFrom: number }).warmStartedFrom).toBe(77);
  const baseFinal = (base.result.model as { final: { loss: number } }).final.loss;
  expect(firstLoss(warm.result)).toBeLessThan(firstLoss(cold.result) / 3);
  expect(firstLoss(warm.result)).toBeLessThan(baseFinal * 3);
});

it('the driver resolves warmStart to the newest blessed model whose files exist, and to none without one', async () => {
  const base = await runTrainer(data, { epochs: 1 });
  const model = (id: number, path: string): FoundArtifact<'Model'> => ({ id, type: 'Model', uri: path, path, name: 'Trainer.model', properties: {} });
  const blessing = (id: number, modelId: number, blessed: boolean): FoundArtifact<'ModelBlessing'> => ({ id, type: 'ModelBlessing', uri: '/x', path: '/x', name: 'Evaluator.blessing', properties: { blessed, model: modelId } });
  const lookup = (blessings: FoundArtifact<'ModelBlessing'>[], models: FoundArtifact<'Model'>[]): ArtifactLookup => ({
    list: (async ({ type }: { type: string }) => (type === 'ModelBlessing' ? blessings : models)) as ArtifactLookup['list'],
    importFile: async () => 0,
  });
  const params = TrainerParams.parse({ module: 'penguin-model.ts', label: 'species', warmStart: true });
  const inputs = { examples: [data.examples], transformGraph: [data.transformGraph] };
  const drive = (artifacts: ArtifactLookup) =>
    trainerDriver({ params, inputs: inputs as never, pipelineRoot: pipelinesDir, pipelineName: 'p', nodeId: 'Trainer', artifacts });
  // newest first: the newest blessing is not blessed, the next one names a model whose files are gone
  const found = await drive(lookup([blessing(9, 5, false), blessing(8, 4, true), blessing(7, 3, true)], [model(5, base.model), model(4, '/gone'), model(3, base.model)]));
  expect(found.inputs).toEqual({ baseModel: [3] });
  expect(found.resolved.warmStart).toEqual({ modelId: 3 });
  const none = await drive(lookup([], []));
  expect(none.inputs).toBeUndefined();
  expect(none.resolved.warmStart).toEqual({ none: 'no blessed model in this pipeline yet' });
});
