/**
 * ExampleGen -> StatisticsGen -> SchemaGen -> ExampleValidator through their executors (no
 * Temporal), reading back each artifact's files, for the bad-input tests.
 */
import fs from 'node:fs';
import path from 'node:path';
import type { z } from 'zod';
import type { ExamplesProperties } from '../../schemas/artifacts.js';
import { ExampleGenParams, exampleGenDriver, exampleGenExecutor } from '../../components/example-gen/index.js';
import { ExampleValidatorParams, exampleValidatorExecutor } from '../../components/example-validator/index.js';
import { ANOMALIES_FILE } from '../../components/example-validator/spec.js';
import { SCHEMA_BINARY_FILE } from '../../components/schema-gen/spec.js';
import { STATS_FILE } from '../../components/statistics-gen/spec.js';
import type { InputArtifact } from '../../src/dsl/component.js';
import { decodeAnomalies } from '../../src/anomalies/index.js';
import { TfRecordWriter } from '../../src/io/tfrecord.js';
import { encodeExample, type FeatureValues } from '../../src/io/tf-example.js';
import { decodeSchema, encodeSchema, type Schema } from '../../src/schema/index.js';
import { decodeStatistics } from '../../src/stats/index.js';
import { makeCtx, tempDir } from './example-gen/helpers.js';
import { examplesToStatistics, runSchemaGen } from './schema-gen/helpers.js';

/** The parts of TFMD's FeatureNameStatistics the tests read (decoded with camelCase names). */
export interface FeatureStats {
  path: { step: string[] };
  type?: string;
  numStats?: {
    commonStats: { numNonMissing?: number; numMissing?: number; totValues?: number };
    mean?: number; stdDev?: number; min?: number; max?: number; numZeros?: number;
    histograms: { numNan?: number; type?: string; buckets?: unknown[] }[];
  };
  stringStats?: {
    commonStats: { numNonMissing?: number; numMissing?: number; totValues?: number };
    unique?: number; avgLength?: number;
    topValues?: { value: string; frequency: number }[];
  };
}
export interface DatasetStats { name: string; numExamples?: number; features: FeatureStats[] }

export async function writeTfRecord(file: string, rows: Record<string, FeatureValues>[]): Promise<void> {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  const w = await TfRecordWriter.open(file);
  for (const r of rows) await w.write(encodeExample(r));
  await w.close();
}

/** ExampleGen's driver + executor writing into `out` (so a test can look at what a failed run left). */
export async function exampleGenInto(root: string, params: z.input<typeof ExampleGenParams>, out: string) {
  const parsed = ExampleGenParams.parse(params);
  const { resolved } = await exampleGenDriver({ params: parsed, pipelineRoot: root });
  return exampleGenExecutor({
    inputs: {},
    outputs: { examples: { type: 'Examples', uri: out, path: out } },
    params: parsed,
    resolved,
    ctx: makeCtx(root).ctx,
  });
}

export async function examplesAndStats(root: string, params: z.input<typeof ExampleGenParams>) {
  const { props, out, statistics, statsDir } = await examplesToStatistics(root, { rowsPerShard: 1000, ...params });
  const stats = (split: string): DatasetStats => {
    const list = decodeStatistics(fs.readFileSync(path.join(statsDir, `Split-${split}`, STATS_FILE))) as { datasets: DatasetStats[] };
    return list.datasets[0]!;
  };
  const feature = (split: string, name: string) => stats(split).features.find((f) => f.path.step.join('.') === name);
  return { props: props as ExamplesProperties, out, statistics, stats, feature };
}

export async function inferSchema(statistics: InputArtifact<'ExampleStatistics'>, root: string, params: Record<string, unknown> = {}) {
  const { out } = await runSchemaGen(statistics, root, params);
  const schema = decodeSchema(fs.readFileSync(path.join(out, SCHEMA_BINARY_FILE)));
  const artifact: InputArtifact<'Schema'> = { id: 3, type: 'Schema', uri: out, path: out, properties: {} };
  return { schema, artifact, out };
}

/** Replace the schema artifact's files with `schema` (a curated edit). */
export function rewriteSchema(out: string, schema: Schema): void {
  fs.writeFileSync(path.join(out, SCHEMA_BINARY_FILE), encodeSchema(schema));
  fs.rmSync(path.join(out, 'schema.pbtxt'), { force: true });
}

export async function validate(statistics: InputArtifact<'ExampleStatistics'>, schema: InputArtifact<'Schema'>, root: string) {
  const out = tempDir('bad-anomalies');
  const result = await exampleValidatorExecutor({
    inputs: { statistics: [statistics], schema: [schema] },
    outputs: { anomalies: { type: 'ExampleAnomalies', uri: out, path: out } },
    params: ExampleValidatorParams.parse({}),
    resolved: undefined,
    ctx: makeCtx(root).ctx,
  });
  const props = result.anomalies as unknown as { splitNames: string[]; anomalyCount: number; anomalies: Record<string, string[]> };
  const info = (split: string) => decodeAnomalies(fs.readFileSync(path.join(out, `Split-${split}`, ANOMALIES_FILE)));
  return { props, info };
}
