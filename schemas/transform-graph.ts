/**
 * The saved form of a preprocessing function (TransformSpec) and of its analysed result
 * (TransformGraph): plain JSON, validated by zod, read by Transform, the Trainer, serving and the
 * browser. Free of Node APIs (workflows and the browser import it).
 *
 * A spec is a flat table of nodes; a node refers to its inputs by index, so a shared
 * sub-expression (`mean(x)` used twice) is one node and one analyzer pass. Inputs always come
 * before the node that uses them, so walking the table in order evaluates it.
 */
import { z } from 'zod';

const ref = z.number().int().nonnegative();
const finite = z.number().refine(Number.isFinite, 'must be a finite number');

/** How a raw feature is used: as a number, a string, or either (passthrough; the Schema decides). */
export const FeatureUse = z.enum(['number', 'string', 'any']);
export type FeatureUse = z.infer<typeof FeatureUse>;

/** A raw feature's type once the spec is checked against a Schema (TFMD: FLOAT, INT, BYTES). */
export const RawKind = z.enum(['float', 'int', 'string']);
export type RawKind = z.infer<typeof RawKind>;

export const UnaryFn = z.enum(['log1p', 'log', 'exp', 'sqrt', 'abs', 'neg', 'square', 'sigmoid']);
export type UnaryFn = z.infer<typeof UnaryFn>;
export const BinaryFn = z.enum(['add', 'sub', 'mul', 'div', 'pow', 'min', 'max']);
export type BinaryFn = z.infer<typeof BinaryFn>;

/** Fields of the scalar analyzers' results a preprocessing function may use as values. */
export const StatField = z.enum(['mean', 'variance', 'std', 'min', 'max', 'count']);
export type StatField = z.infer<typeof StatField>;

export const ExprNode = z.discriminatedUnion('op', [
  // leaves
  z.object({ op: z.literal('feature'), name: z.string().min(1), use: FeatureUse, kind: RawKind.optional() }),
  z.object({ op: z.literal('const'), value: finite }),
  z.object({ op: z.literal('strConst'), value: z.string() }),
  // analyzers: one full pass over the data each (per phase); results live in TransformGraph.results
  z.object({ op: z.literal('meanVar'), x: ref }),
  z.object({ op: z.literal('minMax'), x: ref }),
  z.object({
    op: z.literal('vocabulary'),
    x: ref,
    topK: z.number().int().positive().optional(),
    frequencyThreshold: z.number().nonnegative().optional(),
  }),
  z.object({ op: z.literal('quantiles'), x: ref, numBuckets: z.number().int().min(1) }),
  // an analyzer's scalar result used as a value (fillMissing(x, mean(x)))
  z.object({ op: z.literal('stat'), of: ref, field: StatField }),
  // mappers (per row)
  z.object({ op: z.literal('zScore'), x: ref, stats: ref }),
  z.object({ op: z.literal('scaleMinMax'), x: ref, stats: ref, min: finite, max: finite }),
  z.object({
    op: z.literal('lookup'),
    x: ref,
    vocab: ref,
    numOovBuckets: z.number().int().nonnegative(),
    defaultValue: z.number().int(),
  }),
  z.object({ op: z.literal('applyBuckets'), x: ref, boundaries: z.array(z.number()).optional(), quantiles: ref.optional() }),
  z.object({ op: z.literal('hash'), x: ref, buckets: z.number().int().positive() }),
  z.object({ op: z.literal('cross'), xs: z.array(ref).min(2), buckets: z.number().int().positive(), hashKey: z.string().regex(/^[0-9]+$/) }),
  z.object({ op: z.literal('oneHot'), x: ref, depth: z.number().int().positive().optional() }),
  z.object({ op: z.literal('fillMissing'), x: ref, value: ref }),
  z.object({ op: z.literal('unary'), fn: UnaryFn, x: ref }),
  z.object({ op: z.literal('binary'), fn: BinaryFn, a: ref, b: ref }),
  z.object({ op: z.literal('toFloat'), x: ref }),
]);
export type ExprNode = z.infer<typeof ExprNode>;
export type ExprOp = ExprNode['op'];
export type NodeOf<O extends ExprOp> = Extract<ExprNode, { op: O }>;

