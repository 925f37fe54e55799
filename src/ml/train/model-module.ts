/**
 * The user's model module: what it exports, how it is loaded, and the checks that turn its
 * mistakes into clear errors before the first step (a wrong hparam, a model input that no
 * transformed feature feeds, an output the task's loss cannot use).
 *
 *   export const hparams = z.object({ hidden: z.number().int().default(16), learningRate: z.number().default(0.01) });
 *   export function buildModel({ tf, features, label, hparams }: BuildModelArgs<z.infer<typeof hparams>>) { ... }
 *   export const optimizer = (h, tf) => tf.train.adam(h.learningRate);   // optional
 *
 * Runs in the Trainer's thread and in every replica thread (replica-stepper.ts), so it is given
 * the tfjs instance to use rather than importing its own: two copies of tfjs in one thread keep
 * two kernel registries, and the model would land on a backend nobody selected.
 */
import { pathToFileURL } from 'node:url';
import { tsImport } from 'tsx/esm/api';
import type * as tfjs from '@tensorflow/tfjs';
import type { z } from 'zod';
import { DefinitionError, UserCodeError } from '../../errors.js';
import { seededRandom } from './seeded-init.js';
import type { InputFeature, ModelSource, Task } from './stepper.js';

/** The tfjs namespace the module must build with. */
export type Tfjs = typeof tfjs;

/** What `buildModel` receives. */
export interface BuildModelArgs<H = Record<string, unknown>> {
  /** the tfjs instance (and backend) the Trainer selected */
  tf: Tfjs;
  /** the transformed features: a model input named like one of them receives its values */
  features: InputFeature[];
  label: ModelSource['label'];
  /** the module's `hparams` schema applied to the pipeline's hparams (defaults filled in) */
  hparams: H;
}

/**
 * What a model module exports. `buildModel` returns a LayersModel (Sequential or functional);
 * its inputs are named after transformed features, or it has a single input as wide as all the
 * features together, which then receives them concatenated in the spec's order. Its output is
 * 1 sigmoid unit (binary), k softmax units (multiclass over k classes) or 1 linear unit
 * (regression). The default optimizer is Adam at `hparams.learningRate` (default 0.001).
 *
 * @example
 * export function buildModel({ tf, features }: BuildModelArgs) { ... return tf.model({ inputs, outputs }); }
 */
export interface ModelModule<H = Record<string, unknown>> {
  hparams: z.ZodType<H>;
  buildModel(args: BuildModelArgs<H>): tfjs.LayersModel | Promise<tfjs.LayersModel>;
  optimizer?(hparams: H, tf: Tfjs): tfjs.Optimizer;
}

/** How the model's inputs are fed: one tensor per named feature, or all features concatenated. */
export type InputPlan = { kind: 'named'; names: string[] } | { kind: 'concat'; width: number };

const isZod = (v: unknown): v is z.ZodType =>
  typeof v === 'object' && v !== null && typeof (v as { safeParse?: unknown }).safeParse === 'function';

/**
 * Import a model module and check its exports' shape (not yet the model it builds). Through
 * tsx's tsImport, which loads the file afresh each time: a long-running worker must train the
 * module as it is now (its content is in the cache key), not as Node's module cache first saw it.
 */
export async function loadModelModule(file: string): Promise<ModelModule> {
  let mod: Record<string, unknown>;
  try {
    mod = (await tsImport(pathToFileURL(file).href, import.meta.url)) as Record<string, unknown>;
  } catch (err) {
    throw new UserCodeError(`model module ${file} failed to load`, err);
  }
  if (typeof mod.buildModel !== 'function')
    throw new DefinitionError(
      `model module ${file} exports no buildModel function (exports: ${Object.keys(mod).sort().join(', ') || 'none'})`,
    );
  if (!isZod(mod.hparams))
    throw new DefinitionError(
      `model module ${file} must export \`hparams\`, a zod object schema of its hyperparameters`,
    );
  if (mod.optimizer !== undefined && typeof mod.optimizer !== 'function')
    throw new DefinitionError(`model module ${file}: \`optimizer\` must be a function (hparams, tf) => tf.Optimizer`);
  return mod as unknown as ModelModule;
}

/** Apply the module's hparams schema; a failure names the hparam's path. */
export function parseHparams(mod: ModelModule, file: string, given: Record<string, unknown>): Record<string, unknown> {
  const parsed = mod.hparams.safeParse(given);
  if (parsed.success) return parsed.data;
  const issue = parsed.error.issues[0]!;
  throw new DefinitionError(`hparams do not fit the schema of model module ${file}: ${issue.message}`, [
    'hparams',
    ...issue.path.map((p) => (typeof p === 'symbol' ? String(p) : p)),
  ]);
}

/** The output width the task's loss expects. */
export function outputWidth(label: ModelSource['label']): number {
  if (label.task !== 'multiclass') return 1;
  const k = label.classes?.length ?? 0;
  if (k < 2) throw new DefinitionError(`label ${label.name} is multiclass but has ${k} classes; give label.classes`);
  return k;
}

