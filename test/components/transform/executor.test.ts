/**
 * Transform's driver and executor on the penguins, no Temporal: the saved TransformGraph
 * applied to the raw rows gives exactly the values in the transformed Examples (one runtime
 * for training, serving and the browser), splits and shard names carry over, and bad
 * definitions fail in the driver naming the feature.
 */
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { ExamplesProperties } from '../../../schemas/artifacts.js';
import { TransformParams } from '../../../components/transform/index.js';
import { transformDriver } from '../../../components/transform/driver.js';
import { transformExecutor } from '../../../components/transform/executor.js';
import { readTransformGraph } from '../../../components/transform/graph-file.js';
import type { InputArtifact } from '../../../src/dsl/component.js';
import { readSplit } from '../../../src/io/arrow-shards.js';
import { applyTransform, rawBatchFromArrow, tracePreprocessing, type PreprocessingFn } from '../../../src/ml/transform/index.js';
import { makeCtx, removeTempDirs, tempDir } from '../example-gen/helpers.js';
import { penguinStatistics, runSchemaGen } from '../schema-gen/helpers.js';

afterAll(removeTempDirs);

const preprocessing: PreprocessingFn = (f) => ({
  species: f.vocabulary('Species'),
  island: f.oneHot(f.vocabulary('Island')),
  sex: f.vocabulary(f.fillMissing('Sex', 'unknown'), { numOovBuckets: 1 }),
  beak: f.zScore(f.fillMissing('Beak Length (mm)', f.mean('Beak Length (mm)'))),
  mass: f.scale01(f.fillMissing('Body Mass (g)', 4000)),
  flipper: f.bucketize(f.fillMissing('Flipper Length (mm)', f.mean('Flipper Length (mm)')), 4),
});

async function setup() {
  const { examples, root } = await penguinStatistics();
  const stats = await penguinStatistics();
  const { out } = await runSchemaGen(stats.statistics, stats.root);
  const schema: InputArtifact<'Schema'> = { id: 3, type: 'Schema', uri: out, path: out, properties: {} };
  return { examples, schema, root };
}

async function run(fn: PreprocessingFn, extra: Record<string, unknown> = {}) {
  const { examples, schema, root } = await setup();
  const params = TransformParams.parse({ preprocessing: tracePreprocessing(fn), ...extra });
  const inputs = { examples: [examples], schema: [schema] };
  const { resolved } = await transformDriver({ params, inputs: inputs as never, pipelineRoot: root, pipelineName: 'p', nodeId: 'Transform', artifacts: undefined as never });
  const graphDir = tempDir('graph');
  const outDir = tempDir('transformed');
  const { ctx } = makeCtx(root);
  const result = await transformExecutor({
    inputs,
    outputs: { transformGraph: { type: 'TransformGraph', uri: graphDir, path: graphDir }, transformedExamples: { type: 'Examples', uri: outDir, path: outDir } },
    params,
    resolved: JSON.parse(JSON.stringify(resolved)),
    ctx,
  });
  return { examples, graphDir, outDir, result };
}

describe('Transform executor', () => {
  it('writes transformed Examples that equal the saved graph applied to the raw rows, split by split and shard by shard', async () => {
    const { examples, graphDir, outDir, result } = await run(preprocessing);
    const props = examples.properties as ExamplesProperties;
    const out = result.transformedExamples;
    expect(out.splitNames).toEqual(props.splitNames);
    expect(out.shards).toEqual(props.shards);
    expect(out.rowCounts).toEqual(props.rowCounts);
    expect(out.features.map((f) => f.name)).toEqual(['species', 'island', 'sex', 'beak', 'mass', 'flipper']);
    const graph = await readTransformGraph(graphDir);
    expect(result.transformGraph.phases).toBe(2);
    for (const split of props.splitNames) {
      const raw = rawBatchFromArrow(await readSplit(examples.path, props, split));
      const expected = applyTransform(graph, raw);
      const got = await readSplit(outDir, out, split);
      expect(got.numRows).toBe(raw.numRows);
      for (const [name, col] of Object.entries(expected.columns)) {
        const vec = got.getChild(name)!;
        const values = col.width > 1 ? Array.from({ length: got.numRows }, (_, i) => Array.from(vec.get(i) as Iterable<number>)).flat() : Array.from(vec.toArray() as ArrayLike<number | bigint>, Number);
        expect(values, `${split}.${name}`).toEqual(Array.from(col.values as ArrayLike<number>));
      }
    }
    // analysis read train only: the eval split's species mean would differ
    const species = (result.transformGraph.features as { name: string; classNames?: string[] }[]).find((f) => f.name === 'species')!;
    expect(species.classNames).toEqual(['Adelie', 'Gentoo', 'Chinstrap']);
    expect(fs.existsSync(path.join(graphDir, 'transform_graph.json'))).toBe(true);
  });

  it('fails in the driver, naming the feature, on a feature the schema lacks and on a vocabulary of a numeric column', async () => {
    await expect(run((f) => ({ x: f.zScore('Beak Width (mm)') }))).rejects.toThrow(/feature 'Beak Width \(mm\)' is not in the schema \(used by output 'x'\)/);
    await expect(run((f) => ({ x: f.vocabulary('Body Mass (g)') }))).rejects.toThrow(/feature 'Body Mass \(g\)' is a numeric .* string op/);
  });

  it('a missing value reaching an op without fillMissing is a DataError naming the file, feature and row', async () => {
    await expect(run((f) => ({ x: f.zScore('Beak Length (mm)') }))).rejects.toThrow(/data-\d+-of-\d+\.arrow: .*feature 'Beak Length \(mm\)' row \d+/);
  });

  it('refuses an analyze split the Examples lack', async () => {
    await expect(run(preprocessing, { analyzeSplits: ['test'] })).rejects.toThrow(/split 'test' is not in the Examples/);
  });
});
