/**
 * Compile-time guarantees of the preprocessing DSL (run by vitest's typecheck): an expression
 * carries its kind, so a string op on a number (or an id where a number goes) is a type error.
 */
import { describe, expectTypeOf, it } from 'vitest';
import { tracePreprocessing, type IdExpr, type NumExpr, type StrExpr, type Tracer, type VecExpr } from '../../../src/ml/transform/index.js';

describe('preprocessing DSL types', () => {
  it('gives each op its result kind', () => {
    tracePreprocessing((f) => {
      expectTypeOf(f.zScore('x')).toEqualTypeOf<NumExpr>();
      expectTypeOf(f.vocabulary('s')).toEqualTypeOf<IdExpr>();
      expectTypeOf(f.bucketize(f.log1p('x'), 4)).toEqualTypeOf<IdExpr>();
      expectTypeOf(f.oneHot(f.hashStrings('s', 8))).toEqualTypeOf<VecExpr>();
      expectTypeOf(f.fillMissing('s', 'unknown')).toEqualTypeOf<StrExpr>();
      expectTypeOf(f.fillMissing('x', f.mean('x'))).toEqualTypeOf<NumExpr>();
      return { z: f.zScore('x') };
    });
  });

  it('rejects a kind where another is expected', () => {
    const bad = (f: Tracer) => {
      // @ts-expect-error vocabulary takes strings, zScore gives numbers
      f.vocabulary(f.zScore('x'));
      // @ts-expect-error zScore takes numbers, vocabulary gives ids
      f.zScore(f.vocabulary('s'));
      // @ts-expect-error hashStrings takes strings
      f.hashStrings(f.mean('x'), 10);
      // @ts-expect-error oneHot takes ids
      f.oneHot(f.zScore('x'));
      // @ts-expect-error a numeric fillMissing takes a number, not a string
      f.fillMissing(f.zScore('x'), 'none');
      // @ts-expect-error arithmetic on ids needs toFloat first
      f.add(f.vocabulary('s'), 1);
      // @ts-expect-error cross takes strings or ids, not numbers
      f.cross([f.zScore('x'), 's'], 10);
    };
    expectTypeOf(bad).toBeFunction();
    // @ts-expect-error an output must be an expression
    tracePreprocessing(() => ({ x: 3 }));
  });
});
