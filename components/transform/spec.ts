/**
 * Transform's spec: raw Examples and their Schema in; the TransformGraph (the traced
 * preprocessing function plus every analyzer's result, as data) and the transformed Examples
 * (same splits, one shard per input shard) out. The preprocessing function is traced when the
 * pipeline is defined, so the params hold plain JSON and the cache key covers its content.
 */
import { z } from 'zod';
import { TransformSpec } from '../../schemas/transform-graph.js';
import { defaultRetry, defaultTimeouts, type ComponentSpec } from '../../src/dsl/component.js';

export const TransformParams = z
  .object({
    /** the traced preprocessing function (Transform() traces it; see src/ml/transform/dsl.ts) */
    preprocessing: TransformSpec,
    /** splits the analyzers read (TFX's splits_config.analyze) */
    analyzeSplits: z.array(z.string()).min(1).default(['train']),
    /** splits transformed (TFX's splits_config.transform); default: every split */
    transformSplits: z.array(z.string()).min(1).optional(),
  })
  .strict();
export type TransformParams = z.infer<typeof TransformParams>;

const inputs = { examples: { type: 'Examples' }, schema: { type: 'Schema' } } as const;
const outputs = { transformGraph: 'TransformGraph', transformedExamples: 'Examples' } as const;

export const transformSpec = {
  name: 'Transform',
  version: '1',
  inputs,
  outputs,
  params: TransformParams,
  queue: 'cpu',
  retry: defaultRetry,
  timeouts: defaultTimeouts,
  // rounds of one activity per Examples shard: one per analyzer phase, then the apply
  fanOut: true,
} as const satisfies ComponentSpec<typeof inputs, typeof outputs, typeof TransformParams>;

export type TransformComponentSpec = typeof transformSpec;

/** The graph inside a TransformGraph artifact: what the Trainer, serving and the browser load. */
export const TRANSFORM_GRAPH_FILE = 'transform_graph.json';
