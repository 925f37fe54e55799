/**
 * StatisticsGen's executor: per split, a mergeable partial per Examples shard (reported as
 * progress), merged into TFDV's statistics and written as TFMD binary plus a JSON view.
 */
import fs from 'node:fs/promises';
import path from 'node:path';
import type { ExamplesProperties } from '../../schemas/artifacts.js';
import type { Executor } from '../../src/dsl/component.js';
import { DefinitionError } from '../../src/errors.js';
import { splitShardPaths } from '../../src/io/arrow-shards.js';
import {
  encodeStatistics,
  mergePartials,
  shardPartial,
  statisticsJson,
  statisticsList,
} from '../../src/stats/index.js';
import { STATS_FILE, STATS_JSON_FILE, type StatisticsGenSpec } from './spec.js';

export const statisticsGenExecutor: Executor<StatisticsGenSpec> = async ({ inputs, outputs, params, ctx }) => {
  const examples = inputs.examples[0]!;
  const props = examples.properties as ExamplesProperties;
  for (const s of params.excludeSplits) {
    if (!props.splitNames.includes(s)) {
      throw new DefinitionError(`unknown split '${s}' (the Examples have ${props.splitNames.join(', ')})`, [
        'params',
        'excludeSplits',
      ]);
    }
  }
  const splits = props.splitNames.filter((s) => !params.excludeSplits.includes(s));
  const shardFiles = new Map(splits.map((s) => [s, splitShardPaths(examples.path, props, s)]));
  const total = [...shardFiles.values()].reduce((n, files) => n + files.length, 0);
  let done = 0;
  for (const split of splits) {
    const partials = [];
    for (const file of shardFiles.get(split)!) {
      if (ctx.signal.aborted) throw new Error('canceled');
      partials.push(await shardPartial(file));
      ctx.heartbeat({ done: ++done, total, unit: 'shards', message: `split ${split}` });
    }
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
  return { statistics: { splitNames: splits } };
};
