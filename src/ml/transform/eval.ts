/**
 * Evaluates a spec's nodes over one columnar batch: the shared core of analysis (the inputs of
 * a phase's analyzers) and of applyTransform (the outputs). Columns are typed arrays; an op is
 * one loop over them. Analysis lets missing values flow to the analyzers (which skip them, as
 * TFT's analyzers skip absent values of sparse features); apply is strict: a missing value
 * reaching any op but fillMissing is a DataError naming the feature and the row.
 */
import { DataError, DefinitionError } from '../../errors.js';
import { nodeInputs, type AnalyzerResult, type ExprNode, type NodeOf, type ResultOf, type TransformSpec } from '../../../schemas/transform-graph.js';
import { readNumbers, readStrings, requirePresent, type NumCol, type RawBatch, type StrCol } from './batch.js';
import { crossHashed, hashBucket } from './hash.js';
import { binary, fillMissing, unary, type Scalar, type StrScalar } from './ops.js';
import { vocabularyIndex } from './vocabulary.js';

/** Integer ids (vocabulary, buckets, hashes), one per row. */
export interface IdCol {
  t: 'id';
  v: Int32Array;
  src: string;
}
/** Row-major vectors of `width` floats (oneHot). */
export interface VecCol {
  t: 'vec';
  v: Float32Array;
  width: number;
  src: string;
}
export type Col = NumCol | StrCol | IdCol | VecCol | Scalar | StrScalar;
export type Results = Readonly<Record<string, AnalyzerResult>>;

const ANALYZERS = new Set<ExprNode['op']>(['meanVar', 'minMax', 'vocabulary', 'quantiles']);

/** Indices of the nodes that must be evaluated to get `targets` (an analyzer is a result, not a column: its input is not walked). */
export function neededNodes(spec: TransformSpec, targets: Iterable<number>): Uint8Array {
  const need = new Uint8Array(spec.nodes.length);
  const stack = [...targets];
  while (stack.length) {
    const i = stack.pop()!;
    if (need[i]) continue;
    need[i] = 1;
    const n = spec.nodes[i]!;
    if (ANALYZERS.has(n.op)) continue;
    stack.push(...nodeInputs(n));
  }
  return need;
}

/** The raw features node `ref` reads, for messages ("the mean of 'bill'"). */
export function featuresOf(spec: TransformSpec, ref: number): string[] {
  const names = new Set<string>();
  const need = new Uint8Array(spec.nodes.length);
  const stack = [ref];
  while (stack.length) {
    const i = stack.pop()!;
    if (need[i]) continue;
    need[i] = 1;
    const n = spec.nodes[i]!;
    if (n.op === 'feature') names.add(n.name);
    stack.push(...nodeInputs(n));
  }
  return [...names];
}

/** The result of analyzer node `ref`, which must be an `op` analyzer. */
export function resultOf<O extends AnalyzerResult['op']>(results: Results, ref: number, op: O): ResultOf<O> {
  const r = results[ref];
  if (!r || r.op !== op) throw new DefinitionError(`node ${ref} has no ${op} result: the analysis phase that computes it has not run`, ['results', ref]);
  return r as ResultOf<O>;
}

/** Cardinality of an id node: ids lie in [0, cardinality) (a vocabulary's defaultValue aside). */
export function cardinality(spec: TransformSpec, results: Results, ref: number): number {
  const n = spec.nodes[ref]!;
  switch (n.op) {
    case 'lookup':
      return resultOf(results, n.vocab, 'vocabulary').tokens.length + n.numOovBuckets;
    case 'applyBuckets':
      return (n.boundaries ?? resultOf(results, n.quantiles!, 'quantiles').boundaries).length + 1;
    case 'hash':
    case 'cross':
      return n.buckets;
    default:
      throw new DefinitionError(`node ${ref} (${n.op}) is not an id expression`, ['nodes', ref]);
  }
}

export interface EvalOptions {
  /** apply: a missing value reaching an op is an error; analysis: it flows to the analyzers */
  strict: boolean;
}