/** Node ops that need a full pass over the data. */
export const ANALYZER_OPS = ['meanVar', 'minMax', 'vocabulary', 'quantiles'] as const;
export type AnalyzerOp = (typeof ANALYZER_OPS)[number];
export type AnalyzerNode = NodeOf<AnalyzerOp>;

export const TRANSFORM_SPEC_VERSION = 1;

/** A traced preprocessing function: what the pipeline spec stores (its content is in the cache key). */
export const TransformSpec = z
  .object({
    version: z.literal(TRANSFORM_SPEC_VERSION),
    nodes: z.array(ExprNode),
    /** output feature name -> node index */
    outputs: z.record(z.string().min(1), ref),
  })
  .superRefine((spec, ctx) => {
    // inputs before users: the table is evaluated in order, and this rules out cycles
    spec.nodes.forEach((n, i) => {
      for (const r of nodeInputs(n)) {
        if (r >= i) ctx.addIssue({ code: 'custom', path: ['nodes', i], message: `refers to node ${r}, which does not come before it` });
      }
    });
    for (const [name, r] of Object.entries(spec.outputs)) {
      if (r >= spec.nodes.length) ctx.addIssue({ code: 'custom', path: ['outputs', name], message: `no node ${r}` });
    }
  });
export type TransformSpec = z.infer<typeof TransformSpec>;

/** The indices a node reads. */
export function nodeInputs(n: ExprNode): number[] {
  switch (n.op) {
    case 'feature':
    case 'const':
    case 'strConst':
      return [];
    case 'stat':
      return [n.of];
    case 'zScore':
    case 'scaleMinMax':
      return [n.x, n.stats];
    case 'lookup':
      return [n.x, n.vocab];
    case 'applyBuckets':
      return n.quantiles === undefined ? [n.x] : [n.x, n.quantiles];
    case 'cross':
      return n.xs;
    case 'fillMissing':
      return [n.x, n.value];
    case 'binary':
      return [n.a, n.b];
    default:
      return [n.x];
  }
}

// analyzer results, as data (what serving and the browser apply)
export const MeanVarResult = z.object({ op: z.literal('meanVar'), count: z.number().int().nonnegative(), mean: finite, variance: finite });
export const MinMaxResult = z.object({ op: z.literal('minMax'), count: z.number().int().nonnegative(), min: finite.nullable(), max: finite.nullable() });
export const VocabularyResult = z.object({
  op: z.literal('vocabulary'),
  /** most frequent first; ties in TFT's order (the larger token by bytes first) */
  tokens: z.array(z.string()),
  frequencies: z.array(z.number().int().positive()),
  /** distinct tokens seen before topK / frequencyThreshold cut */
  distinct: z.number().int().nonnegative(),
});
export const QuantilesResult = z.object({
  op: z.literal('quantiles'),
  /** numBuckets - 1 boundaries, ascending (repeats kept, as TFT does) */
  boundaries: z.array(finite),
  count: z.number().int().nonnegative(),
  /** normalized rank error bound of the sketch the boundaries came from */
  rankError: z.number().nonnegative(),
});
export const AnalyzerResult = z.discriminatedUnion('op', [MeanVarResult, MinMaxResult, VocabularyResult, QuantilesResult]);
export type AnalyzerResult = z.infer<typeof AnalyzerResult>;
export type ResultOf<O extends AnalyzerOp> = Extract<AnalyzerResult, { op: O }>;

/** The TransformGraph artifact's data: the spec plus every analyzer's result (keyed by node index). */
export const TransformGraph = z.object({
  spec: TransformSpec,
  results: z.record(z.string().regex(/^[0-9]+$/), AnalyzerResult),
});
export type TransformGraph = z.infer<typeof TransformGraph>;
