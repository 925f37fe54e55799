/**
 * A request's tensors checked against a signature before anything runs, as TF Serving's
 * predict_util.cc checks them: the same input names (extra and missing ones listed), each
 * tensor's dtype and shape (rank, and every dimension the signature fixes), one batch size, a
 * values count that fits the shape, and missing values only where the servable can fill them.
 * Both faces get the same message for the same mistake.
 */
import { badRequest } from './http-errors.js';
import type { SignatureDef, Tensor } from './servable.js';

const show = (shape: readonly number[]) => `[${shape.join(',')}]`;

/** Throws INVALID_ARGUMENT naming the input; returns the batch size. */
export function checkInputs(
  signatureName: string,
  signature: SignatureDef,
  inputs: Record<string, Tensor>,
  acceptsMissing: boolean,
): number {
  const want = Object.keys(signature.inputs);
  const got = Object.keys(inputs);
  const extra = got.filter((n) => !Object.hasOwn(signature.inputs, n));
  const missing = want.filter((n) => !Object.hasOwn(inputs, n));
  if (extra.length || missing.length)
    throw badRequest(
      `input size does not match signature '${signatureName}': ${got.length}!=${want.length} len({${got.join(',')}}) != len({${want.join(',')}}). Sent extra: {${extra.join(',')}}. Missing but required: {${missing.join(',')}}.`,
    );
  let batch: number | undefined;
  let first = '';
  for (const name of want) {
    const t = inputs[name]!;
    const spec = signature.inputs[name]!;
    if (t.dtype !== spec.dtype) throw badRequest(`input '${name}': expects type ${spec.dtype} but got ${t.dtype}`);
    const size = t.shape.reduce((a, b) => a * b, 1);
    if (!t.shape.every((d) => Number.isSafeInteger(d) && d >= 0) || size !== t.values.length)
      throw badRequest(`input '${name}': shape ${show(t.shape)} does not hold its ${t.values.length} values`);
    if (spec.shape) {
      const ok = spec.shape.length === t.shape.length && spec.shape.every((d, k) => d < 0 || d === t.shape[k]);
      if (!ok) throw badRequest(`input '${name}' expects shape ${show(spec.shape)} but got ${show(t.shape)}`);
    }
    if (t.shape.length === 0) throw badRequest(`input '${name}' is a scalar; expected a batch (shape [n,...])`);
    if (batch === undefined) {
      batch = t.shape[0]!;
      first = name;
    } else if (t.shape[0] !== batch)
      throw badRequest(`inputs disagree on the batch size: '${first}' has ${batch} rows, '${name}' has ${t.shape[0]}`);
    if (!acceptsMissing && t.missing?.some(Boolean)) {
      const k = t.missing.indexOf(true);
      throw badRequest(`input '${name}' value ${k} is null; this model's inputs cannot be missing`);
    }
  }
  return batch ?? 0;
}
