/**
 * The preprocessing DSL: the user writes `(f) => ({ island: f.vocabulary('island'), ... })`, and
 * tracePreprocessing calls it once with a tracer, turning it into a TransformSpec (plain JSON)
 * the way TFT traces `preprocessing_fn` into a graph. Expressions carry their kind in the type
 * (number, string, integer id, one-hot vector), so `f.vocabulary(f.zScore('x'))` does not
 * compile. A raw feature given by name takes the kind its use implies; checkSpecAgainstSchema
 * compares that with the Schema before anything runs.
 */
import { DefinitionError, UserCodeError } from '../../errors.js';
import { TRANSFORM_SPEC_VERSION, TransformSpec, type BinaryFn, type ExprNode, type StatField, type UnaryFn } from '../../../schemas/transform-graph.js';

/** Kinds of expression: float numbers, strings, integer ids (categorical, with a cardinality), one-hot vectors. */
export type ExprKind = 'number' | 'string' | 'id' | 'vector';

declare const exprBrand: unique symbol;
/** A traced expression: a node of the spec, typed by its kind. */
export interface Expr<K extends ExprKind | 'any'> {
  readonly kind: K;
  /** index of the node in the spec's table */
  readonly ref: number;
  readonly [exprBrand]: K;
}
export type NumExpr = Expr<'number'>;
export type StrExpr = Expr<'string'>;
export type IdExpr = Expr<'id'>;
export type VecExpr = Expr<'vector'>;
/** A raw feature passed through as it is: number or string, whatever the Schema says. */
export type AnyExpr = Expr<'any'>;
export type OutputExpr = NumExpr | StrExpr | IdExpr | VecExpr | AnyExpr;

/** A numeric input: an expression, or a raw feature by name. */
export type NumIn = NumExpr | string;
/** A string input: an expression, or a raw feature by name. */
export type StrIn = StrExpr | string;
/** An arithmetic operand: a numeric input, or a constant. */
export type NumArg = NumIn | number;

export interface VocabularyOptions {
  /** keep the topK most frequent tokens (after frequencyThreshold) */
  topK?: number;
  /** keep tokens seen at least this many times */
  frequencyThreshold?: number;
  /** out-of-vocabulary tokens hash into this many extra ids after the vocabulary (0: they get defaultValue) */
  numOovBuckets?: number;
  /** id of an out-of-vocabulary token when numOovBuckets is 0 (TFT's default: -1) */
  defaultValue?: number;
}

/** TF's default hash key of tf.sparse.cross_hashed. */
export const DEFAULT_CROSS_HASH_KEY = 0xdecafcaffen;

/** The `f` of a preprocessing function. */
export class Tracer {
  private readonly nodes: ExprNode[] = [];
  private readonly index = new Map<string, number>();

  constructor() {
    // bound, so `({ zScore, vocabulary }) => ({ ... })` works as well as `(f) => f.zScore(...)`
    const self = this as unknown as Record<string, unknown>;
    for (const key of Object.getOwnPropertyNames(Tracer.prototype)) {
      const v = self[key];
      if (key !== 'constructor' && typeof v === 'function') self[key] = (v as (...a: unknown[]) => unknown).bind(this);
    }
  }

  private push<K extends ExprKind | 'any'>(kind: K, node: ExprNode): Expr<K> {
    const key = JSON.stringify(node);
    let ref = this.index.get(key);
    if (ref === undefined) {
      ref = this.nodes.push(node) - 1;
      this.index.set(key, ref);
    }
    return { kind, ref } as Expr<K>;
  }

  private expect(e: unknown, kind: ExprKind, op: string): number {
    if (typeof e === 'object' && e !== null && 'ref' in e && 'kind' in e && typeof e.ref === 'number' && e.ref < this.nodes.length) {
      if (e.kind !== kind) throw new DefinitionError(`${op} takes a ${kind} expression, got a ${String(e.kind)} one`, ['preprocessing']);
      return e.ref;
    }
    throw new DefinitionError(`${op} takes a ${kind} expression or a feature name, got ${typeof e}`, ['preprocessing']);
  }

