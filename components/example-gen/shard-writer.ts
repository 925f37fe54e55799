/**
 * ExampleGen's streaming output: rows arrive per split in batches; every `rowsPerShard` rows
 * of a split become a shard at once, so memory holds at most about one shard per split.
 *
 * A shard's final name says how many shards its split has (`data-00001-of-00007.arrow`),
 * which is only known at the end, so shards are written as `data-00001.arrow.partial` and
 * renamed by `finish`. Their schema is the widest known when written; a feature first seen
 * later, or one that turns multi-valued or non-UTF-8 later, makes `finish` rewrite the shards
 * written before with the final schema (all-null columns added, types widened).
 */
import fs from 'node:fs';
import path from 'node:path';
import type { Table } from 'apache-arrow';
import { readShard, shardName, writeShard } from '../../src/io/arrow-shards.js';
import { assemble, signatureOf, type ColumnSpec, type Piece } from './conform.js';

interface WrittenShard {
  file: string;
  /** signatureOf the specs it was written with */
  signature: string;
}

interface SplitState {
  pending: Piece[];
  pendingRows: number;
  rows: number;
  shards: WrittenShard[];
}

export interface FinishedSplits {
  rowCounts: Record<string, number>;
  shards: Record<string, string[]>;
}

const partialName = (index: number) => `data-${String(index).padStart(5, '0')}.arrow.partial`;

export class SplitShardWriter {
  private readonly splits = new Map<string, SplitState>();

  constructor(
    private readonly outDir: string,
    /** output splits, in the order the artifact lists them */
    splitNames: string[],
    private readonly rowsPerShard: number,
    /** the widest schema known so far for the next shard of `split`: a superset of every batch added */
    private readonly specsNow: (split: string) => ColumnSpec[],
    private readonly signal?: AbortSignal,
  ) {
    for (const s of splitNames) this.splits.set(s, { pending: [], pendingRows: 0, rows: 0, shards: [] });
  }

  private state(split: string): SplitState {
    const s = this.splits.get(split);
    if (!s) throw new Error(`SplitShardWriter: unknown split '${split}'`);
    return s;
  }

  private dir(split: string): string {
    return path.join(this.outDir, `Split-${split}`);
  }

  private checkAbort(): void {
    if (this.signal?.aborted) throw this.signal.reason ?? new Error('aborted');
  }

  /** Append a batch of rows to `split`; writes the shards it fills. The table must not change afterwards. */
  async add(split: string, table: Table): Promise<void> {
    const s = this.state(split);
    if (table.numRows === 0) return;
    s.pending.push({ table, from: 0, to: table.numRows });
    s.pendingRows += table.numRows;
    s.rows += table.numRows;
    while (s.pendingRows >= this.rowsPerShard) {
      this.checkAbort();
      const specs = this.specsNow(split);
      const file = path.join(this.dir(split), partialName(s.shards.length));
      await writeShard(assemble(this.takePending(s, this.rowsPerShard), specs), file);
      s.shards.push({ file, signature: signatureOf(specs) });
    }
  }

  /** The first `n` pending rows, splitting a batch at the boundary. */
  private takePending(s: SplitState, n: number): Piece[] {
    const out: Piece[] = [];
    let need = n;
    while (need > 0) {
      const p = s.pending[0]!;
      const take = Math.min(need, p.to - p.from);
      out.push({ table: p.table, from: p.from, to: p.from + take });
      need -= take;
      if (p.from + take === p.to) s.pending.shift();
      else s.pending[0] = { ...p, from: p.from + take };
    }
    s.pendingRows -= n;
    return out;
  }

  /**
   * Write each split's remaining rows (an empty split still gets one shard, to carry the
   * schema), bring every shard to `specs`, and give the shards their final names.
   * `onShard` is called as each one reaches its final name.
   */
  async finish(specs: ColumnSpec[], onShard: (split: string, name: string, done: number, total: number) => void): Promise<FinishedSplits> {
    const signature = signatureOf(specs);
    const counts = new Map([...this.splits].map(([split, s]) => [split, s.shards.length + (s.pendingRows > 0 || s.shards.length === 0 ? 1 : 0)]));
    const total = [...counts.values()].reduce((a, b) => a + b, 0);
    let done = 0;
    const out: FinishedSplits = { rowCounts: {}, shards: {} };
    for (const [split, s] of this.splits) {
      const count = counts.get(split)!;
      const names: string[] = [];
      for (const [i, shard] of s.shards.entries()) {
        this.checkAbort();
        const file = path.join(this.dir(split), shardName(i, count));
        if (shard.signature === signature) await fs.promises.rename(shard.file, file);
        else {
          const table = await readShard(shard.file);
          await writeShard(assemble([{ table, from: 0, to: table.numRows }], specs), file);
          await fs.promises.rm(shard.file);
        }
        names.push(path.basename(file));
        onShard(split, names.at(-1)!, ++done, total);
      }
      if (names.length < count) {
        this.checkAbort();
        const name = shardName(count - 1, count);
        await writeShard(assemble(this.takePending(s, s.pendingRows), specs), path.join(this.dir(split), name));
        names.push(name);
        onShard(split, name, ++done, total);
      }
      out.rowCounts[split] = s.rows;
      out.shards[split] = names;
    }
    return out;
  }

  /** Remove every shard written so far (ExampleGen starts over). */
  async discard(): Promise<void> {
    for (const s of this.splits.values()) {
      for (const shard of s.shards.splice(0)) await fs.promises.rm(shard.file, { force: true });
      s.pending = [];
      s.pendingRows = 0;
      s.rows = 0;
    }
  }
}
