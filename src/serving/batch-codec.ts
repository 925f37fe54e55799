/**
 * The batching codec for servable.ts's tensor maps (input name -> batch-first Tensor), the
 * shape both the REST and the gRPC face hand the core. Requests join one batch only when their
 * tensors agree on names, dtypes and every dimension but the first, as TF's BatchingSession
 * needs (it has no padding here: pad_variable_length_inputs is not offered).
 */
import type { BatchCodec } from './batching.js';
import { badRequest, ServingError } from './http-errors.js';
import type { Tensor } from './servable.js';

export type TensorMap = Record<string, Tensor>;

/** values per row: the product of every dimension but the batch one */
const rowLength = (t: Tensor) => t.shape.slice(1).reduce((a, b) => a * b, 1);

function rows(map: TensorMap): number {
  const entries = Object.entries(map);
  if (entries.length === 0) throw badRequest('the request has no input tensors');
  const sizes = entries.map(([name, t]) => {
    if (t.shape.length === 0) throw badRequest(`input '${name}' is a scalar; batching needs a batch dimension first`);
    return t.shape[0]!;
  });
  if (new Set(sizes).size > 1)
    throw badRequest(`inputs disagree on the batch size: ${entries.map(([n], k) => `${n}=${sizes[k]}`).join(', ')}`);
  return sizes[0]!;
}

function concat(maps: TensorMap[]): TensorMap {
  const out: TensorMap = {};
  for (const name of Object.keys(maps[0]!)) {
    const parts = maps.map((m) => m[name]!);
    const values = parts.flatMap((t) => t.values as unknown[]) as Tensor['values'];
    const n = parts.reduce((a, t) => a + t.shape[0]!, 0);
    out[name] = { dtype: parts[0]!.dtype, shape: [n, ...parts[0]!.shape.slice(1)], values };
    // a raw feature's missing mask rides along, flat like values (a part without one misses nothing)
    if (parts.some((t) => t.missing))
      out[name]!.missing = parts.flatMap((t) => t.missing ?? new Array<boolean>(t.values.length).fill(false));
  }
  return out;
}

function split(map: TensorMap, sizes: number[]): TensorMap[] {
  const total = sizes.reduce((a, b) => a + b, 0);
  const out: TensorMap[] = sizes.map(() => ({}));
  for (const [name, t] of Object.entries(map)) {
    if (t.shape[0] !== total)
      throw new ServingError(
        'INTERNAL',
        `output '${name}' has ${t.shape[0]} rows but the batch had ${total}; it can't be split per request`,
      );
    const per = rowLength(t);
    let start = 0;
    sizes.forEach((n, k) => {
      const values = t.values.slice(start * per, (start + n) * per) as Tensor['values'];
      out[k]![name] = { dtype: t.dtype, shape: [n, ...t.shape.slice(1)], values };
      if (t.missing) out[k]![name]!.missing = t.missing.slice(start * per, (start + n) * per);
      start += n;
    });
  }
  return out;
}

/** Rows are the first dimension of every tensor; the key is the sorted names, dtypes and row shapes. */
export const tensorMapCodec: BatchCodec<TensorMap, TensorMap> = {
  size: rows,
  key: (map) =>
    Object.keys(map)
      .sort()
      .map((name) => `${name}:${map[name]!.dtype}:${map[name]!.shape.slice(1).join('x')}`)
      .join(','),
  concatInputs: concat,
  splitOutputs: split,
  splitInputs: split,
  concatOutputs: concat,
};