/** Evaluates the nodes marked in `need` over `batch`; analyzer nodes themselves are not evaluated. */
export function evaluate(spec: TransformSpec, results: Results, batch: RawBatch, need: Uint8Array, opts: EvalOptions): (Col | undefined)[] {
  const cols: (Col | undefined)[] = new Array(spec.nodes.length);
  for (let i = 0; i < spec.nodes.length; i++) {
    const n = spec.nodes[i]!;
    if (!need[i] || ANALYZERS.has(n.op)) continue;
    cols[i] = evalNode(spec, results, batch, n, i, cols, opts);
  }
  return cols;
}

function num(c: Col | undefined, op: string, strict: boolean): NumCol | Scalar {
  if (c?.t === 'scalar') return c;
  if (c?.t !== 'num') throw new DefinitionError(`${op} needs a numeric input`);
  if (strict) requirePresent(c, op);
  return c;
}
function numCol(c: Col | undefined, op: string, strict: boolean): NumCol {
  const x = num(c, op, strict);
  if (x.t === 'scalar') throw new DefinitionError(`${op} needs a column, not an analyzer's value`);
  return x;
}
function str(c: Col | undefined, op: string, strict: boolean): StrCol {
  if (c?.t !== 'str') throw new DefinitionError(`${op} needs a string input`);
  if (strict) requirePresent(c, op);
  return c;
}

function statValue(spec: TransformSpec, results: Results, n: NodeOf<'stat'>): number {
  const r = results[n.of];
  if (!r) throw new DefinitionError(`node ${n.of} has no result: the analysis phase that computes it has not run`);
  let v: number | null | undefined;
  if (r.op === 'meanVar') v = n.field === 'std' ? Math.sqrt(r.variance) : n.field === 'mean' ? r.mean : n.field === 'variance' ? r.variance : n.field === 'count' ? r.count : undefined;
  else if (r.op === 'minMax') v = n.field === 'min' ? r.min : n.field === 'max' ? r.max : n.field === 'count' ? r.count : undefined;
  if (v === undefined) throw new DefinitionError(`a ${r.op} result has no field ${n.field}`);
  if (v === null) throw new DataError(`the ${n.field} of ${featuresOf(spec, n.of).map((f) => `'${f}'`).join(', ')} is undefined: the analysed data had no value of it`);
  return v;
}

