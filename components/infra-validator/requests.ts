/**
 * The requests InfraValidator sends (TFX's request_builder): rows of one split of the raw
 * Examples, cut down to the raw features the Model's signature reads (the label and anything
 * else the model does not take left out), as TF Serving REST `:predict` bodies in row format,
 * `{"instances": [{feature: value, ...}, ...]}`, with null for a missing value.
 */
import fs from 'node:fs/promises';
import path from 'node:path';
import type { ExamplesProperties } from '../../schemas/artifacts.js';
import type { ModelSignature } from '../../schemas/model-signature.js';
import type { InputArtifact } from '../../src/dsl/component.js';
import { DataError } from '../../src/errors.js';
import { iterateSplit } from '../../src/io/arrow-shards.js';
import { parseSignature } from '../../src/ml/model-predictor.js';
import { rawBatchFromArrow, type RawBatch } from '../../src/ml/transform/index.js';
import { SIGNATURE_FILE } from '../trainer/spec.js';

/** A REST :predict body in row format. */
export interface PredictBody {
  instances: Record<string, unknown>[];
}

/** The Model folder's signature; a missing or invalid one is a DataError naming the file. */
export async function readSignature(modelDir: string): Promise<ModelSignature> {
  const file = path.join(modelDir, SIGNATURE_FILE);
  let text: string;
  try {
    text = await fs.readFile(file, 'utf8');
  } catch (err) {
    throw new DataError(`cannot read the Model's signature: ${(err as Error).message}`, file);
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (err) {
    throw new DataError(`not JSON: ${(err as Error).message}`, file);
  }
  return parseSignature(json, file);
}

/**
 * A float32 value (Examples store measurements as Float32) as the shortest decimal that reads
 * back as the same float32: 39.1, not 39.099998474121094. The warm-up requests become the curl a
 * user pastes, and the server reads either form into the same float.
 */
function shortFloat(v: number): number {
  if (Number.isInteger(v) || !Number.isFinite(v) || Math.fround(v) !== v) return v;
  for (let p = 1; p < 10; p++) {
    const short = Number(v.toPrecision(p));
    if (Math.fround(short) === v) return short;
  }
  return v;
}

/** One row of the batch as a JSON object, only the named features; lists stay lists. */
function rowOf(batch: RawBatch, i: number, names: readonly string[]): Record<string, unknown> {
  const row: Record<string, unknown> = {};
  for (const name of names) {
    const c = batch.columns[name];
    // a shard where no row has the feature has no column: every value is missing
    if (!c) row[name] = null;
    else if (c.kind === 'number') row[name] = c.valid && c.valid[i] === 0 ? null : shortFloat(c.values[i]!);
    else row[name] = c.values[i] ?? null;
  }
  return row;
}

/**
 * Up to `numRequests` bodies of `rowsPerRequest` rows each, from the start of the split (its
 * shards in order, read one at a time until there are enough rows). An unknown split, or one
 * with no rows, is a DataError: the requests would test nothing.
 */
export async function buildRequests(
  examples: InputArtifact<'Examples'>,
  signature: ModelSignature,
  opts: { split: string; numRequests: number; rowsPerRequest: number },
): Promise<PredictBody[]> {
  const props = examples.properties as ExamplesProperties;
  if (!props.splitNames?.includes(opts.split))
    throw new DataError(
      `the Examples have no split '${opts.split}' (they have ${props.splitNames?.join(', ') || 'none'}); set the InfraValidator's split`,
      examples.uri,
    );
  const names = signature.rawInputs.map((r) => r.name);
  const want = opts.numRequests * opts.rowsPerRequest;
  const rows: Record<string, unknown>[] = [];
  for await (const { table } of iterateSplit(examples.path, props, opts.split)) {
    const batch = rawBatchFromArrow(table, names);
    for (let i = 0; i < batch.numRows && rows.length < want; i++) rows.push(rowOf(batch, i, names));
    if (rows.length >= want) break;
  }
  if (rows.length === 0) throw new DataError(`split '${opts.split}' has no rows to build requests from`, examples.uri);
  const bodies: PredictBody[] = [];
  for (let i = 0; i < rows.length; i += opts.rowsPerRequest)
    bodies.push({ instances: rows.slice(i, i + opts.rowsPerRequest) });
  return bodies;
}
