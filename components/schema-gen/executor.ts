/**
 * SchemaGen: TFX's executor loop (infer_schema on the first split's statistics,
 * update_schema with each further one, excluded splits skipped), writing the schema as text
 * (`schema.pbtxt`, which tfdv.load_schema_text reads) and as TFMD binary (`schema.pb`).
 */
import fs from 'node:fs/promises';
import path from 'node:path';
import { STATS_FILE } from '../statistics-gen/spec.js';
import type { Executor } from '../../src/dsl/component.js';
import { DataError, DefinitionError } from '../../src/errors.js';
import { encodeSchema, inferFromSplits, schemaToText } from '../../src/schema/index.js';
import { selectSplits } from '../../src/dsl/select-splits.js';
import { decodeStatistics } from '../../src/stats/index.js';
import { SCHEMA_BINARY_FILE, SCHEMA_TEXT_FILE, type SchemaGenSpec } from './spec.js';

type Obj = Record<string, unknown>;

export const schemaGenExecutor: Executor<SchemaGenSpec> = async ({ inputs, outputs, params, ctx }) => {
  const stats = inputs.statistics[0]!;
  const splitNames = (stats.properties as { splitNames: string[] }).splitNames;
  const splits = selectSplits(splitNames, params.excludeSplits, 'the statistics');
  if (!splits.length) throw new DefinitionError('every split is excluded: no statistics to infer a schema from', ['params', 'excludeSplits']);
  const datasets: Obj[] = [];
  for (const [i, split] of splits.entries()) {
    if (ctx.signal.aborted) throw new Error('canceled');
    const file = path.join(stats.path, `Split-${split}`, STATS_FILE);
    const list = decodeStatistics(await fs.readFile(file), file) as { datasets: Obj[] };
    if (list.datasets.length !== 1) throw new DataError(`expected the statistics of one dataset, found ${list.datasets.length}`, file);
    datasets.push(list.datasets[0]!);
    ctx.heartbeat({ done: i + 1, total: splits.length, unit: 'splits', message: `split ${split}` });
  }
  const schema = inferFromSplits(datasets, { inferFeatureShape: params.inferFeatureShape, maxStringDomainSize: params.maxStringDomainSize });
  await fs.mkdir(outputs.schema.path, { recursive: true });
  await fs.writeFile(path.join(outputs.schema.path, SCHEMA_TEXT_FILE), schemaToText(schema));
  await fs.writeFile(path.join(outputs.schema.path, SCHEMA_BINARY_FILE), encodeSchema(schema));
  ctx.log(`SchemaGen: ${schema.feature.length} features from split(s) ${splits.join(', ')}`);
  return { schema: { features: schema.feature.length, file: SCHEMA_TEXT_FILE } };
};
