/**
 * ExampleGen's executor: read the resolved input files, split the rows (by a stable hash and
 * ratios, or as given by folder), and write each split as Arrow IPC shards under the Examples
 * output. It throws on any failure and publishes nothing itself: the adapter removes a partial
 * output folder and records the outcome.
 */
import fs from 'node:fs';
import type { Table } from 'apache-arrow';
import type { ExamplesProperties, FeatureColumn } from '../../schemas/artifacts.js';
import type { Executor, ExecutorContext } from '../../src/dsl/component.js';
import { DefinitionError } from '../../src/errors.js';
import { ExampleBatchBuilder } from '../../src/io/columns.js';
import { shardCount, writeSplitShards } from '../../src/io/arrow-shards.js';
import type { KindMap } from '../../src/io/csv.js';
import { conformSplits, takeRows, type BuiltSplit } from './conform.js';
import { exampleGenDriver } from './driver.js';
import { columnTypesOf, formatOf, inferFileKinds, readInputFile } from './read-inputs.js';
import { ExampleGenResolved, type ExampleGenParams, type ExampleGenSpec } from './spec.js';
import { assignSplits, rowHashes } from './split.js';

export const DEFAULT_SPLIT_RATIOS = { train: 2, eval: 1 };

/** Byte-level progress over every pass (inference passes count too), as heartbeats. */
class ReadProgress {
  private done = 0;
  constructor(
    private readonly ctx: ExecutorContext,
    private readonly total: number,
  ) {}

  async pass<T>(file: string, size: number, what: string, run: (p: { onProgress: (bytes: number) => void; signal: AbortSignal }) => Promise<T>): Promise<T> {
    const base = this.done;
    const beat = (bytes: number) => {
      // readers without an abort signal of their own (TFRecord) stop here, at their next progress report
      if (this.ctx.signal.aborted) throw this.ctx.signal.reason ?? new Error('aborted');
      this.ctx.heartbeat({ done: base + Math.min(bytes, size), total: this.total, unit: 'bytes', message: `${what} ${file}` });
    };
    beat(0);
    const out = await run({ onProgress: beat, signal: this.ctx.signal });
    this.done = base + size;
    beat(size);
    return out;
  }
}

async function readSplits(params: ExampleGenParams, res: ExampleGenResolved, ctx: ExecutorContext) {
  const sizes = new Map(await Promise.all(res.files.map(async (f) => [f, (await fs.promises.stat(f)).size] as const)));
  const typed = res.files.filter((f) => ['csv', 'json'].includes(formatOf(f, params.format)));
  const total = [...sizes.values()].reduce((a, b) => a + b, 0) + typed.reduce((a, f) => a + sizes.get(f)!, 0);
  const progress = new ReadProgress(ctx, total);

  // one inference over every CSV/JSON file, so a column has one type across files and splits
  const kinds: KindMap = new Map();
  for (const file of typed) {
    await progress.pass(file, sizes.get(file)!, 'inferring types of', (p) => inferFileKinds(file, params.format, kinds, p));
  }
  for (const name of Object.keys(params.columnTypes ?? {})) {
    // a typo here would silently leave the column inferred
    if (!kinds.has(name)) throw new DefinitionError(`'${name}' is not a column of any CSV/JSON input`, ['columnTypes', name]);
  }
  const columnTypes = columnTypesOf(kinds, params.columnTypes);
  const readAll = async (files: string[]): Promise<ExampleBatchBuilder> => {
    const builder = new ExampleBatchBuilder();
    for (const file of files) {
      await progress.pass(file, sizes.get(file)!, 'reading', (p) => readInputFile(file, params.format, builder, columnTypes, p));
    }
    return builder;
  };

  if (res.splitFiles) {
    const parts: BuiltSplit[] = [];
    for (const [split, files] of Object.entries(res.splitFiles)) parts.push({ split, ...(await readAll(files)).build() });
    return conformSplits(parts);
  }
  const { table, features } = (await readAll(res.files)).build();
  const assigned = assignSplits(rowHashes(table, params.splitBy), params.split ?? DEFAULT_SPLIT_RATIOS);
  const tables = new Map<string, Table>();
  for (const [split, rows] of assigned) tables.set(split, takeRows(table, rows));
  return { tables, features };
}

export const exampleGenExecutor: Executor<ExampleGenSpec, ExampleGenResolved | null | undefined> = async ({
  outputs,
  params,
  resolved,
  ctx,
}) => {
  // the adapter passes what the driver resolved; a direct call without it resolves here
  const res = resolved
    ? ExampleGenResolved.parse(resolved)
    : (await exampleGenDriver({ params, pipelineRoot: ctx.pipelineRoot })).resolved;
  const { tables, features } = await readSplits(params, res, ctx);

  const outDir = outputs.examples.path;
  const totalShards = [...tables.values()].reduce((n, t) => n + shardCount(t.numRows, params.rowsPerShard), 0);
  let shardsDone = 0;
  const shards: Record<string, string[]> = {};
  const rowCounts: Record<string, number> = {};
  for (const [split, table] of tables) {
    rowCounts[split] = table.numRows;
    shards[split] = await writeSplitShards(table, outDir, split, {
      rowsPerShard: params.rowsPerShard,
      signal: ctx.signal,
      onShard: (name) => ctx.heartbeat({ done: ++shardsDone, total: totalShards, unit: 'shards', message: `wrote Split-${split}/${name}` }),
    });
  }
  ctx.log(`ExampleGen: ${Object.entries(rowCounts).map(([s, n]) => `${s} ${n} rows`).join(', ')} from ${res.files.length} file(s)`);

  const examples: ExamplesProperties = {
    splitNames: [...tables.keys()],
    rowCounts,
    shards,
    features: features as FeatureColumn[],
    ...(res.span !== undefined ? { span: res.span } : {}),
    ...(res.version !== undefined ? { version: res.version } : {}),
    ...(res.fingerprint ? { inputFingerprint: res.fingerprint } : {}),
    format: 'arrow-ipc-file',
  };
  return { examples };
};
