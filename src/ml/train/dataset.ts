/**
 * The training input pipeline, in the spirit of tf.data over an Examples split's Arrow shards:
 * `shards -> shuffle(buffer) -> batch(size) -> prefetch(n)`, streamed one record batch at a time.
 *
 * Memory is bounded independently of the split's size: one decoded record batch of the shard
 * being read (apache-arrow's file reader seeks to it), the shuffle buffer (`shuffleBuffer` rows)
 * and `prefetch + 1` batches. Each epoch's order is a function of (seed, epoch) alone: shard
 * order and buffer draws come from a generator seeded per epoch, so `skipBatches` resumes an
 * interrupted epoch on exactly the batches it had left.
 */
import fs from 'node:fs';
import path from 'node:path';
import { RecordBatchReader, type RecordBatch, type Schema } from 'apache-arrow';
import type { ExamplesProperties } from '../../../schemas/artifacts.js';
import { DataError, DefinitionError } from '../../errors.js';
import { splitShardPaths } from '../../io/arrow-shards.js';
import { allocate, BatchColumns, checkColumns, copySlot, type ColumnSpec } from './batch-columns.js';
import { prefetch } from './prefetch.js';
import { epochSeed, SeededRandom } from './rng.js';
import type { InputFeature, TrainBatch } from './stepper.js';

export interface ExamplesDatasetOptions {
  /** the Examples artifact's URI (a folder of `Split-<name>/` folders) */
  uri: string;
  props: Pick<ExamplesProperties, 'splitNames' | 'shards' | 'rowCounts'>;
  split: string;
  features: InputFeature[];
  /** the label column: class ids or regression targets */
  label: string;
  /** an optional per-example weight column */
  weight?: string;
  batchSize: number;
  /** rows in the shuffle buffer; 0 or 1 keeps the stored order (validation) */
  shuffleBuffer?: number;
  seed?: number;
  /** drop an epoch's last, smaller batch (default false) */
  dropRemainder?: boolean;
  /** batches made ahead while the consumer works on the current one (default 1) */
  prefetch?: number;
}

export interface IterateOptions {
  /** batches of this epoch to pass over without handing them out (a resumed epoch) */
  skipBatches?: number;
  signal?: AbortSignal;
}

type Arrays = (Float32Array | Int32Array)[];

/** A batched, shuffled, prefetched stream of one Examples split. */
export class ExamplesDataset {
  /** rows in the split, from the artifact's properties (checked while reading) */
  readonly rows: number;
  readonly batchesPerEpoch: number;
  private readonly specs: ColumnSpec[];
  private readonly files: string[];

  constructor(private readonly opts: ExamplesDatasetOptions) {
    if (!Number.isInteger(opts.batchSize) || opts.batchSize < 1)
      throw new DefinitionError(`must be a positive integer, got ${opts.batchSize}`, ['batchSize']);
    this.files = splitShardPaths(opts.uri, opts.props, opts.split);
    this.rows = opts.props.rowCounts[opts.split] ?? 0;
    this.batchesPerEpoch = opts.dropRemainder
      ? Math.floor(this.rows / opts.batchSize)
      : Math.ceil(this.rows / opts.batchSize);
    this.specs = [
      ...opts.features.map((f): ColumnSpec => ({ name: f.name, dtype: f.dtype, width: f.width, role: 'feature' })),
      { name: opts.label, dtype: 'float32', width: 1, role: 'label' },
      ...(opts.weight ? [{ name: opts.weight, dtype: 'float32', width: 1, role: 'weight' } as ColumnSpec] : []),
    ];
  }

  /** One pass over the split in epoch `epoch`'s order, prefetched. */
  epoch(epoch: number, opts: IterateOptions = {}): AsyncGenerator<TrainBatch> {
    return prefetch(this.batchesOfEpoch(epoch, opts), this.opts.prefetch ?? 1);
  }

  /**
   * Batches without end, data epochs chained (a step budget: `stepsPerEpoch` batches make a
   * training epoch whatever the split's size), starting at global batch `start`.
   */
  stream(start: number, signal?: AbortSignal): AsyncGenerator<TrainBatch> {
    return prefetch(this.chained(start, signal), this.opts.prefetch ?? 1);
  }

  private async *chained(start: number, signal?: AbortSignal): AsyncGenerator<TrainBatch> {
    if (this.batchesPerEpoch === 0)
      throw new DataError(
        `split '${this.opts.split}' has no complete batch of ${this.opts.batchSize} rows`,
        this.opts.uri,
      );
    let e = Math.floor(start / this.batchesPerEpoch);
    let skip = start % this.batchesPerEpoch;
    for (;;) {
      yield* this.batchesOfEpoch(e++, { skipBatches: skip, signal });
      skip = 0;
    }
  }