const widthOf = (shape: (number | null)[]) =>
  shape.length === 1 ? 1 : shape.slice(1).reduce<number>((a, b) => a * (b ?? 1), 1);

/** Check a built model against the feature spec and task; returns how its inputs are fed. */
export function checkModel(model: tfjs.LayersModel, source: Omit<ModelSource, 'hparams' | 'seed'>): InputPlan {
  const file = source.module;
  const byName = new Map(source.features.map((f) => [f.name, f]));
  const known = () => source.features.map((f) => `${f.name} (${f.dtype}, width ${f.width})`).join(', ');
  const total = source.features.reduce((a, f) => a + f.width, 0);
  let plan: InputPlan;
  // the input layers' names (Sequential fills model.inputNames only once compiled)
  const names = model.inputs.map((t) => t.sourceLayer.name);
  if (names.length === 1 && !byName.has(names[0]!) && widthOf(model.inputs[0]!.shape) === total) {
    plan = { kind: 'concat', width: total };
  } else {
    names.forEach((name, i) => {
      const f = byName.get(name);
      if (!f)
        throw new DefinitionError(
          `model from ${file} has input '${name}', which is not a transformed feature; the features are: ${known()}`,
        );
      const width = widthOf(model.inputs[i]!.shape);
      if (width !== f.width)
        throw new DefinitionError(
          `model from ${file}: input '${name}' takes ${width} values per example, the feature has ${f.width}`,
        );
    });
    plan = { kind: 'named', names };
  }
  if (model.outputs.length !== 1)
    throw new DefinitionError(`model from ${file} has ${model.outputs.length} outputs; the Trainer trains one`);
  const got = widthOf(model.outputs[0]!.shape);
  const want = outputWidth(source.label);
  if (got !== want)
    throw new DefinitionError(`model from ${file} outputs ${got} unit(s); ${describeTask(source.label.task, want)}`);
  return plan;
}

function describeTask(task: Task, width: number): string {
  if (task === 'binary') return 'a binary label needs 1 sigmoid unit';
  if (task === 'multiclass') return `a multiclass label over ${width} classes needs ${width} softmax units`;
  return 'a regression label needs 1 linear unit';
}

/** A model built from a source, its input plan and its optimizer. */
export interface BuiltModel {
  model: tfjs.LayersModel;
  plan: InputPlan;
  optimizer: tfjs.Optimizer;
  hparams: Record<string, unknown>;
}

/**
 * Build the model a source describes, with weights drawn from `source.seed` (every call in any
 * thread gives the same initial weights), and check it.
 */
export async function buildFromSource(tf: Tfjs, source: ModelSource, mod?: ModelModule): Promise<BuiltModel> {
  const file = source.module;
  const m = mod ?? (await loadModelModule(file));
  const hparams = parseHparams(m, file, source.hparams);
  let model: unknown;
  try {
    model = await seededRandom(source.seed, () =>
      m.buildModel({ tf, features: source.features, label: source.label, hparams }),
    );
  } catch (err) {
    throw new UserCodeError(`buildModel in ${file} threw`, err);
  }
  // duck-typed: a module resolving its own copy of tfjs would fail instanceof and still train
  const isModel = (v: unknown): v is tfjs.LayersModel =>
    typeof v === 'object' &&
    v !== null &&
    typeof (v as tfjs.LayersModel).apply === 'function' &&
    Array.isArray((v as tfjs.LayersModel).inputs);
  if (!isModel(model))
    throw new DefinitionError(
      `buildModel in ${file} returned ${model === null ? 'null' : typeof model}, not a tf.LayersModel (did it forget to return the model?)`,
    );
  const plan = checkModel(model, source);
  let optimizer: tfjs.Optimizer;
  try {
    optimizer = m.optimizer
      ? m.optimizer(hparams, tf)
      : tf.train.adam(typeof hparams.learningRate === 'number' ? hparams.learningRate : 0.001);
  } catch (err) {
    throw new UserCodeError(`optimizer in ${file} threw`, err);
  }
  if (typeof (optimizer as Partial<tfjs.Optimizer> | undefined)?.applyGradients !== 'function')
    throw new DefinitionError(`optimizer in ${file} returned no tf.Optimizer`);
  return { model, plan, optimizer, hparams };
}

/**
 * Everything that can be checked before training starts: the module loads, the hparams fit,
 * the model builds and fits the features and task. For the Trainer's driver; disposes the model.
 */
export async function validateModelModule(
  tf: Tfjs,
  source: ModelSource,
): Promise<{ hparams: Record<string, unknown>; params: number }> {
  const built = await buildFromSource(tf, source);
  const params = built.model.countParams();
  built.model.dispose();
  built.optimizer.dispose();
  return { hparams: built.hparams, params };
}
