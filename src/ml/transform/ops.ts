/**
 * The per-row kernels of the evaluator: fillMissing, unary and binary arithmetic. One tight
 * loop over typed arrays each; a scalar operand (an analyzer's value, a constant) broadcasts.
 */
import { DefinitionError } from '../../errors.js';
import type { NodeOf } from '../../../schemas/transform-graph.js';
import type { NumCol, StrCol } from './batch.js';

/** An analyzer's value or a constant, the same for every row. */
export interface Scalar {
  t: 'scalar';
  v: number;
}
export interface StrScalar {
  t: 'strScalar';
  v: string;
}

/** Any evaluated column or value (ids and vectors are rejected here). */
export type Operand = NumCol | StrCol | Scalar | StrScalar | { t: 'id' } | { t: 'vec' } | undefined;

/** x with its missing rows taken from value (a constant, an analyzer's value, or another column). */
export function fillMissing(x: Operand, value: Operand, rows: number): NumCol | StrCol {
  if (x?.t === 'str') {
    if (value?.t !== 'strScalar') throw new DefinitionError('fillMissing of a string needs a string value');
    return { t: 'str', v: x.v.map((s) => (s === null ? value.v : s)), src: x.src };
  }
  if (x?.t !== 'num') throw new DefinitionError('fillMissing needs a numeric or string input');
  if (!x.miss) return x;
  const v = Float64Array.from(x.v);
  const miss = x.miss;
  if (value?.t === 'scalar') {
    for (let r = 0; r < rows; r++) if (miss[r]) v[r] = value.v;
    return { t: 'num', v, miss: null, src: x.src };
  }
  if (value?.t !== 'num') throw new DefinitionError('fillMissing of a number needs a numeric value');
  // filled from another column: still missing where both are
  let still: Uint8Array | null = null;
  for (let r = 0; r < rows; r++) {
    if (!miss[r]) continue;
    if (value.miss?.[r]) (still ??= new Uint8Array(rows))[r] = 1;
    else v[r] = value.v[r]!;
  }
  return { t: 'num', v, miss: still, src: still ? value.src : x.src };
}

const UNARY: Record<NodeOf<'unary'>['fn'], (x: number) => number> = {
  log1p: Math.log1p,
  log: Math.log,
  exp: Math.exp,
  sqrt: Math.sqrt,
  abs: Math.abs,
  neg: (x) => -x,
  square: (x) => x * x,
  sigmoid: (x) => 1 / (1 + Math.exp(-x)),
};

export function unary(fn: NodeOf<'unary'>['fn'], x: NumCol | Scalar, rows: number): NumCol | Scalar {
  const f = UNARY[fn];
  if (x.t === 'scalar') return { t: 'scalar', v: f(x.v) };
  const v = new Float64Array(rows);
  const xv = x.v;
  if (fn === 'neg') for (let r = 0; r < rows; r++) v[r] = -xv[r]!;
  else if (fn === 'square') for (let r = 0; r < rows; r++) v[r] = xv[r]! * xv[r]!;
  else for (let r = 0; r < rows; r++) v[r] = f(xv[r]!);
  return { t: 'num', v, miss: x.miss, src: x.src };
}

export function binary(fn: NodeOf<'binary'>['fn'], a: NumCol | Scalar, b: NumCol | Scalar, rows: number): NumCol | Scalar {
  if (a.t === 'scalar' && b.t === 'scalar') return { t: 'scalar', v: binaryOne(fn, a.v, b.v) };
  const v = new Float64Array(rows);
  // a scalar operand broadcasts: each op stays one loop with a branch the JIT hoists
  const av = a.t === 'scalar' ? null : a.v;
  const bv = b.t === 'scalar' ? null : b.v;
  const as = a.t === 'scalar' ? a.v : 0;
  const bs = b.t === 'scalar' ? b.v : 0;
  switch (fn) {
    case 'add':
      for (let r = 0; r < rows; r++) v[r] = (av ? av[r]! : as) + (bv ? bv[r]! : bs);
      break;
    case 'sub':
      for (let r = 0; r < rows; r++) v[r] = (av ? av[r]! : as) - (bv ? bv[r]! : bs);
      break;
    case 'mul':
      for (let r = 0; r < rows; r++) v[r] = (av ? av[r]! : as) * (bv ? bv[r]! : bs);
      break;
    case 'div':
      for (let r = 0; r < rows; r++) v[r] = (av ? av[r]! : as) / (bv ? bv[r]! : bs);
      break;
    default:
      for (let r = 0; r < rows; r++) v[r] = binaryOne(fn, av ? av[r]! : as, bv ? bv[r]! : bs);
  }
  const am = a.t === 'num' ? a.miss : null;
  const bm = b.t === 'num' ? b.miss : null;
  let miss = am ?? bm;
  if (am && bm) {
    miss = new Uint8Array(rows);
    for (let r = 0; r < rows; r++) miss[r] = am[r]! | bm[r]!;
  }
  // name the operand a missing value would come from (a's when both could)
  const src = (am || !bm) && a.t === 'num' ? a.src : (b as NumCol).src;
  return { t: 'num', v, miss, src };
}

function binaryOne(fn: NodeOf<'binary'>['fn'], a: number, b: number): number {
  switch (fn) {
    case 'add':
      return a + b;
    case 'sub':
      return a - b;
    case 'mul':
      return a * b;
    case 'div':
      return a / b;
    case 'pow':
      return a ** b;
    case 'min':
      return Math.min(a, b);
    case 'max':
      return Math.max(a, b);
  }
}
