/**
 * Tiny components for DSL tests: only their specs matter here (no executors run). Inline spec
 * literals without `as const`, the way a user writes them.
 */
import { z } from 'zod';
import { defaultRetry, defaultTimeouts, defineComponent } from '../../src/dsl/component.js';

const common = { version: '1', queue: 'cpu', retry: defaultRetry, timeouts: defaultTimeouts } as const;

/** Produces Examples from files. */
export const Gen = defineComponent({
  ...common,
  name: 'Gen',
  inputs: {},
  outputs: { examples: 'Examples' },
  params: z.object({
    input: z.string().min(1),
    split: z.record(z.string(), z.number().int().positive()).default({ train: 2, eval: 1 }),
    header: z.boolean().optional(),
  }),
});

/** Examples -> ExampleStatistics; no params. */
export const Stats = defineComponent({
  ...common,
  name: 'Stats',
  version: '3',
  inputs: { examples: { type: 'Examples' } },
  outputs: { statistics: 'ExampleStatistics' },
  params: z.object({}),
});

/** ExampleStatistics -> Schema, with an optional baseline Schema. */
export const SchemaFrom = defineComponent({
  ...common,
  name: 'SchemaFrom',
  inputs: { statistics: { type: 'ExampleStatistics' }, baseline: { type: 'Schema', optional: true } },
  outputs: { schema: 'Schema' },
  params: z.object({ inferShape: z.boolean().default(true), minFraction: z.number().min(0).max(1).default(1) }),
});

/** A GPU component with its own retry and timeouts, to see spec defaults flow into the node. */
export const Train = defineComponent({
  name: 'Train',
  version: '2',
  queue: 'gpu',
  retry: { ...defaultRetry, maximumAttempts: 5 },
  timeouts: { startToCloseMs: 600_000, heartbeatMs: 10_000 },
  inputs: { examples: { type: 'Examples' }, schema: { type: 'Schema' } },
  outputs: { model: 'Model', run: 'ModelRun' },
  params: z.object({
    epochs: z.number().int().positive(),
    hparams: z.object({ lr: z.number().positive() }).optional(),
  }),
});
