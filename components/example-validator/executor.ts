/**
 * ExampleValidator: TFX's executor loop (validate_statistics per split against one schema,
 * excluded splits skipped), writing `Split-<name>/SchemaDiff.pb` (TFMD Anomalies, which
 * tfdv.load_anomalies_binary reads) and a JSON view of the same for the CLI.
 */
import fs from 'node:fs/promises';
import path from 'node:path';
import { SCHEMA_BINARY_FILE, SCHEMA_TEXT_FILE } from '../schema-gen/spec.js';
import { STATS_FILE } from '../statistics-gen/spec.js';
import type { Executor, InputArtifact } from '../../src/dsl/component.js';
import { anomalyList, encodeAnomalies, validateStatistics } from '../../src/anomalies/index.js';
import { DataError } from '../../src/errors.js';
import { decodeSchema, parseSchemaText, type Schema } from '../../src/schema/index.js';
import { selectSplits } from '../../src/dsl/select-splits.js';
import { decodeStatistics } from '../../src/stats/index.js';
import { ANOMALIES_FILE, ANOMALIES_JSON_FILE, type ExampleAnomaliesProperties, type ExampleValidatorSpec } from './spec.js';

type Obj = Record<string, unknown>;

export const exampleValidatorExecutor: Executor<ExampleValidatorSpec> = async ({ inputs, outputs, params, ctx }) => {
  const stats = inputs.statistics[0]!;
  const splitNames = (stats.properties as { splitNames: string[] }).splitNames;
  const splits = selectSplits(splitNames, params.excludeSplits, 'the statistics');
  const schema = await readSchema(inputs.schema[0]!);
  const props: ExampleAnomaliesProperties = { splitNames: splits, anomalyCount: 0, anomalies: {} };
  for (const [i, split] of splits.entries()) {
    if (ctx.signal.aborted) throw new Error('canceled');
    const file = path.join(stats.path, `Split-${split}`, STATS_FILE);
    const list = decodeStatistics(await fs.readFile(file), file) as { datasets?: Obj[] };
    if (list.datasets?.length !== 1) throw new DataError(`expected the statistics of one dataset, found ${list.datasets?.length ?? 0}`, file);
    const anomalies = validateStatistics(list.datasets[0]!, schema);
    const dir = path.join(outputs.anomalies.path, `Split-${split}`);
    await fs.mkdir(dir, { recursive: true });
    await fs.writeFile(path.join(dir, ANOMALIES_FILE), encodeAnomalies(anomalies));
    // the baseline is the input schema, already an artifact of its own: left out of the view
    const { baseline: _baseline, ...view } = anomalies;
    await fs.writeFile(path.join(dir, ANOMALIES_JSON_FILE), JSON.stringify(view, null, 1));
    props.anomalies[split] = anomalyList(anomalies);
    props.anomalyCount += props.anomalies[split].length;
    ctx.heartbeat({ done: i + 1, total: splits.length, unit: 'splits', message: `split ${split}` });
  }
  ctx.log(`ExampleValidator: ${props.anomalyCount} anomal${props.anomalyCount === 1 ? 'y' : 'ies'} in split(s) ${splits.join(', ')}`);
  return { anomalies: props };
};

/** The schema artifact's binary form, or its text form when only that exists (a curated schema). */
async function readSchema(artifact: InputArtifact<'Schema'>): Promise<Schema> {
  const binary = path.join(artifact.path, SCHEMA_BINARY_FILE);
  try {
    return decodeSchema(await fs.readFile(binary), binary);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
  }
  const text = path.join(artifact.path, SCHEMA_TEXT_FILE);
  return parseSchemaText(await fs.readFile(text, 'utf8'), text);
}

/**
 * What a run that halts on anomalies says: the count and each split's anomalies, or
 * undefined when there are none. Reads only the artifact's properties (no files).
 */
export function anomaliesSummary(props: Partial<ExampleAnomaliesProperties>): { count: number; message: string } | undefined {
  const bySplit = Object.entries(props.anomalies ?? {}).filter(([, list]) => list.length);
  const count = props.anomalyCount ?? bySplit.reduce((n, [, list]) => n + list.length, 0);
  if (count === 0) return undefined;
  const parts = bySplit.map(([split, list]) => `${split}: ${list.join(', ')}`);
  return { count, message: `${count} data anomal${count === 1 ? 'y' : 'ies'} (${parts.join('; ')})` };
}
