/** TFRecord writer: frames records (plain or one GZIP stream) as tf.io.TFRecordWriter does. */
import { once } from 'node:events';
import { createWriteStream } from 'node:fs';
import { open, type FileHandle } from 'node:fs/promises';
import { pipeline } from 'node:stream/promises';
import { createGzip, type Gzip } from 'node:zlib';
import { maskedCrc32c } from './tfrecord-crc.js';

const HEADER = 12;
const FOOTER = 4;

export interface TfRecordWriterOptions {
  compression?: 'none' | 'gzip';
  /** gzip level, 1-9 (default 6, as TensorFlow's default) */
  level?: number;
}

/** Appends framed records to a new file, buffering ~4 MB between writes. Call close() at the end. */
export class TfRecordWriter {
  private buf = Buffer.allocUnsafe(4 << 20);
  private pos = 0;
  records = 0;
  /** uncompressed bytes written */
  bytes = 0;

  private constructor(
    readonly file: string,
    private readonly fh: FileHandle | undefined,
    private readonly gzip: Gzip | undefined,
    private readonly done: Promise<void> | undefined,
  ) {}

  static async open(file: string, opts: TfRecordWriterOptions = {}): Promise<TfRecordWriter> {
    if (opts.compression === 'gzip') {
      const gzip = createGzip({ level: opts.level ?? 6, chunkSize: 1 << 20 });
      const done = pipeline(gzip, createWriteStream(file));
      done.catch(() => undefined); // awaited in close()
      return new TfRecordWriter(file, undefined, gzip, done);
    }
    return new TfRecordWriter(file, await open(file, 'w'), undefined, undefined);
  }

  /** Frames data[start, end) as one record. Await it: it flushes when the buffer is full. */
  async write(data: Uint8Array, start = 0, end = data.length): Promise<void> {
    const len = end - start;
    const need = HEADER + len + FOOTER;
    if (this.pos + need > this.buf.length) {
      await this.flush();
      if (need > this.buf.length) this.buf = Buffer.allocUnsafe(need);
    }
    const b = this.buf;
    let p = this.pos;
    b.writeUInt32LE(len >>> 0, p);
    b.writeUInt32LE(Math.floor(len / 2 ** 32), p + 4);
    b.writeUInt32LE(maskedCrc32c(b, p, p + 8), p + 8);
    p += HEADER;
    b.set(data.subarray(start, end), p);
    b.writeUInt32LE(maskedCrc32c(b, p, p + len), p + len);
    this.pos = p + len + FOOTER;
    this.records++;
    this.bytes += need;
  }

  private async flush(): Promise<void> {
    if (this.pos === 0) return;
    if (this.fh) {
      await this.fh.write(this.buf, 0, this.pos);
    } else {
      // zlib keeps a reference to the chunk until it is deflated: hand it over, take a new one
      const chunk = this.buf.subarray(0, this.pos);
      this.buf = Buffer.allocUnsafe(this.buf.length);
      // wait for room, or fail with the file's error (a bad path only shows up here)
      if (!this.gzip!.write(chunk)) await Promise.race([once(this.gzip!, 'drain'), this.done]);
    }
    this.pos = 0;
  }

  async close(): Promise<void> {
    await this.flush();
    if (this.fh) await this.fh.close();
    else {
      this.gzip!.end();
      await this.done;
    }
  }
}
