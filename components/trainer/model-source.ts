/**
 * What the Trainer (and each Tuner trial) trains from: the model module, its hparams, the
 * transformed features the model may read and the label with its task, all derived from the
 * TransformGraph so a model is built against the features Transform really makes.
 */
import path from 'node:path';
import type { TransformGraph } from '../../schemas/transform-graph.js';
import { DefinitionError } from '../../src/errors.js';
import { outputFeatures, type OutputFeature } from '../../src/ml/transform/index.js';
import type { InputFeature, ModelSource, Task } from '../../src/ml/train/stepper.js';
import type { TrainerParams } from './spec.js';

/** The model's possible inputs: every numeric transformed feature but the label and the excluded. */
export function inputFeatures(all: OutputFeature[], params: Pick<TrainerParams, 'label' | 'excludeFeatures' | 'weightFeature'>): InputFeature[] {
  const left = new Set([params.label, ...params.excludeFeatures, ...(params.weightFeature ? [params.weightFeature] : [])]);
  return all.flatMap((f): InputFeature[] => {
    if (left.has(f.name) || f.dtype === 'string') return [];
    if (f.dtype === 'int64') return [{ name: f.name, dtype: 'int32', width: 1, cardinality: f.cardinality }];
    return [{ name: f.name, dtype: 'float32', width: f.width }];
  });
}

/** The label's task and class names; a label the transform does not output fails naming what it does. */
export function labelOf(all: OutputFeature[], params: Pick<TrainerParams, 'label' | 'task'>): ModelSource['label'] {
  const f = all.find((x) => x.name === params.label);
  if (!f)
    throw new DefinitionError(
      `label '${params.label}' is not an output of the transform (it outputs ${all.map((x) => x.name).join(', ')})`,
      ['params', 'label'],
    );
  if (f.dtype === 'string')
    throw new DefinitionError(`label '${params.label}' is a string; map it to ids with f.vocabulary() in the preprocessing function`, ['params', 'label']);
  if (f.dtype === 'float32' && f.width !== 1)
    throw new DefinitionError(`label '${params.label}' has ${f.width} values per example; the Trainer takes a scalar label`, ['params', 'label']);
  const classes = f.dtype === 'int64' ? (f.classNames ?? Array.from({ length: f.cardinality }, (_, i) => String(i))) : undefined;
  const task: Task = params.task ?? (classes ? (classes.length === 2 ? 'binary' : 'multiclass') : 'regression');
  if (task !== 'regression' && !classes)
    throw new DefinitionError(`label '${params.label}' is a number; a ${task} label must be class ids (f.vocabulary())`, ['params', 'task']);
  return { name: params.label, task, ...(classes ? { classes } : {}) };
}

export function modelSource(args: {
  graph: TransformGraph;
  params: Pick<TrainerParams, 'module' | 'label' | 'task' | 'excludeFeatures' | 'weightFeature' | 'seed'>;
  pipelineRoot: string;
  hparams: Record<string, unknown>;
}): ModelSource {
  const all = outputFeatures(args.graph);
  return {
    module: path.resolve(args.pipelineRoot, args.params.module),
    hparams: args.hparams,
    features: inputFeatures(all, args.params),
    label: labelOf(all, args.params),
    seed: args.params.seed,
  };
}
