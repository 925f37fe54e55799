/**
 * StatisticsGen's executor on real Examples (ExampleGen's output over penguins.json, split
 * into several shards): one TFMD file per split whose counts match the rows, and that equals
 * the statistics of the whole split computed in one pass.
 */
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { StatisticsGenParams, statisticsGenExecutor } from '../../../components/statistics-gen/index.js';
import { statisticsGenFanOut } from '../../../components/statistics-gen/executor.js';
import { STATS_FILE, STATS_JSON_FILE } from '../../../components/statistics-gen/spec.js';
import type { InputArtifact } from '../../../src/dsl/component.js';
import { DataError, DefinitionError } from '../../../src/errors.js';
import { readSplit } from '../../../src/io/arrow-shards.js';
import { accumulateTable, decodeStatistics, encodeStatistics, statisticsList } from '../../../src/stats/index.js';
import { makeCtx, removeTempDirs, runExampleGen, tempDir, writeFiles } from '../example-gen/helpers.js';

const penguins = fileURLToPath(new URL('../../../node_modules/vega-datasets/data/penguins.json', import.meta.url));
afterAll(removeTempDirs);

async function penguinExamples() {
  const root = path.dirname(penguins);
  const { props, out } = await runExampleGen(root, { input: path.basename(penguins), rowsPerShard: 50 });
  const examples: InputArtifact<'Examples'> = { id: 1, type: 'Examples', uri: out, path: out, properties: props };
  return { examples, props, root };
}

/** The executor alone (it computes the partials itself), or `fanOut` first (one run per shard) as in a pipeline run. */
async function runStats(examples: InputArtifact<'Examples'>, root: string, params: Record<string, unknown> = {}, fanOut = false) {
  const out = tempDir('stats');
  const { ctx, beats } = makeCtx(root);
  const parsed = StatisticsGenParams.parse(params);
  const inputs = { examples: [examples] };
  let shards;
  if (fanOut) {
    const round = { round: 0, previous: [], resolved: undefined };
    const tasks = await statisticsGenFanOut.plan({ inputs, params: parsed, ctx, ...round });
    shards = await Promise.all(tasks.map(async (task, index) => {
      const dir = tempDir(`shard-${index}`);
      await statisticsGenFanOut.run({ inputs, params: parsed, ctx, task, index, path: dir, ...round });
      return { round: 0, index, task, path: dir };
    }));
  }
  const result = await statisticsGenExecutor({
    inputs,
    outputs: { statistics: { type: 'ExampleStatistics', uri: out, path: out } },
    params: parsed,
    resolved: undefined,
    ctx,
    shards,
  });
  return { result, out, beats };
}

type Dataset = { name: string; numExamples: number; features: { path: { step: string[] }; type: string }[] };
const readStats = (dir: string, split: string) =>
  decodeStatistics(fs.readFileSync(path.join(dir, `Split-${split}`, STATS_FILE))) as { datasets: Dataset[] };

describe('StatisticsGen executor', () => {
  it('writes TFMD statistics per split whose counts match the Examples, equal to a one-pass computation', async () => {
    const { examples, props, root } = await penguinExamples();
    expect(props.shards.train!.length).toBeGreaterThan(2);
    const { result, out, beats } = await runStats(examples, root);
    expect(result.statistics.splitNames).toEqual(['train', 'eval']);
    for (const split of ['train', 'eval']) {
      const { datasets } = readStats(out, split);
      expect(datasets).toHaveLength(1);
      expect(datasets[0]!.name).toBe(split);
      expect(datasets[0]!.numExamples).toBe(props.rowCounts[split]);
      expect(datasets[0]!.features.map((f) => f.path.step[0]).sort()).toEqual(props.features.map((f) => f.name).sort());
      // merged per-shard partials == the whole split in one pass
      const whole = accumulateTable(await readSplit(examples.path, props, split));
      expect(readStats(out, split)).toEqual(decodeStatistics(encodeOnePass(split, whole)));
      expect(JSON.parse(fs.readFileSync(path.join(out, `Split-${split}`, STATS_JSON_FILE), 'utf8'))).toHaveProperty(
        'datasets',
      );
    }
    const shards = props.shards.train!.length + props.shards.eval!.length;
    expect(beats.at(-1)).toMatchObject({ done: shards, total: shards, unit: 'shards' });
  });

  it('leaves out excluded splits and names an unknown one', async () => {
    const { examples, root } = await penguinExamples();
    const { result, out } = await runStats(examples, root, { excludeSplits: ['eval'] });
    expect(result.statistics.splitNames).toEqual(['train']);
    expect(fs.existsSync(path.join(out, 'Split-eval'))).toBe(false);
    const err = await runStats(examples, root, { excludeSplits: ['test'] }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(DefinitionError);
    expect((err as Error).message).toMatch(/unknown split 'test'/);
  });
});

describe('StatisticsGen executor with weightFeature', () => {
  it('adds weighted statistics, the same from fanned-out shards as from one pass', async () => {
    const root = tempDir('weighted');
    const lines = Array.from({ length: 40 }, (_, i) => `${i % 4},${(i * 7) % 13},${['a', 'b', 'c'][i % 3]}`);
    writeFiles(root, { 'w.csv': `w,x,s\n${lines.join('\n')}\n` });
    const { props, out: examplesDir } = await runExampleGen(root, { input: 'w.csv', rowsPerShard: 6 });
    const examples: InputArtifact<'Examples'> = { id: 1, type: 'Examples', uri: examplesDir, path: examplesDir, properties: props };
    expect(props.shards.train!.length).toBeGreaterThan(2);
    const direct = await runStats(examples, root, { weightFeature: 'w' });
    const fanned = await runStats(examples, root, { weightFeature: 'w' }, true);
    for (const split of ['train', 'eval']) {
      type Weighted = { path: { step: string[] }; stringStats?: { weightedStringStats: { topValues: unknown[] } } };
      const ds = readStats(direct.out, split).datasets[0] as unknown as { weightedNumExamples: number; features: Weighted[] };
      const whole = accumulateTable(await readSplit(examples.path, props, split), { weightFeature: 'w' });
      expect(ds.weightedNumExamples).toBe(whole.weightedNumExamples);
      expect(ds.weightedNumExamples).toBeGreaterThan(0);
      const s = ds.features.find((f) => f.path.step[0] === 's');
      expect(s?.stringStats?.weightedStringStats.topValues.length).toBeGreaterThan(0);
      // shards merged in the executor: equal but for the last bits of means and deviations
      const round = (o: unknown) => JSON.parse(JSON.stringify(o, (_, v) => (typeof v === 'number' ? Number(v.toPrecision(12)) : v)));
      expect(round(readStats(fanned.out, split))).toEqual(round(readStats(direct.out, split)));
    }
  });

  it('fails with a DataError naming the weight feature, the split and shard, and the row', async () => {
    const { examples, root } = await penguinExamples();
    // penguins.json has rows without a body mass
    const err = await runStats(examples, root, { weightFeature: 'Body Mass (g)' }, true).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(DataError);
    expect((err as Error).message).toMatch(/^Split-(train|eval)\/data-\d+-of-\d+\.arrow row \d+: weight feature 'Body Mass \(g\)' is missing$/);
  });
});

const encodeOnePass = (split: string, p: ReturnType<typeof accumulateTable>) =>
  encodeStatistics(statisticsList([[split, p]]));
