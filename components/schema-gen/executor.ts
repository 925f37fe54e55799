/**
 * SchemaGen: TFX's executor loop (infer_schema on the first split's statistics,
 * update_schema with each further one, excluded splits skipped), writing the schema as text
 * (`schema.pbtxt`, which tfdv.load_schema_text reads) and as TFMD binary (`schema.pb`).
 */
import fs from 'node:fs/promises';
import path from 'node:path';
import { readSplitDataset, statisticsSplits } from '../statistics-gen/read-split.js';
import type { Executor } from '../../src/dsl/component.js';
import { DataError, DefinitionError } from '../../src/errors.js';
import { encodeSchema, inferFromSplits, schemaToText } from '../../src/schema/index.js';
import { selectSplits } from '../../src/dsl/select-splits.js';
import { SCHEMA_BINARY_FILE, SCHEMA_TEXT_FILE, type SchemaGenSpec } from './spec.js';

type Obj = Record<string, unknown>;

export const schemaGenExecutor: Executor<SchemaGenSpec> = async ({ inputs, outputs, params, ctx }) => {
  const stats = inputs.statistics[0]!;
  const splits = selectSplits(statisticsSplits(stats), params.excludeSplits, 'the statistics');
  if (!splits.length) throw new DefinitionError('every split is excluded: no statistics to infer a schema from', ['params', 'excludeSplits']);
  const datasets: Obj[] = [];
  const empty: string[] = [];
  for (const [i, split] of splits.entries()) {
    if (ctx.signal.aborted) throw new Error('canceled');
    const dataset = await readSplitDataset(stats, split);
    // TFDV's update_schema would deprecate every required feature an empty split lacks, which
    // silently turns validation off: an empty split says nothing about the schema, so skip it
    if (Number(dataset.numExamples ?? 0) === 0) empty.push(split);
    else datasets.push(dataset);
    ctx.heartbeat({ done: i + 1, total: splits.length, unit: 'splits', message: `split ${split}` });
  }
  if (!datasets.length) throw new DataError(`every split is empty (${splits.join(', ')}): no examples to infer a schema from`, stats.path);
  if (empty.length) ctx.log(`SchemaGen: warning: split(s) ${empty.join(', ')} have no examples and were left out of the inference`);
  const schema = inferFromSplits(datasets, { inferFeatureShape: params.inferFeatureShape, maxStringDomainSize: params.maxStringDomainSize });
  await fs.mkdir(outputs.schema.path, { recursive: true });
  await fs.writeFile(path.join(outputs.schema.path, SCHEMA_TEXT_FILE), schemaToText(schema));
  await fs.writeFile(path.join(outputs.schema.path, SCHEMA_BINARY_FILE), encodeSchema(schema));
  const used = splits.filter((s) => !empty.includes(s));
  ctx.log(`SchemaGen: ${schema.feature.length} features from split(s) ${used.join(', ')}`);
  return { schema: { features: schema.feature.length, file: SCHEMA_TEXT_FILE, splits: used, ...(empty.length ? { emptySplits: empty } : {}) } };
};