  private num(x: NumIn, op: string): number {
    return typeof x === 'string' ? this.number(x).ref : this.expect(x, 'number', op);
  }
  private str(x: StrIn, op: string): number {
    return typeof x === 'string' ? this.string(x).ref : this.expect(x, 'string', op);
  }
  private arg(x: NumArg, op: string): number {
    return typeof x === 'number' ? this.constant(x).ref : this.num(x, op);
  }

  /** The raw feature `name`, read as a number (a FLOAT or INT feature). */
  number(name: string): NumExpr {
    return this.push('number', { op: 'feature', name: featureName(name), use: 'number' });
  }
  /** The raw feature `name`, read as a string (a BYTES feature). */
  string(name: string): StrExpr {
    return this.push('string', { op: 'feature', name: featureName(name), use: 'string' });
  }
  /** The raw feature unchanged, or an expression unchanged. */
  passthrough<E extends OutputExpr>(x: E): E;
  passthrough(name: string): AnyExpr;
  passthrough(x: OutputExpr | string): OutputExpr {
    return typeof x === 'string' ? this.push('any', { op: 'feature', name: featureName(x), use: 'any' }) : x;
  }
  constant(value: number): NumExpr {
    if (!Number.isFinite(value)) throw new DefinitionError(`constant must be a finite number, got ${value}`, ['preprocessing']);
    return this.push('number', { op: 'const', value });
  }

  // analyzer results as values
  private stat(x: NumIn, field: StatField, op: 'meanVar' | 'minMax'): NumExpr {
    const of = this.push('number', { op, x: this.num(x, field) }).ref;
    return this.push('number', { op: 'stat', of, field });
  }
  /** Mean of x over the analysed data (missing values and NaN skipped). */
  mean(x: NumIn): NumExpr {
    return this.stat(x, 'mean', 'meanVar');
  }
  /** Biased variance of x (divided by n, as tft.var). */
  variance(x: NumIn): NumExpr {
    return this.stat(x, 'variance', 'meanVar');
  }
  std(x: NumIn): NumExpr {
    return this.stat(x, 'std', 'meanVar');
  }
  /** Number of present (non-missing, non-NaN) values of x. */
  count(x: NumIn): NumExpr {
    return this.stat(x, 'count', 'meanVar');
  }
  min(x: NumIn): NumExpr {
    return this.stat(x, 'min', 'minMax');
  }
  max(x: NumIn): NumExpr {
    return this.stat(x, 'max', 'minMax');
  }

  // analyzers with their mappers
  /** (x - mean) / std, as tft.scale_to_z_score; a constant x (std 0) gives x - mean. */
  zScore(x: NumIn): NumExpr {
    const xr = this.num(x, 'zScore');
    const stats = this.push('number', { op: 'meanVar', x: xr }).ref;
    return this.push('number', { op: 'zScore', x: xr, stats });
  }
  /** x scaled to [0, 1] by the data's min and max, as tft.scale_to_0_1. */
  scale01(x: NumIn): NumExpr {
    return this.scaleMinMax(x, 0, 1);
  }
  /** x scaled to [min, max] (tft.scale_by_min_max); when the data's min equals its max, sigmoid(x) is scaled instead. */
  scaleMinMax(x: NumIn, min: number, max: number): NumExpr {
    if (!(Number.isFinite(min) && Number.isFinite(max) && min < max)) throw new DefinitionError(`scaleMinMax needs finite min < max, got ${min}, ${max}`, ['preprocessing']);
    const xr = this.num(x, 'scaleMinMax');
    const stats = this.push('number', { op: 'minMax', x: xr }).ref;
    return this.push('number', { op: 'scaleMinMax', x: xr, stats, min, max });
  }
  /** Ids of x's tokens in the data's vocabulary (tft.compute_and_apply_vocabulary). */
  vocabulary(x: StrIn, opts: VocabularyOptions = {}): IdExpr {
    const topK = opts.topK === undefined ? undefined : positiveInt(opts.topK, 'vocabulary topK');
    const frequencyThreshold = opts.frequencyThreshold;
    if (frequencyThreshold !== undefined && !(frequencyThreshold >= 0)) throw new DefinitionError(`vocabulary frequencyThreshold must be >= 0, got ${frequencyThreshold}`, ['preprocessing']);
    const numOovBuckets = opts.numOovBuckets ?? 0;
    if (!Number.isInteger(numOovBuckets) || numOovBuckets < 0) throw new DefinitionError(`vocabulary numOovBuckets must be an integer >= 0, got ${numOovBuckets}`, ['preprocessing']);
    const defaultValue = opts.defaultValue ?? -1;
    if (!Number.isInteger(defaultValue)) throw new DefinitionError(`vocabulary defaultValue must be an integer, got ${defaultValue}`, ['preprocessing']);
    const xr = this.str(x, 'vocabulary');
    const vocab = this.push('string', { op: 'vocabulary', x: xr, ...(topK === undefined ? {} : { topK }), ...(frequencyThreshold ? { frequencyThreshold } : {}) }).ref;
    return this.push('id', { op: 'lookup', x: xr, vocab, numOovBuckets, defaultValue });
  }
  /** Bucket ids of x by the data's quantiles: numBuckets - 1 boundaries, NaN ignored (tft.bucketize). */
  bucketize(x: NumIn, numBuckets: number): IdExpr {
    const xr = this.num(x, 'bucketize');
    const quantiles = this.push('number', { op: 'quantiles', x: xr, numBuckets: positiveInt(numBuckets, 'bucketize numBuckets') }).ref;
    return this.push('id', { op: 'applyBuckets', x: xr, quantiles });
  }

