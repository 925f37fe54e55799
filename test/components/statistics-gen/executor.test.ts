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
import { STATS_FILE, STATS_JSON_FILE } from '../../../components/statistics-gen/spec.js';
import type { InputArtifact } from '../../../src/dsl/component.js';
import { DefinitionError } from '../../../src/errors.js';
import { readSplit } from '../../../src/io/arrow-shards.js';
import { accumulateTable, decodeStatistics, encodeStatistics, statisticsList } from '../../../src/stats/index.js';
import { makeCtx, removeTempDirs, runExampleGen, tempDir } from '../example-gen/helpers.js';

const penguins = fileURLToPath(new URL('../../../node_modules/vega-datasets/data/penguins.json', import.meta.url));
afterAll(removeTempDirs);

async function penguinExamples() {
  const root = path.dirname(penguins);
  const { props, out } = await runExampleGen(root, { input: path.basename(penguins), rowsPerShard: 50 });
  const examples: InputArtifact<'Examples'> = { id: 1, type: 'Examples', uri: out, path: out, properties: props };
  return { examples, props, root };
}

async function runStats(examples: InputArtifact<'Examples'>, root: string, params: Record<string, unknown> = {}) {
  const out = tempDir('stats');
  const { ctx, beats } = makeCtx(root);
  const result = await statisticsGenExecutor({
    inputs: { examples: [examples] },
    outputs: { statistics: { type: 'ExampleStatistics', uri: out, path: out } },
    params: StatisticsGenParams.parse(params),
    resolved: undefined,
    ctx,
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

const encodeOnePass = (split: string, p: ReturnType<typeof accumulateTable>) =>
  encodeStatistics(statisticsList([[split, p]]));
