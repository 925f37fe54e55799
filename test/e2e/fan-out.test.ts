/**
 * A fanned-out node through Temporal: StatisticsGen runs one activity per Examples shard and
 * merges them, and the result equals the statistics computed in one pass.
 */
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { ExampleGen } from '../../components/example-gen/index.js';
import { StatisticsGen } from '../../components/statistics-gen/index.js';
import { STATS_FILE } from '../../components/statistics-gen/spec.js';
import type { ExamplesProperties } from '../../schemas/artifacts.js';
import { definePipeline } from '../../src/dsl/pipeline.js';
import { readSplit } from '../../src/io/arrow-shards.js';
import { startPipelineRun, watchRun } from '../../src/orchestration/client.js';
import { accumulateTable, decodeStatistics, encodeStatistics, statisticsList } from '../../src/stats/index.js';
import { e2eEnv, type E2eEnv } from '../helpers/e2e.js';

const data = path.dirname(
  fileURLToPath(new URL('../../node_modules/vega-datasets/data/penguins.json', import.meta.url)),
);
let env: E2eEnv;

beforeAll(async () => {
  env = await e2eEnv('sqlite');
  await env.startWorker();
});
afterAll(async () => env?.close());

it('StatisticsGen fans out one activity per shard and merges them into the one-pass statistics', async () => {
  const pipeline = definePipeline({ name: 'fan' }, (p) => {
    const gen = p.add(ExampleGen({ input: 'penguins.json', rowsPerShard: 40 }));
    p.add(StatisticsGen({ examples: gen.outputs.examples }));
  });
  const handle = await startPipelineRun(env.client, env.config, pipeline.compile({ root: data }));
  const result = await watchRun(handle, () => {});
  expect(result.status).toBe('COMPLETE');

  const examples = (await env.store.getArtifact(result.nodes.ExampleGen!.outputs!.examples!))!;
  const props = examples.properties as ExamplesProperties;
  const shardCount = props.shards.train!.length + props.shards.eval!.length;
  expect(shardCount).toBeGreaterThan(4);

  const history = await handle.fetchHistory();
  const scheduled = (history.events ?? [])
    .map((e) => e.activityTaskScheduledEventAttributes?.activityType?.name)
    .filter((n): n is string => !!n);
  expect(scheduled.filter((n) => n === 'runShard')).toHaveLength(shardCount);
  expect(scheduled.filter((n) => n === 'planShards')).toHaveLength(1);
  expect(result.nodes.StatisticsGen!.shards).toEqual({ total: shardCount, done: shardCount });

  const stats = (await env.store.getArtifact(result.nodes.StatisticsGen!.outputs!.statistics!))!;
  for (const split of props.splitNames) {
    const merged = decodeStatistics(fs.readFileSync(path.join(stats.uri, `Split-${split}`, STATS_FILE)));
    const onePass = accumulateTable(await readSplit(examples.uri, props, split));
    expect(merged).toEqual(decodeStatistics(encodeStatistics(statisticsList([[split, onePass]]))));
  }
  // the shards' partial files are gone once the node is published
  const shardsDir = path.join(env.config.storeRoot, 'fan', 'StatisticsGen', '_shards');
  expect(fs.existsSync(path.join(shardsDir, String(result.nodes.StatisticsGen!.executionId)))).toBe(false);
  expect(await env.store.listArtifacts({ pipeline: 'fan' })).toHaveLength(2);
});
