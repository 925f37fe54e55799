/** Input checks shared by the metric accumulators: one bad example gets an error naming it. */
import { DataError } from '../../../src/errors.js';

/** Where an example came from, for error messages (e.g. `eval split, row 17`); defaults to its index in the batch. */
export type ExampleRef = string | number;

const where = (ref: ExampleRef): string => (typeof ref === 'number' ? `example ${ref}` : ref);

/** A weight must be finite and >= 0 (zero drops the example from weighted metrics, as in sklearn). */
export function checkWeight(weight: number | undefined, ref: ExampleRef): number {
  const w = weight ?? 1;
  if (!Number.isFinite(w) || w < 0)
    throw new DataError(`example weight must be a finite number >= 0, got ${w}`, undefined, where(ref));
  return w;
}

/** A finite number (label or prediction), named `field` in the error. */
export function checkFinite(value: number, field: string, ref: ExampleRef): number {
  if (typeof value !== 'number' || !Number.isFinite(value))
    throw new DataError(`${field} must be a finite number, got ${String(value)}`, undefined, where(ref));
  return value;
}

/** A binary label is 0 or 1 (booleans allowed): TFMA's binary metrics reject anything else too. */
export function checkBinaryLabel(label: number | boolean, ref: ExampleRef): 0 | 1 {
  if (label === true || label === 1) return 1;
  if (label === false || label === 0) return 0;
  throw new DataError(`binary label must be 0 or 1, got ${String(label)}`, undefined, where(ref));
}

/** A probability in [0, 1]: binary predictions feed log loss and calibration, which need one. */
export function checkProbability(p: number, ref: ExampleRef): number {
  if (typeof p !== 'number' || !(p >= 0 && p <= 1))
    throw new DataError(`binary prediction must be a probability in [0, 1], got ${String(p)}`, undefined, where(ref));
  return p;
}

/** Checks parallel arrays have one entry per example. */
export function checkLengths(n: number, lengths: Record<string, number | undefined>): void {
  for (const [name, len] of Object.entries(lengths)) {
    if (len !== undefined && len !== n) throw new DataError(`${name} has ${len} entries but labels have ${n}`);
  }
}

/** a / b, or NaN when b is 0 (TFMA's rule: a metric over an empty denominator is undefined, not 0). */
export const ratio = (a: number, b: number): number => (b === 0 ? NaN : a / b);

/** A Float64Array that grows by doubling, so AUC can keep every (prediction, label, weight) cheaply. */
export class GrowableF64 {
  private buf = new Float64Array(64);
  length = 0;
  push(x: number): void {
    if (this.length === this.buf.length) {
      const next = new Float64Array(this.buf.length * 2);
      next.set(this.buf);
      this.buf = next;
    }
    this.buf[this.length++] = x;
  }
  append(other: GrowableF64): void {
    for (let i = 0; i < other.length; i++) this.push(other.buf[i]!);
  }
  /** a view of the filled part (valid until the next push) */
  view(): Float64Array {
    return this.buf.subarray(0, this.length);
  }
}
