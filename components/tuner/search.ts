/**
 * The Tuner's search space and the trials it plans: grid (every combination, in order, up to
 * `trials`) or random (seeded draws, so a retried plan activity plans the same trials).
 * Plain data in, plain data out: the plan is JSON that crosses Temporal, one task per trial.
 */
import { z } from 'zod';
import { DefinitionError } from '../../src/errors.js';
import { mulberry32 } from '../../src/random.js';

/** One hyperparameter's range: a list of choices, or a numeric interval. */
export const ParamRange = z.union([
  z.object({ values: z.array(z.union([z.number(), z.string(), z.boolean()])).min(1) }).strict(),
  z
    .object({
      min: z.number(),
      max: z.number(),
      /** log: uniform in log space (learning rates); linear otherwise */
      scale: z.enum(['linear', 'log']).default('linear'),
      integer: z.boolean().default(false),
      /** grid points between min and max (grid search only) */
      steps: z.number().int().min(2).default(3),
    })
    .strict(),
]);
export type ParamRange = z.infer<typeof ParamRange>;

export const SearchSpec = z
  .object({
    space: z.record(z.string(), ParamRange),
    strategy: z.enum(['random', 'grid']).default('random'),
    trials: z.number().int().positive(),
    /** the metric a trial is judged by: its value at the trial's best epoch (Keras Tuner's habit) */
    objective: z
      .object({ metric: z.string().default('val_loss'), direction: z.enum(['min', 'max']).optional() })
      .strict()
      .default({ metric: 'val_loss' }),
    seed: z.number().int().default(7),
  })
  .strict();
export type SearchSpec = z.infer<typeof SearchSpec>;

export type TrialValues = Record<string, number | string | boolean>;

/** Keras' habit: losses and errors go down, everything else up, unless the objective says. */
export function objectiveDirection(objective: SearchSpec['objective']): 'min' | 'max' {
  if (objective.direction) return objective.direction;
  return /loss|error|mae|mse/i.test(objective.metric) ? 'min' : 'max';
}

/** The trials to run, each a full assignment of the space's hyperparameters. */
export function planTrials(search: SearchSpec): TrialValues[] {
  const names = Object.keys(search.space).sort();
  if (!names.length) throw new DefinitionError('the search space is empty', ['params', 'search', 'space']);
  for (const name of names) {
    const r = search.space[name]!;
    if ('min' in r && !(r.max > r.min))
      throw new DefinitionError(`max (${r.max}) must be above min (${r.min})`, ['params', 'search', 'space', name]);
    if ('min' in r && r.scale === 'log' && r.min <= 0)
      throw new DefinitionError(`a log range needs min > 0 (got ${r.min})`, ['params', 'search', 'space', name]);
  }
  return search.strategy === 'grid' ? grid(search, names) : random(search, names);
}

function grid(search: SearchSpec, names: string[]): TrialValues[] {
  const axes = names.map((n) => gridPoints(search.space[n]!));
  const out: TrialValues[] = [];
  const index = names.map(() => 0);
  while (out.length < search.trials) {
    out.push(Object.fromEntries(names.map((n, i) => [n, axes[i]![index[i]!]!])));
    // odometer: the last name changes fastest
    let i = names.length - 1;
    while (i >= 0 && ++index[i]! === axes[i]!.length) index[i--] = 0;
    if (i < 0) break;
  }
  return out;
}

function gridPoints(r: ParamRange): (number | string | boolean)[] {
  if ('values' in r) return r.values;
  const pts = Array.from({ length: r.steps }, (_, k) => {
    const t = k / (r.steps - 1);
    const v = r.scale === 'log' ? Math.exp(Math.log(r.min) + t * (Math.log(r.max) - Math.log(r.min))) : r.min + t * (r.max - r.min);
    return r.integer ? Math.round(v) : v;
  });
  return [...new Set(pts)];
}

function random(search: SearchSpec, names: string[]): TrialValues[] {
  const next = mulberry32(search.seed);
  const seen = new Set<string>();
  const out: TrialValues[] = [];
  // distinct trials where the space allows; a small discrete space runs out before `trials`
  for (let tries = 0; out.length < search.trials && tries < search.trials * 50; tries++) {
    const t = Object.fromEntries(names.map((n) => [n, draw(search.space[n]!, next)]));
    const key = JSON.stringify(t);
    if (seen.has(key)) continue;
    seen.add(key);
    out.push(t);
  }
  return out;
}

function draw(r: ParamRange, next: () => number): number | string | boolean {
  if ('values' in r) return r.values[Math.floor(next() * r.values.length)]!;
  if (r.integer) return Math.floor(r.min + next() * (Math.floor(r.max) - Math.ceil(r.min) + 1));
  if (r.scale === 'log') return Math.exp(Math.log(r.min) + next() * (Math.log(r.max) - Math.log(r.min)));
  return r.min + next() * (r.max - r.min);
}
