/** ExampleGen -> StatisticsGen -> SchemaGen executors on penguins.json, no Temporal. */
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { SchemaGenParams, schemaGenExecutor } from '../../../components/schema-gen/index.js';
import { StatisticsGenParams, statisticsGenExecutor } from '../../../components/statistics-gen/index.js';
import type { InputArtifact } from '../../../src/dsl/component.js';
import { makeCtx, runExampleGen, tempDir } from '../example-gen/helpers.js';

export const penguins = fileURLToPath(new URL('../../../node_modules/vega-datasets/data/penguins.json', import.meta.url));

export async function penguinStatistics() {
  const root = path.dirname(penguins);
  const { props, out } = await runExampleGen(root, { input: path.basename(penguins), rowsPerShard: 100 });
  const examples: InputArtifact<'Examples'> = { id: 1, type: 'Examples', uri: out, path: out, properties: props };
  const statsDir = tempDir('stats');
  const { ctx } = makeCtx(root);
  const result = await statisticsGenExecutor({
    inputs: { examples: [examples] },
    outputs: { statistics: { type: 'ExampleStatistics', uri: statsDir, path: statsDir } },
    params: StatisticsGenParams.parse({}),
    resolved: undefined,
    ctx,
  });
  const statistics: InputArtifact<'ExampleStatistics'> = { id: 2, type: 'ExampleStatistics', uri: statsDir, path: statsDir, properties: result.statistics };
  return { root, examples, props, statistics };
}

export async function runSchemaGen(statistics: InputArtifact<'ExampleStatistics'>, root: string, params: Record<string, unknown> = {}) {
  const out = tempDir('schema');
  const { ctx, beats, logs } = makeCtx(root);
  const result = await schemaGenExecutor({
    inputs: { statistics: [statistics] },
    outputs: { schema: { type: 'Schema', uri: out, path: out } },
    params: SchemaGenParams.parse(params),
    resolved: undefined,
    ctx,
  });
  return { result, out, beats, logs };
}
