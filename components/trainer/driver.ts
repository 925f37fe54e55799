/**
 * Trainer's driver, before any step: the model module's content goes into the cache key, the
 * hparams are checked against the module's schema (the Tuner's best values over the pipeline's),
 * the model is built once against the transformed features (wrong input names, a wrong output
 * width or a module that throws fail here, non-retryably), and with `warmStart` the pipeline's
 * latest blessed model is found (TFX's base_model) and recorded as an input.
 */
import { createHash } from 'node:crypto';
import fs from 'node:fs/promises';
import type { Driver } from '../../src/dsl/component.js';
import { DefinitionError } from '../../src/errors.js';
import { latestBlessedModel } from '../common/latest-blessed-model.js';
import { readTransformGraph } from '../transform/graph-file.js';
import { modelSource } from './model-source.js';
import type { TrainerComponentSpec } from './spec.js';

export interface TrainerResolved {
  /** absolute path of the model module, and the sha256 of its content */
  module: string;
  moduleSha256: string;
  /** the hparams the module's schema accepted, defaults filled in */
  hparams: Record<string, unknown>;
  /** the base model warm start begins from, or why there is none */
  warmStart: { modelId: number } | { none: string } | null;
  /** weights the model has */
  parameters: number;
}

export const trainerDriver: Driver<TrainerComponentSpec, TrainerResolved> = async ({ params, inputs, pipelineRoot, artifacts }) => {
  const graph = await readTransformGraph(inputs.transformGraph[0]!.path);
  const tuned = (inputs.hyperparameters?.[0]?.properties.values ?? {}) as Record<string, unknown>;
  const source = modelSource({ graph, params, pipelineRoot, hparams: { ...params.hparams, ...tuned } });
  let content: Buffer;
  try {
    content = await fs.readFile(source.module);
  } catch (err) {
    throw new DefinitionError(`model module ${source.module} cannot be read: ${(err as Error).message}`, ['params', 'module']);
  }
  const moduleSha256 = createHash('sha256').update(content).digest('hex');
  const { validateModelModule } = await import('../../src/ml/train/model-module.js');
  const tf = await import('@tensorflow/tfjs');
  const { ensureBackend } = await import('../../src/ml/backend.js');
  await ensureBackend();
  const { hparams, params: parameters } = await validateModelModule(tf, source);

  let warmStart: TrainerResolved['warmStart'] = null;
  let baseModel: number[] | undefined;
  const wired = inputs.baseModel?.[0];
  if (wired) warmStart = { modelId: wired.id };
  else if (params.warmStart) {
    const found = (await latestBlessedModel(artifacts))?.model.id;
    warmStart = found ? { modelId: found } : { none: 'no blessed model in this pipeline yet' };
    if (found) baseModel = [found];
  }
  return {
    fingerprint: `module:${moduleSha256}`,
    resolved: { module: source.module, moduleSha256, hparams, warmStart, parameters },
    ...(baseModel ? { inputs: { baseModel } } : {}),
  };
};
