/**
 * Transform's executor and fan-out. Rounds: one per analyzer phase (each shard of the analyzed
 * splits writes its accumulators; a later phase first merges the earlier phases' partials to get
 * the results it reads), then the apply round (each shard of every transformed split becomes a
 * transformed shard of the same name). The executor merges the partials into the
 * TransformGraph and links the applied shards into the transformed Examples: files are written
 * once, by the shard activities. Called without shards (tests), it does every round itself.
 */
import fs from 'node:fs/promises';
import path from 'node:path';
import type { ExamplesProperties, FeatureColumn } from '../../schemas/artifacts.js';
import type { TransformGraph, TransformSpec } from '../../schemas/transform-graph.js';
import type { Executor, ExecutorContext, FanOut, InputArtifact, ShardOutput } from '../../src/dsl/component.js';
import { DataError } from '../../src/errors.js';
import { readShard, splitShardPaths, writeShard } from '../../src/io/arrow-shards.js';
import {
  accumulate,
  analyzerPhases,
  applyTransform,
  createAccumulators,
  deserializeAccumulators,
  finalizeAccumulators,
  finalizeGraph,
  mergeAccumulators,
  outputFeatures,
  rawBatchFromArrow,
  serializeAccumulators,
  type AccumulatorJson,
  type AccumulatorSet,
  type RawBatch,
} from '../../src/ml/transform/index.js';
import type { TransformResolved } from './driver.js';
import { writeTransformGraph } from './graph-file.js';
import type { TransformComponentSpec, TransformParams } from './spec.js';
import { transformedFeatures, transformedTable } from './transformed-shard.js';

interface ShardTask {
  split: string;
  file: string;
}

const ACC_FILE = 'accumulators.json';
const APPLIED_META = 'applied.json';

type Results = Record<string, TransformGraph['results'][string]>;

function examplesOf(inputs: { examples: InputArtifact<'Examples'>[] }) {
  const examples = inputs.examples[0]!;
  return { examples, props: examples.properties as ExamplesProperties };
}

function tasksOf(examples: InputArtifact<'Examples'>, props: ExamplesProperties, splits: string[]): ShardTask[] {
  return splits.flatMap((split) => splitShardPaths(examples.path, props, split).map((file) => ({ split, file })));
}

const transformSplits = (params: TransformParams, props: ExamplesProperties) => params.transformSplits ?? props.splitNames;

/** The raw features the spec reads, as a batch: only those columns are converted. */
async function readRaw(spec: TransformSpec, file: string): Promise<RawBatch> {
  const names = [...new Set(spec.nodes.flatMap((n) => (n.op === 'feature' ? [n.name] : [])))];
  return inFile(file, async () => rawBatchFromArrow(await readShard(file), names));
}

/** A DataError from the runtime names the feature and row; this adds the shard file. */
async function inFile<T>(file: string, body: () => Promise<T>): Promise<T> {
  try {
    return await body();
  } catch (err) {
    if (err instanceof DataError && !err.file) throw new DataError(err.message, file);
    throw err;
  }
}

/** One shard's accumulators for `phase`, given the earlier phases' results. */
async function analyzeShard(spec: TransformSpec, phase: number, results: Results, file: string): Promise<AccumulatorSet> {
  const set = createAccumulators(spec, phase, results);
  const batch = await readRaw(spec, file);
  await inFile(file, async () => accumulate(set, batch));
  return set;
}

/**
 * Merges are repeated by every shard of a later round (each reads the same partials), so a
 * worker keeps the last few: the apply shards it takes in a row merge once.
 */
const merged = new Map<string, Promise<Results>>();

/** The results of every phase below `upTo`, merged from their shards' partials. */
function resultsFrom(spec: TransformSpec, partials: ShardOutput[], upTo: number): Promise<Results> {
  const key = `${upTo}:${partials.map((s) => s.path).join('|')}`;
  let hit = merged.get(key);
  if (!hit) {
    hit = mergeResults(spec, partials, upTo);
    hit.catch(() => merged.delete(key));
    merged.set(key, hit);
    if (merged.size > 4) merged.delete(merged.keys().next().value!);
  }
  return hit;
}

async function mergeResults(spec: TransformSpec, partials: ShardOutput[], upTo: number): Promise<Results> {
  let results: Results = {};
  for (let phase = 0; phase < upTo; phase++) {
    const sets = await Promise.all(
      partials
        .filter((s) => s.round === phase)
        .map(async (s) => deserializeAccumulators(spec, JSON.parse(await fs.readFile(path.join(s.path, ACC_FILE), 'utf8')) as AccumulatorJson, results)),
    );
    const merged = sets.length ? mergeAccumulators(sets) : createAccumulators(spec, phase, results);
    results = { ...results, ...finalizeAccumulators(merged) };
  }
  return results;
}

/** Apply the graph to one raw shard and write the transformed shard; returns its row count and features. */
async function applyShard(graph: TransformGraph, file: string, out: string): Promise<{ rows: number; features: FeatureColumn[] }> {
  const raw = await readRaw(graph.spec, file);
  const batch = await inFile(file, async () => applyTransform(graph, raw));
  await writeShard(transformedTable(batch), out);
  return { rows: batch.numRows, features: transformedFeatures(batch) };
}