function evalNode(spec: TransformSpec, results: Results, batch: RawBatch, n: ExprNode, i: number, cols: (Col | undefined)[], { strict }: EvalOptions): Col {
  const rows = batch.numRows;
  switch (n.op) {
    case 'feature': {
      // a passthrough ('any') reads as the Schema typed it, or as the batch holds it when unbound
      const asString = n.use === 'string' || (n.use === 'any' && (n.kind ? n.kind === 'string' : !holdsNumbers(batch, n.name)));
      return asString ? readStrings(batch, n.name) : readNumbers(batch, n.name);
    }
    case 'const':
      return { t: 'scalar', v: n.value };
    case 'strConst':
      return { t: 'strScalar', v: n.value };
    case 'stat':
      return { t: 'scalar', v: statValue(spec, results, n) };
    case 'zScore': {
      const x = numCol(cols[n.x], 'zScore', strict);
      const { mean, variance } = resultOf(results, n.stats, 'meanVar');
      const std = Math.sqrt(variance);
      const v = new Float64Array(rows);
      // a constant feature (std 0) is only centred, as tft.scale_to_z_score does
      if (std !== 0) for (let r = 0; r < rows; r++) v[r] = (x.v[r]! - mean) / std;
      else for (let r = 0; r < rows; r++) v[r] = x.v[r]! - mean;
      return { t: 'num', v, miss: x.miss, src: x.src };
    }
    case 'scaleMinMax': {
      const x = numCol(cols[n.x], 'scaleMinMax', strict);
      const { min, max } = resultOf(results, n.stats, 'minMax');
      const out = n.max - n.min;
      const v = new Float64Array(rows);
      // min == max (one distinct value, or no data): TFT maps x through a sigmoid instead
      if (min !== null && max !== null && min < max) {
        const range = max - min;
        for (let r = 0; r < rows; r++) v[r] = ((x.v[r]! - min) / range) * out + n.min;
      } else for (let r = 0; r < rows; r++) v[r] = (1 / (1 + Math.exp(-x.v[r]!))) * out + n.min;
      return { t: 'num', v, miss: x.miss, src: x.src };
    }
    case 'lookup': {
      const x = str(cols[n.x], 'vocabulary', true);
      const vocab = resultOf(results, n.vocab, 'vocabulary');
      const index = vocabularyIndex(vocab);
      const size = vocab.tokens.length;
      const v = new Int32Array(rows);
      for (let r = 0; r < rows; r++) {
        const id = index.get(x.v[r]!);
        v[r] = id !== undefined ? id : n.numOovBuckets > 0 ? size + hashBucket(x.v[r]!, n.numOovBuckets) : n.defaultValue;
      }
      return { t: 'id', v, src: x.src };
    }
    case 'applyBuckets': {
      const x = numCol(cols[n.x], 'applyBuckets', true);
      const b = n.boundaries ?? resultOf(results, n.quantiles!, 'quantiles').boundaries;
      const v = new Int32Array(rows);
      for (let r = 0; r < rows; r++) {
        const e = x.v[r]!;
        if (e !== e) {
          v[r] = b.length; // NaN: the last bucket, as tft.apply_buckets
          continue;
        }
        let lo = 0;
        let hi = b.length;
        while (lo < hi) {
          const mid = (lo + hi) >> 1;
          if (b[mid]! <= e) lo = mid + 1;
          else hi = mid;
        }
        v[r] = lo;
      }
      return { t: 'id', v, src: x.src };
    }
    case 'hash': {
      const x = str(cols[n.x], 'hashStrings', true);
      const v = new Int32Array(rows);
      for (let r = 0; r < rows; r++) v[r] = hashBucket(x.v[r]!, n.buckets);
      return { t: 'id', v, src: x.src };
    }
    case 'cross': {
      const parts = n.xs.map((ref) => {
        const c = cols[ref];
        if (c?.t === 'id') return c;
        return str(c, 'cross', true);
      });
      return { t: 'id', v: crossHashed(parts, rows, n.buckets, BigInt(n.hashKey)), src: parts.map((p) => p.src).join(' x ') };
    }
    case 'oneHot': {
      const x = cols[n.x];
      if (x?.t !== 'id') throw new DefinitionError('oneHot needs an id input');
      const depth = n.depth ?? cardinality(spec, results, n.x);
      const v = new Float32Array(rows * depth);
      for (let r = 0; r < rows; r++) {
        const id = x.v[r]!;
        if (id >= 0 && id < depth) v[r * depth + id] = 1;
      }
      return { t: 'vec', v, width: depth, src: x.src };
    }
    case 'fillMissing':
      return fillMissing(cols[n.x], cols[n.value], rows);
    case 'toFloat': {
      const x = cols[n.x];
      if (x?.t !== 'id') throw new DefinitionError('toFloat needs an id input');
      return { t: 'num', v: Float64Array.from(x.v), miss: null, src: x.src };
    }
    case 'unary':
      return unary(n.fn, num(cols[n.x], n.fn, strict), rows);
    case 'binary':
      return binary(n.fn, num(cols[n.a], n.fn, strict), num(cols[n.b], n.fn, strict), rows);
    default:
      throw new DefinitionError(`node ${i} (${n.op}) is an analyzer, not a column`);
  }
}

function holdsNumbers(batch: RawBatch, name: string): boolean {
  const c = batch.columns[name];
  if (c?.kind === 'number') return true;
  if (c?.kind !== 'list') return false;
  for (const cell of c.values) if (cell && cell.length) return typeof cell[0] === 'number';
  return false;
}