  // mappers
  /** Bucket ids by fixed ascending boundaries: boundaries[i-1] <= x < boundaries[i] gives i; NaN gives boundaries.length. */
  applyBuckets(x: NumIn, boundaries: readonly number[]): IdExpr {
    for (let i = 0; i < boundaries.length; i++) {
      if (!Number.isFinite(boundaries[i]) || (i > 0 && boundaries[i]! < boundaries[i - 1]!)) throw new DefinitionError('applyBuckets boundaries must be finite and ascending', ['preprocessing']);
    }
    return this.push('id', { op: 'applyBuckets', x: this.num(x, 'applyBuckets'), boundaries: [...boundaries] });
  }
  /** FarmHash Fingerprint64(x) mod buckets: the ids of tf.strings.to_hash_bucket_fast. */
  hashStrings(x: StrIn, buckets: number): IdExpr {
    return this.push('id', { op: 'hash', x: this.str(x, 'hashStrings'), buckets: positiveInt(buckets, 'hashStrings buckets') });
  }
  /** A hashed cross of categorical features: the ids of tf.sparse.cross_hashed (one value per feature per row). */
  cross(xs: readonly (StrIn | IdExpr)[], buckets: number, opts: { hashKey?: bigint } = {}): IdExpr {
    if (xs.length < 2) throw new DefinitionError(`cross takes at least 2 features, got ${xs.length}`, ['preprocessing']);
    const refs = xs.map((x) => (typeof x === 'object' && x.kind === 'id' ? x.ref : this.str(x as StrIn, 'cross')));
    const hashKey = opts.hashKey ?? DEFAULT_CROSS_HASH_KEY;
    if (hashKey < 0n || hashKey >= 1n << 64n) throw new DefinitionError('cross hashKey must be a uint64', ['preprocessing']);
    return this.push('id', { op: 'cross', xs: refs, buckets: positiveInt(buckets, 'cross buckets'), hashKey: hashKey.toString() });
  }
  /** One-hot vectors of ids; depth defaults to the ids' cardinality. Ids outside [0, depth) give all zeros (tf.one_hot). */
  oneHot(ids: IdExpr, depth?: number): VecExpr {
    const x = this.expect(ids, 'id', 'oneHot');
    return this.push('vector', { op: 'oneHot', x, ...(depth === undefined ? {} : { depth: positiveInt(depth, 'oneHot depth') }) });
  }
  /** x with its missing values replaced (by a constant, or an analyzer's value such as f.mean(x)). */
  fillMissing(x: NumIn, value: NumExpr | number): NumExpr;
  fillMissing(x: StrIn, value: string): StrExpr;
  fillMissing(x: NumIn | StrIn, value: NumExpr | number | string): NumExpr | StrExpr {
    if (typeof value === 'string') return this.push('string', { op: 'fillMissing', x: this.str(x as StrIn, 'fillMissing'), value: this.push('string', { op: 'strConst', value }).ref });
    return this.push('number', { op: 'fillMissing', x: this.num(x as NumIn, 'fillMissing'), value: this.arg(value, 'fillMissing') });
  }
  /** An id as a float number. */
  toFloat(ids: IdExpr): NumExpr {
    return this.push('number', { op: 'toFloat', x: this.expect(ids, 'id', 'toFloat') });
  }