  private async *batchesOfEpoch(epoch: number, opts: IterateOptions): AsyncGenerator<TrainBatch> {
    const { batchSize, dropRemainder } = this.opts;
    const size = Math.max(1, this.opts.shuffleBuffer ?? 0);
    const rng = new SeededRandom(epochSeed(this.opts.seed ?? 0, epoch));
    const files = size > 1 ? rng.shuffle([...this.files]) : this.files;
    const buffer = allocate(this.specs, size);
    let filled = 0;
    let out = allocate(this.specs, batchSize);
    let outRows = 0;
    let seen = 0;
    let skipRows = (opts.skipBatches ?? 0) * batchSize;
    // hands a buffer slot to the batch being made; returns the batch once full
    const emit = (slot: number): TrainBatch | undefined => {
      if (skipRows > 0) {
        skipRows--;
        return undefined;
      }
      copySlot(this.specs, buffer, slot, out, outRows++);
      if (outRows < batchSize) return undefined;
      const b = this.toBatch(out, outRows);
      out = allocate(this.specs, batchSize);
      outRows = 0;
      return b;
    };
    for await (const { cols, rows } of this.recordBatches(files, opts.signal)) {
      for (let r = 0; r < rows; r++) {
        if (filled < size) {
          cols.copyRow(r, buffer, filled++);
          continue;
        }
        // tf.data's shuffle: a random slot goes out, the incoming row takes its place
        const j = size > 1 ? rng.int(size) : 0;
        const b = emit(j);
        cols.copyRow(r, buffer, j);
        if (b) yield b;
      }
      seen += rows;
    }
    if (seen !== this.rows) {
      throw new DataError(
        `split '${this.opts.split}' has ${seen} rows but its properties say ${this.rows}`,
        path.dirname(this.files[0] ?? this.opts.uri),
      );
    }
    while (filled > 0) {
      const j = size > 1 ? rng.int(filled) : 0;
      const b = emit(j);
      filled--;
      if (j !== filled) copySlot(this.specs, buffer, filled, buffer, j);
      if (b) yield b;
    }
    if (outRows > 0 && !dropRemainder) yield this.toBatch(out, outRows);
  }

  private toBatch(arrays: Arrays, rows: number): TrainBatch {
    const cut = (a: Float32Array | Int32Array, w: number) => (rows * w === a.length ? a : a.subarray(0, rows * w));
    const xs: TrainBatch['xs'] = {};
    this.opts.features.forEach((f, i) => (xs[f.name] = cut(arrays[i]!, f.width)));
    const n = this.opts.features.length;
    const batch: TrainBatch = { rows, xs, ys: cut(arrays[n]!, 1) as Float32Array };
    if (this.opts.weight) batch.weights = cut(arrays[n + 1]!, 1) as Float32Array;
    return batch;
  }

  /** Record batches of `files` in order, one in memory at a time, their columns checked per shard. */
  private async *recordBatches(
    files: string[],
    signal?: AbortSignal,
  ): AsyncGenerator<{ cols: BatchColumns; rows: number }> {
    for (const file of files) {
      const fh = await fs.promises.open(file, 'r').catch((err: NodeJS.ErrnoException) => {
        throw new DataError(`cannot open shard: ${err.code ?? err.message}`, file);
      });
      let rowBase = 0;
      try {
        const reader = await openReader(fh, file);
        checkColumns(file, reader.schema as Schema, this.specs);
        for (;;) {
          if (signal?.aborted) throw signal.reason ?? new Error('aborted');
          let res: IteratorResult<RecordBatch>;
          try {
            res = await reader.next();
          } catch (err) {
            throw new DataError(`unreadable Arrow IPC: ${(err as Error).message}`, file, `after row ${rowBase}`);
          }
          if (res.done) break;
          const batch = res.value;
          yield { cols: new BatchColumns(file, batch, this.specs, rowBase), rows: batch.numRows };
          rowBase += batch.numRows;
        }
      } finally {
        await fh.close().catch(() => undefined);
      }
    }
  }
}

async function openReader(fh: fs.promises.FileHandle, file: string) {
  const head = Buffer.alloc(6);
  const { bytesRead } = await fh.read(head, 0, 6, 0);
  if (bytesRead < 6 || head.toString('latin1') !== 'ARROW1')
    throw new DataError('not an Arrow IPC file (no ARROW1 magic): a partial or foreign shard?', file, 'byte 0');
  try {
    const reader = await RecordBatchReader.from(fh);
    await reader.open();
    return reader;
  } catch (err) {
    throw new DataError(`unreadable Arrow IPC: ${(err as Error).message}`, file);
  }
}