/** The driver's spec (raw kinds bound by the Schema); a direct call without a driver uses the params'. */
/** The shards of one round: those of the analyzed splits in an analyzer phase, of every transformed split in the apply. */
function roundTasks(examples: InputArtifact<'Examples'>, props: ExamplesProperties, params: TransformParams, round: number, phases: number): ShardTask[] {
  return tasksOf(examples, props, round < phases ? params.analyzeSplits : transformSplits(params, props));
}

/**
 * One shard of one round, into `dir`: its accumulators in an analyzer phase (given the earlier
 * phases' results, merged from `previous`), its transformed rows in the apply round.
 */
async function runShardTask(spec: TransformSpec, round: number, previous: ShardOutput[], file: string, dir: string): Promise<void> {
  const phases = analyzerPhases(spec).length;
  const results = await resultsFrom(spec, previous, Math.min(round, phases));
  if (round < phases) {
    const set = await analyzeShard(spec, round, results, file);
    await fs.writeFile(path.join(dir, ACC_FILE), JSON.stringify(serializeAccumulators(set)));
    return;
  }
  const applied = await applyShard(finalizeGraph(spec, results), file, path.join(dir, path.basename(file)));
  await fs.writeFile(path.join(dir, APPLIED_META), JSON.stringify(applied));
}

const specOf = (resolved: TransformResolved | undefined, params: TransformParams) => resolved?.spec ?? params.preprocessing;

export const transformFanOut: FanOut<TransformComponentSpec, TransformResolved> & { rounds(params: TransformParams): number } = {
  rounds: (params) => analyzerPhases(params.preprocessing).length + 1,
  async plan({ inputs, params, round }) {
    const { examples, props } = examplesOf(inputs);
    return roundTasks(examples, props, params, round, analyzerPhases(params.preprocessing).length);
  },
  async run({ params, resolved, round, previous, task, path: dir }) {
    await runShardTask(specOf(resolved, params), round, previous, (task as ShardTask).file, dir);
  },
};

export const transformExecutor: Executor<TransformComponentSpec, TransformResolved> = async ({ inputs, outputs, params, resolved, ctx, shards }) => {
  const spec = specOf(resolved, params);
  const { examples, props } = examplesOf(inputs);
  const phases = analyzerPhases(spec).length;
  const partials = shards ?? (await runRoundsHere(spec, examples, props, params, ctx));
  const graph = finalizeGraph(spec, await resultsFrom(spec, partials, phases));
  await writeTransformGraph(outputs.transformGraph.path, graph);

  // the applied shards become the transformed Examples, split by split, under their input names
  const applied = partials.filter((s) => s.round === phases);
  const splits = transformSplits(params, props);
  const rowCounts: Record<string, number> = {};
  const shardNames: Record<string, string[]> = {};
  let features: FeatureColumn[] = [];
  for (const [i, s] of applied.entries()) {
    const { split, file } = s.task as ShardTask;
    const meta = JSON.parse(await fs.readFile(path.join(s.path, APPLIED_META), 'utf8')) as { rows: number; features: FeatureColumn[] };
    const dir = path.join(outputs.transformedExamples.path, `Split-${split}`);
    await fs.mkdir(dir, { recursive: true });
    // a hard link: the shard folder goes when the node is published, the file stays
    await fs.link(path.join(s.path, path.basename(file)), path.join(dir, path.basename(file)));
    rowCounts[split] = (rowCounts[split] ?? 0) + meta.rows;
    (shardNames[split] ??= []).push(path.basename(file));
    features = meta.features;
    ctx.heartbeat({ done: i + 1, total: applied.length, unit: 'shards', message: `collecting split ${split}` });
  }
  ctx.log(`Transform: ${phases} analyzer pass(es) over ${params.analyzeSplits.join(', ')}; ${applied.length} shard(s) transformed`);
  const outFeatures = outputFeatures(graph);
  return {
    transformGraph: { features: outFeatures, analyzeSplits: params.analyzeSplits, phases, rowsAnalyzed: rowsOf(props, params.analyzeSplits) },
    transformedExamples: {
      splitNames: splits,
      rowCounts,
      shards: shardNames,
      features,
      format: 'arrow-ipc-file' as const,
      ...(props.span !== undefined ? { span: props.span } : {}),
      ...(props.version !== undefined ? { version: props.version } : {}),
    },
  };
};

const rowsOf = (props: ExamplesProperties, splits: string[]) => splits.reduce((n, s) => n + (props.rowCounts[s] ?? 0), 0);

/** Every round in this process (the executor called directly, as in tests and benchmarks). */
async function runRoundsHere(spec: TransformSpec, examples: InputArtifact<'Examples'>, props: ExamplesProperties, params: TransformParams, ctx: ExecutorContext): Promise<ShardOutput[]> {
  const phases = analyzerPhases(spec).length;
  const out: ShardOutput[] = [];
  const scratch = path.join(ctx.workDir, 'rounds');
  for (let round = 0; round <= phases; round++) {
    const previous = [...out];
    for (const [index, task] of roundTasks(examples, props, params, round, phases).entries()) {
      const dir = path.join(scratch, `${round}.${index}`);
      await fs.mkdir(dir, { recursive: true });
      await runShardTask(spec, round, previous, task.file, dir);
      out.push({ round, index, task, path: dir });
    }
  }
  return out;
}