  private unary(fn: UnaryFn, x: NumIn): NumExpr {
    return this.push('number', { op: 'unary', fn, x: this.num(x, fn) });
  }
  private binary(fn: BinaryFn, a: NumArg, b: NumArg): NumExpr {
    return this.push('number', { op: 'binary', fn, a: this.arg(a, fn), b: this.arg(b, fn) });
  }
  add(a: NumArg, b: NumArg): NumExpr {
    return this.binary('add', a, b);
  }
  sub(a: NumArg, b: NumArg): NumExpr {
    return this.binary('sub', a, b);
  }
  mul(a: NumArg, b: NumArg): NumExpr {
    return this.binary('mul', a, b);
  }
  div(a: NumArg, b: NumArg): NumExpr {
    return this.binary('div', a, b);
  }
  pow(a: NumArg, b: NumArg): NumExpr {
    return this.binary('pow', a, b);
  }
  minimum(a: NumArg, b: NumArg): NumExpr {
    return this.binary('min', a, b);
  }
  maximum(a: NumArg, b: NumArg): NumExpr {
    return this.binary('max', a, b);
  }
  log1p(x: NumIn): NumExpr {
    return this.unary('log1p', x);
  }
  log(x: NumIn): NumExpr {
    return this.unary('log', x);
  }
  exp(x: NumIn): NumExpr {
    return this.unary('exp', x);
  }
  sqrt(x: NumIn): NumExpr {
    return this.unary('sqrt', x);
  }
  abs(x: NumIn): NumExpr {
    return this.unary('abs', x);
  }
  neg(x: NumIn): NumExpr {
    return this.unary('neg', x);
  }
  square(x: NumIn): NumExpr {
    return this.unary('square', x);
  }
  sigmoid(x: NumIn): NumExpr {
    return this.unary('sigmoid', x);
  }

  /** The spec of everything added so far, with `outputs` as its output features. */
  build(outputs: Record<string, OutputExpr>): TransformSpec {
    const out: Record<string, number> = {};
    for (const [name, e] of Object.entries(outputs)) {
      if (typeof e !== 'object' || e === null || typeof (e as { ref?: unknown }).ref !== 'number' || (e as OutputExpr).ref >= this.nodes.length) {
        throw new DefinitionError(`output '${name}' is not an expression of f (got ${e === null ? 'null' : typeof e})`, ['preprocessing', name]);
      }
      out[name] = e.ref;
    }
    if (Object.keys(out).length === 0) throw new DefinitionError('the preprocessing function returned no outputs', ['preprocessing']);
    return TransformSpec.parse({ version: TRANSFORM_SPEC_VERSION, nodes: structuredClone(this.nodes), outputs: out });
  }
}

/** A user's preprocessing function. */
export type PreprocessingFn = (f: Tracer) => Record<string, OutputExpr>;

/** Calls `fn` once with a tracer and returns the plain-JSON spec it describes (no analyzer has run). */
export function tracePreprocessing(fn: PreprocessingFn): TransformSpec {
  const f = new Tracer();
  let outputs: Record<string, OutputExpr>;
  try {
    outputs = fn(f);
  } catch (e) {
    if (e instanceof DefinitionError) throw e;
    throw new UserCodeError('the preprocessing function threw', e);
  }
  if (typeof outputs !== 'object' || outputs === null || Array.isArray(outputs)) {
    throw new DefinitionError('the preprocessing function must return an object of output name -> expression', ['preprocessing']);
  }
  return f.build(outputs);
}

function featureName(name: string): string {
  if (typeof name !== 'string' || name.length === 0) throw new DefinitionError(`a feature name must be a non-empty string, got ${JSON.stringify(name)}`, ['preprocessing']);
  return name;
}

function positiveInt(v: number, what: string): number {
  if (!Number.isInteger(v) || v < 1) throw new DefinitionError(`${what} must be a positive integer, got ${v}`, ['preprocessing']);
  return v;
}
