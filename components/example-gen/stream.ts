/**
 * ExampleGen's read loop: every reader decodes into an ExampleBatchBuilder that is drained at
 * each of the reader's progress points (a TFRecord chunk, an Arrow record batch, 10,000 CSV or
 * JSON records) and at the end of each file; each drained batch goes to its split's
 * SplitShardWriter at once. Memory holds a reader's batch plus about a shard per split,
 * whatever the size of the input.
 *
 * Hash splits by default hash all of a row's features, absent ones included, so a row's split
 * depends on the whole input's feature list. CSV and JSON files give it up front (the type
 * inference pass), TFRecord and Arrow only as they are read: when a feature first turns up
 * after rows were hashed without it, the rest of the input is read for its feature list only
 * and the output is written again from the start with the full list (a second pass, only then).
 */
import type { ExecutorContext } from '../../src/dsl/component.js';
import { ExampleBatchBuilder } from '../../src/io/columns.js';
import { type ColumnSpec, takeRows, unionOfSplits, widenSpecs } from './conform.js';
import { readInputFile } from './read-inputs.js';
import { SplitShardWriter, type FinishedSplits } from './shard-writer.js';
import type { ExampleGenParams } from './spec.js';
import { assignSplits, checkSplitBy, rowHashes, splitKeyNames } from './split.js';
import { DataError } from '../../src/errors.js';
import type { FeatureKind } from '../../src/io/columns.js';

/** Byte-level progress over every pass (inference passes count too), as heartbeats. */
export class ReadProgress {
  private done = 0;
  constructor(
    private readonly ctx: ExecutorContext,
    private total: number,
  ) {}

  /** More bytes to read than planned (a second pass). */
  grow(bytes: number): void {
    this.total += bytes;
  }

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

export interface StreamInputs {
  params: ExampleGenParams;
  ctx: ExecutorContext;
  outDir: string;
  sizes: Map<string, number>;
  progress: ReadProgress;
  columnTypes: Record<string, FeatureKind>;
  onShard: (split: string, name: string, done: number, total: number) => void;
}

export interface StreamResult extends FinishedSplits {
  splitNames: string[];
  specs: ColumnSpec[];
}

/** Read `file` into `builder`, calling `drain` at each progress point and once at the end. */
async function readDraining(io: StreamInputs, file: string, builder: ExampleBatchBuilder, drain: () => Promise<void>): Promise<void> {
  await io.progress.pass(file, io.sizes.get(file)!, 'reading', (p) =>
    readInputFile(file, io.params.format, builder, io.columnTypes, {
      onProgress: (bytes) => {
        p.onProgress(bytes);
        return drain();
      },
      signal: p.signal,
    }),
  );
  await drain();
}

/** Splits given per file pattern: each read with its own builder, aligned on one schema at the end. */
export async function streamGivenSplits(io: StreamInputs, splitFiles: Record<string, string[]>): Promise<StreamResult> {
  const done: { split: string; specs: ColumnSpec[] }[] = [];
  let current: { split: string; specs: Map<string, ColumnSpec> } | undefined;
  const specsNow = (split: string): ColumnSpec[] => {
    const own = [...current!.specs.values()];
    try {
      // the splits read before come first in the final schema: shards written now can match it
      return unionOfSplits([...done, { split, specs: own }]);
    } catch (err) {
      // a kind conflict between splits fails at the end, after any error in the data itself
      if (err instanceof DataError) return own;
      throw err;
    }
  };
  const splitNames = Object.keys(splitFiles);
  const writer = new SplitShardWriter(io.outDir, splitNames, io.params.rowsPerShard, specsNow, io.ctx.signal);
  for (const [split, files] of Object.entries(splitFiles)) {
    const builder = new ExampleBatchBuilder();
    const specs = new Map<string, ColumnSpec>();
    current = { split, specs };
    const drain = async () => {
      const { table, features } = builder.drain();
      widenSpecs(specs, features);
      await writer.add(split, table);
    };
    for (const file of files) await readDraining(io, file, builder, drain);
    done.push({ split, specs: [...specs.values()] });
  }
  const specs = unionOfSplits(done);
  return { splitNames, specs, ...(await writer.finish(specs, io.onShard)) };
}

/**
 * One pass of hash splitting. `known`: feature names known before reading (the CSV/JSON
 * columns, or every feature after a first pass). Returns the result, or the input's full
 * feature list when the rows were hashed with too few or too many names (then nothing is kept).
 */
async function hashPass(io: StreamInputs, files: string[], ratios: Record<string, number>, known: Set<string>): Promise<StreamResult | Set<string>> {
  const { splitBy } = io.params;
  const builder = new ExampleBatchBuilder();
  const specs = new Map<string, ColumnSpec>();
  const splitNames = Object.keys(ratios);
  const writer = new SplitShardWriter(io.outDir, splitNames, io.params.rowsPerShard, () => [...specs.values()], io.ctx.signal);
  /** the names rows were hashed with, once some were */
  let hashedWith: string[] | undefined;
  let stale = false;
  const keyNames = () => splitKeyNames(new Set([...known, ...specs.keys()]), splitBy);
  const drain = async () => {
    const { table, features } = builder.drain();
    widenSpecs(specs, features);
    if (stale) return;
    const names = keyNames();
    // the name list only grows; a longer one means rows already written hashed differently
    if (hashedWith && names.length !== hashedWith.length) {
      stale = true;
      await writer.discard();
      return;
    }
    if (table.numRows === 0) return;
    hashedWith ??= names;
    for (const [split, rows] of assignSplits(rowHashes(table, names), ratios)) {
      if (rows.length) await writer.add(split, takeRows(table, rows));
    }
  };
  for (const file of files) await readDraining(io, file, builder, drain);
  // a name known up front that no row has: the rows were hashed with one name too many
  if (stale || (hashedWith && !splitBy && hashedWith.length !== specs.size)) {
    await writer.discard();
    return new Set(specs.keys());
  }
  checkSplitBy([...specs.keys()], splitBy);
  const final = [...specs.values()];
  return { splitNames, specs: final, ...(await writer.finish(final, io.onShard)) };
}

/** Rows split by a stable hash into `ratios`, read in one pass (two when a feature turns up late). */
export async function streamHashSplits(io: StreamInputs, files: string[], ratios: Record<string, number>, known: Set<string>): Promise<StreamResult> {
  const first = await hashPass(io, files, ratios, known);
  if (!(first instanceof Set)) return first;
  io.progress.grow(files.reduce((n, f) => n + io.sizes.get(f)!, 0));
  const second = await hashPass(io, files, ratios, first);
  // the same files read the same way give the same features: a second miss is a bug here
  if (second instanceof Set) throw new Error('ExampleGen: the feature list changed between two reads of the same input');
  return second;
}
