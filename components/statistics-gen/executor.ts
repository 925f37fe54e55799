/**
 * StatisticsGen: a mergeable partial per Examples shard, merged per split into TFDV's
 * statistics, written as TFMD binary plus a JSON view. In a pipeline run the partials are
 * fanned out (`fanOut.run`, one activity per shard, so a worker fleet shares the work) and
 * the executor only merges; called directly it computes the partials itself.
 */
import fs from 'node:fs/promises';
import path from 'node:path';
import type { ExamplesProperties } from '../../schemas/artifacts.js';
import type { Executor, FanOut, InputArtifact, ShardOutput } from '../../src/dsl/component.js';
import { selectSplits } from '../../src/dsl/select-splits.js';
import { splitShardPaths } from '../../src/io/arrow-shards.js';
import {
  decodePartial,
  encodePartial,
  encodeStatistics,
  mergePartials,
  shardPartial,
  statisticsJson,
  statisticsList,
  type DatasetPartial,
} from '../../src/stats/index.js';
import { STATS_FILE, STATS_JSON_FILE, type StatisticsGenParams, type StatisticsGenSpec } from './spec.js';

/** One unit of fanned-out work: the statistics of one shard file of one split. */
interface ShardTask {
  split: string;
  file: string;
}

const PARTIAL_FILE = 'partial.json';

/** The shard files of every split StatisticsGen covers, in split order. */
function plan(examples: InputArtifact, params: StatisticsGenParams): ShardTask[] {
  const props = examples.properties as ExamplesProperties;
  return selectSplits(props.splitNames, params.excludeSplits, 'the Examples').flatMap((split) => splitShardPaths(examples.path, props, split).map((file) => ({ split, file })));
}

export const statisticsGenFanOut: FanOut<StatisticsGenSpec> = {
  async plan({ inputs, params }) {
    return plan(inputs.examples[0]!, params);
  },
  async run({ task, path: dir, params }) {
    const { file } = task as ShardTask;
    await fs.writeFile(path.join(dir, PARTIAL_FILE), encodePartial(await shardPartial(file, { weightFeature: params.weightFeature })));
  },
};

export const statisticsGenExecutor: Executor<StatisticsGenSpec> = async ({ inputs, outputs, params, ctx, shards }) => {
  const examples = inputs.examples[0]!;
  const props = examples.properties as ExamplesProperties;
  const tasks = plan(examples, params);
  const partialOf = shards
    ? (i: number) => readPartial(shards[i]!)
    : (i: number) => shardPartial(tasks[i]!.file, { weightFeature: params.weightFeature });
  const bySplit = new Map<string, DatasetPartial[]>();
  for (let i = 0; i < tasks.length; i++) {
    if (ctx.signal.aborted) throw new Error('canceled');
    const split = tasks[i]!.split;
    bySplit.set(split, [...(bySplit.get(split) ?? []), await partialOf(i)]);
    ctx.heartbeat({ done: i + 1, total: tasks.length, unit: 'shards', message: `split ${split}` });
  }
  for (const [split, partials] of bySplit) {
    const list = statisticsList([[split, mergePartials(partials)]], {
      numTopValues: params.numTopValues,
      numHistogramBuckets: params.numHistogramBuckets,
      numQuantilesHistogramBuckets: params.numQuantilesHistogramBuckets,
    });
    const dir = path.join(outputs.statistics.path, `Split-${split}`);
    await fs.mkdir(dir, { recursive: true });
    const bytes = encodeStatistics(list);
    await fs.writeFile(path.join(dir, STATS_FILE), bytes);
    await fs.writeFile(path.join(dir, STATS_JSON_FILE), JSON.stringify(statisticsJson(bytes), null, 1));
    ctx.log(`StatisticsGen: split ${split}, ${props.rowCounts[split] ?? 0} examples, ${partials.length} shard(s)`);
  }
  // the span travels with the statistics so ExampleValidator can find the previous span's
  const { span, version } = props;
  return { statistics: { splitNames: [...bySplit.keys()], ...(span !== undefined ? { span } : {}), ...(version !== undefined ? { version } : {}) } };
};

async function readPartial(shard: ShardOutput): Promise<DatasetPartial> {
  const file = path.join(shard.path, PARTIAL_FILE);
  return decodePartial(await fs.readFile(file), file);
}
