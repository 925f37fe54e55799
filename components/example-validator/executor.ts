/**
 * ExampleValidator: TFX's executor loop (validate_statistics per split against one schema,
 * excluded splits skipped), writing `Split-<name>/SchemaDiff.pb` (TFMD Anomalies, which
 * tfdv.load_anomalies_binary reads) and a JSON view of the same for the CLI.
 */
import fs from 'node:fs/promises';
import path from 'node:path';
import { readSchemaArtifact } from '../schema-gen/read-schema.js';
import { readSplitDataset, statisticsSplits } from '../statistics-gen/read-split.js';
import type { Executor, InputArtifact } from '../../src/dsl/component.js';
import { anomalyList, encodeAnomalies, validateStatistics } from '../../src/anomalies/index.js';
import { DefinitionError } from '../../src/errors.js';
import { selectSplits } from '../../src/dsl/select-splits.js';
import {
  ANOMALIES_FILE,
  ANOMALIES_JSON_FILE,
  type ExampleAnomaliesProperties,
  type ExampleValidatorParams,
  type ExampleValidatorSpec,
} from './spec.js';

export const exampleValidatorExecutor: Executor<ExampleValidatorSpec> = async ({ inputs, outputs, params, ctx }) => {
  const stats = inputs.statistics[0]!;
  const splits = selectSplits(statisticsSplits(stats), params.excludeSplits, 'the statistics');
  const schema = await readSchemaArtifact(inputs.schema[0]!.path);
  const previous = inputs.previousStatistics?.[0];
  const skew = await skewControl(stats, inputs.servingStatistics?.[0], params.skew);
  const props: ExampleAnomaliesProperties = { splitNames: splits, anomalyCount: 0, anomalies: {} };
  if (previous) props.comparedWith = { previous: { artifactId: previous.id, span: (previous.properties as { span?: number }).span ?? null } };
  if (skew) props.comparedWith = { ...props.comparedWith, serving: skew.recorded };
  for (const [i, split] of splits.entries()) {
    if (ctx.signal.aborted) throw new Error('canceled');
    // a split the previous span did not have has nothing to drift from
    const before = previous && statisticsSplits(previous).includes(split) ? await readSplitDataset(previous, split) : undefined;
    const anomalies = validateStatistics(await readSplitDataset(stats, split), schema, {
      ...(before ? { previous: before } : {}),
      ...(skew && split === skew.recorded.trainingSplit ? { serving: skew.dataset } : {}),
    });
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

/** The serving side of skew: a split of the servingStatistics input, or another split of the statistics. */
async function skewControl(stats: InputArtifact, serving: InputArtifact | undefined, opts: ExampleValidatorParams['skew']) {
  if (!opts && !serving) return undefined;
  const trainingSplit = opts?.trainingSplit ?? 'train';
  const at = ['params', 'skew'];
  if (!statisticsSplits(stats).includes(trainingSplit))
    throw new DefinitionError(`skew's training split '${trainingSplit}' is not in the statistics (${statisticsSplits(stats).join(', ')})`, [...at, 'trainingSplit']);
  const source = serving ?? stats;
  const names = statisticsSplits(source);
  const split = opts?.servingSplit ?? (serving && names.length === 1 ? names[0] : undefined);
  if (split === undefined)
    throw new DefinitionError(
      serving ? `the serving statistics have splits ${names.join(', ')}: name one as skew.servingSplit` : 'skew needs servingSplit, or a servingStatistics input',
      [...at, 'servingSplit'],
    );
  if (!names.includes(split))
    throw new DefinitionError(`skew's serving split '${split}' is not in ${serving ? 'the serving statistics' : 'the statistics'} (${names.join(', ')})`, [...at, 'servingSplit']);
  return { dataset: await readSplitDataset(source, split), recorded: { artifactId: source.id, split, trainingSplit } };
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
