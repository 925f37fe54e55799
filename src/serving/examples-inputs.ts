/**
 * :classify / :regress examples (tf.Example-like rows, with the context features every example
 * shares) as serving_default's raw-feature tensors, one value per example: a feature left out
 * (or an empty list) is missing, for the Model's transform to fill; each value must be the
 * feature's kind (bytes for strings, an integer for int64); a feature the model does not read is
 * refused, except the label that rows straight from the data carry.
 */
import { badRequest } from './http-errors.js';
import type { Servable } from './servable-loader.js';
import type { ExampleRow, Tensor } from './servable.js';
import { SIGNATURE_NAME } from './signature.js';

const describe = (v: unknown) => (v instanceof Uint8Array ? JSON.stringify(new TextDecoder().decode(v)) : String(v));

/** One tensor per serving_default input, batch = the examples; INVALID_ARGUMENT naming the example and feature. */
export function inputsOfExamples(
  model: string,
  servable: Servable,
  examples: ExampleRow[],
  context?: ExampleRow,
): Record<string, Tensor> {
  const sig = servable.signatures[SIGNATURE_NAME]!;
  const names = Object.keys(sig.inputs);
  const known = new Set(names);
  // rows straight from the data carry the label; the signature names it as the transform does ('species' for 'Species')
  const label = servable.labelName?.toLowerCase();
  const inputs: Record<string, Tensor> = {};
  for (const name of names)
    inputs[name] = { dtype: sig.inputs[name]!.dtype, shape: [examples.length], values: [], missing: [] };
  const rows: ExampleRow[] = examples.map((ex) => ({ ...(context ?? {}), ...ex }));
  rows.forEach((row, i) => {
    for (const key of Object.keys(row))
      if (!known.has(key) && key.toLowerCase() !== label)
        throw badRequest(`examples[${i}]: unknown feature '${key}' (model '${model}' reads ${names.join(', ')})`);
    for (const name of names) {
      const t = inputs[name]!;
      const list = (Object.hasOwn(row, name) ? row[name] : []) as (number | Uint8Array)[];
      if (list.length > 1)
        throw badRequest(
          `examples[${i}]: feature '${name}' has ${list.length} values; the model takes one per example`,
        );
      const v = list[0];
      const where = `examples[${i}]: feature '${name}'`;
      if (v === undefined) {
        (t.values as unknown[]).push(t.dtype === 'DT_STRING' ? new Uint8Array(0) : NaN);
        t.missing!.push(true);
        continue;
      }
      if (t.dtype === 'DT_STRING' && !(v instanceof Uint8Array))
        throw badRequest(`${where}: Unexpected element type: ${describe(v)} is a number; expecting type: bytes`);
      if (t.dtype !== 'DT_STRING' && typeof v !== 'number')
        throw badRequest(
          `${where}: Unexpected element type: ${describe(v)} is bytes; expecting type: ${t.dtype === 'DT_INT64' ? 'int64' : 'float'}`,
        );
      if (t.dtype === 'DT_INT64' && !Number.isInteger(v))
        throw badRequest(`${where}: Unexpected element type: ${describe(v)} is a float; expecting type: int64`);
      (t.values as unknown[]).push(v);
      t.missing!.push(false);
    }
  });
  return inputs;
}
