/** ExampleGen -> StatisticsGen -> SchemaGen executors on penguins.json, no Temporal. */
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { SchemaGenParams, schemaGenExecutor } from '../../../components/schema-gen/index.js';
import { StatisticsGenParams, statisticsGenExecutor } from '../../../components/statistics-gen/index.js';
import type { z } from 'zod';
import type { ExampleGenParams } from '../../../components/example-gen/index.js';
import type { InputArtifact } from '../../../src/dsl/component.js';
import { makeCtx, runExampleGen, tempDir } from '../example-gen/helpers.js';

export const penguins = fileURLToPath(new URL('../../../node_modules/vega-datasets/data/penguins.json', import.meta.url));

/** ExampleGen then StatisticsGen through their executors, on `params.input` under `root`. */
export async function examplesToStatistics(root: string, params: z.input<typeof ExampleGenParams>) {
  const { props, out } = await runExampleGen(root, { rowsPerShard: 100, ...params });
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
  return { root, examples, props, out, statistics, statsDir };
}

export const penguinStatistics = () => examplesToStatistics(path.dirname(penguins), { input: path.basename(penguins) });

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
