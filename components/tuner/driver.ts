/**
 * Tuner's driver, before any trial: the model module's content goes into the cache key, and
 * what would make every trial fail the same way fails here instead, naming the field: a label
 * the transform lacks, a search space that plans nothing, a searched hyperparameter the
 * module's schema does not have, an objective metric training never reports.
 */
import { createHash } from 'node:crypto';
import fs from 'node:fs/promises';
import type { ExamplesProperties } from '../../schemas/artifacts.js';
import type { Driver } from '../../src/dsl/component.js';
import { DefinitionError } from '../../src/errors.js';
import { metricName } from '../../src/ml/train/objective.js';
import type { Task } from '../../src/ml/train/stepper.js';
import { readTransformGraph } from '../transform/graph-file.js';
import { modelSource } from '../trainer/model-source.js';
import { planTrials } from './search.js';
import type { TunerComponentSpec, TunerParams } from './spec.js';

export interface TunerResolved {
  /** absolute path of the model module, and the sha256 of its content */
  module: string;
  moduleSha256: string;
  /** how many trials the search plans */
  trials: number;
}

export const tunerDriver: Driver<TunerComponentSpec, TunerResolved> = async ({ params, inputs, pipelineRoot }) => {
  const graph = await readTransformGraph(inputs.transformGraph[0]!.path);
  const source = modelSource({ graph, params, pipelineRoot, hparams: params.hparams });
  let content: Buffer;
  try {
    content = await fs.readFile(source.module);
  } catch (err) {
    throw new DefinitionError(`model module ${source.module} cannot be read: ${(err as Error).message}`, ['params', 'module']);
  }
  const trials = planTrials(params.search);
  const { loadModelModule } = await import('../../src/ml/train/model-module.js');
  const mod = await loadModelModule(source.module);
  // a zod object schema lists its keys: a searched name it lacks is a typo, not a trial
  const shape = (mod.hparams as { shape?: Record<string, unknown> }).shape;
  if (shape) {
    for (const name of Object.keys(params.search.space))
      if (!(name in shape))
        throw new DefinitionError(`'${name}' is not a hyperparameter of ${source.module} (it has ${Object.keys(shape).join(', ')})`, ['params', 'search', 'space', name]);
  }
  const props = inputs.examples[0]!.properties as ExamplesProperties;
  const validated = params.evalSplit !== null && props.splitNames.includes(params.evalSplit);
  checkObjective(params, source.label.task, validated);
  const moduleSha256 = createHash('sha256').update(content).digest('hex');
  return { fingerprint: `module:${moduleSha256}`, resolved: { module: source.module, moduleSha256, trials: trials.length } };
};

/** The metrics an epoch's logs hold (loop.ts, objective.ts): loss and the task's metric, val_ ones with validation. */
function checkObjective(params: TunerParams, task: Task, validated: boolean): void {
  const metric = metricName(task);
  const known = ['loss', metric, ...(validated ? ['val_loss', `val_${metric}`] : [])];
  const want = params.search.objective.metric;
  if (!known.includes(want))
    throw new DefinitionError(
      `objective '${want}' is not a metric training reports here (it reports ${known.join(', ')}${validated ? '' : `; val_ metrics need the '${params.evalSplit ?? 'eval'}' split`})`,
      ['params', 'search', 'objective', 'metric'],
    );
}
