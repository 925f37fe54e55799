/**
 * TensorBoard events files written by hand: TFRecord-framed tf.Event messages
 * (schemas/proto/event.proto), the first one `file_version: "brain.Event:2"`, then summaries of
 * scalars (`simple_value`) and histograms (`HistogramProto`). Each write is appended and flushed
 * at once, so TensorBoard shows an epoch as soon as it ends.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { maskedCrc32c } from '../../io/tfrecord-crc.js';
import { protoType } from '../../io/proto.js';

const PREFIX = 'events.out.tfevents.';

/** One TFRecord record: length, its masked crc, the data, its masked crc. */
function frame(data: Uint8Array): Buffer {
  const b = Buffer.alloc(12 + data.length + 4);
  b.writeUInt32LE(data.length >>> 0, 0);
  b.writeUInt32LE(Math.floor(data.length / 2 ** 32), 4);
  b.writeUInt32LE(maskedCrc32c(b, 0, 8), 8);
  b.set(data, 12);
  b.writeUInt32LE(maskedCrc32c(b, 12, 12 + data.length), 12 + data.length);
  return b;
}

export interface Histogram {
  min: number;
  max: number;
  num: number;
  sum: number;
  sumSquares: number;
  bucketLimit: number[];
  bucket: number[];
}

/** `buckets` equal-width buckets over [min, max] (TF 2's tf.summary.histogram default is 30). */
export function histogram(values: Float32Array, buckets = 30): Histogram {
  let min = Infinity;
  let max = -Infinity;
  let sum = 0;
  let sumSquares = 0;
  for (const v of values) {
    if (v < min) min = v;
    if (v > max) max = v;
    sum += v;
    sumSquares += v * v;
  }
  if (values.length === 0) return { min: 0, max: 0, num: 0, sum: 0, sumSquares: 0, bucketLimit: [], bucket: [] };
  const n = min === max ? 1 : buckets;
  const width = (max - min) / n;
  const bucket = new Array<number>(n).fill(0);
  for (const v of values) bucket[width === 0 ? 0 : Math.min(n - 1, Math.floor((v - min) / width))]!++;
  const bucketLimit = bucket.map((_, i) => (i === n - 1 ? max : min + width * (i + 1)));
  return { min, max, num: values.length, sum, sumSquares, bucketLimit, bucket };
}

/** Appends events to one new events file in `dir`. */
export class EventWriter {
  private readonly event = protoType('event.proto', 'tensorflow.Event');

  private constructor(readonly file: string) {}

  /**
   * A new file in `dir`, named `events.out.tfevents.<seconds>.<host>`. TensorBoard reads a
   * folder's files in name order, so the seconds are made later than any file already there
   * (a resumed run's file must come after the one it continues).
   */
  static async create(dir: string): Promise<EventWriter> {
    await fs.promises.mkdir(dir, { recursive: true });
    const existing = (await fs.promises.readdir(dir))
      .filter((n) => n.startsWith(PREFIX))
      .map((n) => Number(n.slice(PREFIX.length).split('.')[0]));
    const secs = Math.max(Math.floor(Date.now() / 1000), ...existing.filter(Number.isFinite).map((s) => s + 1));
    const w = new EventWriter(path.join(dir, `${PREFIX}${secs}.${os.hostname()}`));
    await w.write({
      wallTime: Date.now() / 1000,
      step: 0,
      fileVersion: 'brain.Event:2',
      sourceMetadata: { writer: 'tsfx' },
    });
    return w;
  }

  private async write(event: Record<string, unknown>): Promise<void> {
    const bytes = this.event.encode(this.event.fromObject(event)).finish();
    await fs.promises.appendFile(this.file, frame(bytes));
  }

  /** Scalars and histograms of one step, as one summary event. */
  async summary(
    step: number,
    scalars: Record<string, number>,
    histograms: Record<string, Histogram> = {},
  ): Promise<void> {
    const value = [
      ...Object.entries(scalars).map(([tag, simpleValue]) => ({ tag, simpleValue })),
      ...Object.entries(histograms).map(([tag, histo]) => ({ tag, histo })),
    ];
    if (value.length) await this.write({ wallTime: Date.now() / 1000, step, summary: { value } });
  }

  /** SessionLog START at `step`: readers drop what earlier files hold from `step` on (a resumed run redoes it). */
  async restart(step: number): Promise<void> {
    await this.write({
      wallTime: Date.now() / 1000,
      step,
      sessionLog: { status: 'START', msg: `resumed at epoch ${step}` },
    });
  }
}
