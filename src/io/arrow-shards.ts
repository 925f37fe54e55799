/**
 * Examples shards: each split of an Examples artifact is a folder `Split-<name>/` of Arrow IPC
 * *files* named `data-00000-of-00004.arrow`. The file format (not the stream format) so a
 * reader can seek to any record batch, and a shard count in every name so a reader can tell a
 * complete set from a partial one.
 */
import { randomUUID } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { Table, tableFromIPC, tableToIPC } from 'apache-arrow';
import { splitUri, type ExamplesProperties } from '../../schemas/artifacts.js';
import { DataError } from '../errors.js';

const MAGIC = Buffer.from('ARROW1');

/** `data-00002-of-00004.arrow` */
export function shardName(index: number, count: number): string {
  const pad = (n: number) => String(n).padStart(5, '0');
  return `data-${pad(index)}-of-${pad(count)}.arrow`;
}

/**
 * Write `table` as one Arrow IPC file at `file`. It goes to a temporary name first and is
 * renamed once flushed, so a crash never leaves a half-written shard under the final name.
 */
export async function writeShard(table: Table, file: string): Promise<void> {
  await fs.promises.mkdir(path.dirname(file), { recursive: true });
  const tmp = `${file}.tmp-${process.pid}-${randomUUID().slice(0, 8)}`;
  try {
    const fh = await fs.promises.open(tmp, 'w');
    try {
      await fh.writeFile(tableToIPC(table, 'file'));
      await fh.sync();
    } finally {
      await fh.close();
    }
    await fs.promises.rename(tmp, file);
  } catch (err) {
    await fs.promises.rm(tmp, { force: true });
    throw err;
  }
}

export interface WriteSplitOptions {
  rowsPerShard: number;
  /** called after each shard is in place */
  onShard?: (name: string, index: number, count: number) => void;
  signal?: AbortSignal;
}

/** How many shards `rows` rows make; an empty split still gets one shard, to keep its schema. */
export function shardCount(rows: number, rowsPerShard: number): number {
  return Math.max(1, Math.ceil(rows / rowsPerShard));
}

/**
 * Write one split's rows as `Split-<split>/data-*-of-N.arrow` under `examplesDir`, rows spread
 * evenly over ceil(rows / rowsPerShard) shards. Returns the shard names in order.
 */
export async function writeSplitShards(table: Table, examplesDir: string, split: string, opts: WriteSplitOptions): Promise<string[]> {
  const count = shardCount(table.numRows, opts.rowsPerShard);
  const per = Math.ceil(table.numRows / count);
  const dir = path.join(examplesDir, `Split-${split}`);
  const names: string[] = [];
  for (let i = 0; i < count; i++) {
    if (opts.signal?.aborted) throw opts.signal.reason ?? new Error('aborted');
    const name = shardName(i, count);
    await writeShard(table.slice(i * per, Math.min(table.numRows, (i + 1) * per)), path.join(dir, name));
    names.push(name);
    opts.onShard?.(name, i, count);
  }
  return names;
}

/** Read one shard back as a Table. */
export async function readShard(file: string): Promise<Table> {
  const bytes = await fs.promises.readFile(file);
  if (bytes.length < 6 || !bytes.subarray(0, 6).equals(MAGIC)) {
    throw new DataError('not an Arrow IPC file (no ARROW1 magic): a partial or foreign shard?', file, 'byte 0');
  }
  try {
    return tableFromIPC(bytes);
  } catch (err) {
    throw new DataError(`unreadable Arrow IPC shard: ${(err as Error).message}`, file);
  }
}

type SplitProps = Pick<ExamplesProperties, 'splitNames' | 'shards'>;

/** Paths of a split's shards, in order; throws on a split the artifact doesn't have. */
export function splitShardPaths(examplesUri: string, props: SplitProps, split: string): string[] {
  const dir = splitUri(examplesUri, props, split);
  return (props.shards[split] ?? []).map((name) => path.join(dir, name));
}

/** Each shard of a split as its own Table, in order: one shard in memory at a time. */
export async function* iterateSplit(
  examplesUri: string,
  props: SplitProps,
  split: string,
): AsyncGenerator<{ shard: string; table: Table }> {
  for (const file of splitShardPaths(examplesUri, props, split)) {
    yield { shard: path.basename(file), table: await readShard(file) };
  }
}

/** A whole split as one Table (its shards' record batches, concatenated). */
export async function readSplit(examplesUri: string, props: SplitProps, split: string): Promise<Table> {
  const tables: Table[] = [];
  for await (const { table } of iterateSplit(examplesUri, props, split)) tables.push(table);
  if (tables.length === 0) return new Table();
  return tables[0]!.concat(...tables.slice(1));
}
