/**
 * The statistics engine behind StatisticsGen: TFDV's statistics over Examples shards, as
 * mergeable partials, rendered as a TFMD DatasetFeatureStatisticsList.
 *
 * @example one activity per shard, then a merge:
 *   const part = await shardPartial(file);                 // per shard, in parallel
 *   await fs.writeFile(out, encodePartial(part));
 *   const merged = mergePartials(files.map((f) => decodePartial(read(f), f)));
 *   const bytes = encodeStatistics(statisticsList([['train', merged]]));
 */
import path from 'node:path';
import type { ExamplesProperties } from '../../schemas/artifacts.js';
import { iterateSplit, readShard } from '../io/arrow-shards.js';
import { accumulateTable, emptyPartial, type AccumulateOptions, type DatasetPartial } from './accumulators.js';

export { accumulateBatch, accumulateTable, emptyPartial, type DatasetPartial, type FeaturePartial } from './accumulators.js';
export { KLL_DEFAULT_K, KLL_EXACT_FACTOR, KLL_RANK_ERROR, KllSketch } from './kll.js';
export { mergePartials } from './merge.js';
export { decodePartial, encodePartial } from './partial-file.js';
export { WeightedKllSketch } from './kll-weighted.js';
export {
  datasetStatistics, decodeStatistics, encodeStatistics, featureStatistics, NON_UTF8_PLACEHOLDER, statisticsJson, statisticsList,
  type StatsOptions,
} from './proto.js';

/** Partial statistics of one Examples shard (an Arrow IPC file). */
export async function shardPartial(file: string, opts: Omit<AccumulateOptions, 'source'> = {}): Promise<DatasetPartial> {
  const table = await readShard(file);
  // Split-<name>/<shard file>: errors name the split and the shard
  return accumulateTable(table, { ...opts, source: path.join(path.basename(path.dirname(file)), path.basename(file)) });
}

/** Partial statistics of a whole split, one shard in memory at a time (the single-activity path). */
export async function splitPartial(
  examplesUri: string,
  props: Pick<ExamplesProperties, 'splitNames' | 'shards'>,
  split: string,
  opts: Omit<AccumulateOptions, 'source'> = {},
): Promise<DatasetPartial> {
  const into = emptyPartial();
  for await (const { shard, table } of iterateSplit(examplesUri, props, split)) accumulateTable(table, { ...opts, source: `Split-${split}/${shard}` }, into);
  return into;
}
