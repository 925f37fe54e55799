/**
 * TFRecord framing: each record is
 *   uint64 LE length | uint32 masked crc32c(length) | data | uint32 masked crc32c(data)
 * as TensorFlow's tf.io.TFRecordWriter writes it, plain or inside one GZIP stream.
 *
 * The reader streams the file through one large reusable buffer and hands records to a
 * callback as (buffer, start, end) windows, so the hot loop allocates nothing per record.
 * Both crcs of every record are checked; for large chunks the data crcs are checked on a
 * helper thread while the callback runs, so a record may reach the callback before its crc
 * is confirmed, but a bad crc still fails the read (DataError) before it resolves.
 */
import { createReadStream } from 'node:fs';
import { open, type FileHandle } from 'node:fs/promises';
import { pipeline } from 'node:stream/promises';
import { createGunzip, type ZlibOptions } from 'node:zlib';
import { DataError } from '../errors.js';
import { crcWorker, maskedCrc32c, type CrcFailure } from './tfrecord-crc.js';

export { crc32c, maskedCrc32c } from './tfrecord-crc.js';
export { TfRecordWriter, type TfRecordWriterOptions } from './tfrecord-writer.js';

export type TfRecordCompression = 'none' | 'gzip' | 'auto';

export interface TfRecordReadOptions {
  /** 'auto' (default) sniffs the gzip magic bytes */
  compression?: TfRecordCompression;
  /** bytes read per chunk; records longer than this grow the buffer */
  chunkSize?: number;
  /**
   * called after each chunk with the uncompressed bytes framed so far and the records read;
   * a returned promise is awaited before reading on (ExampleGen writes shards there)
   */
  onProgress?: (bytesRead: number, records: number) => unknown;
  /** check data crcs on a helper thread: 'auto' (default) when a chunk holds >= 1 MiB of records */
  crcThread?: 'auto' | 'always' | 'never';
}

/**
 * Called once per record. `buf[start, end)` is the record's data; the window is only valid
 * during the call (the buffer is reused). `offset` is the record's byte offset in the
 * (uncompressed) stream, `index` its 0-based position.
 */
export type TfRecordCallback = (buf: Uint8Array, start: number, end: number, offset: number, index: number) => void;

export interface TfRecordReadResult {
  records: number;
  /** uncompressed bytes framed */
  bytes: number;
}

const HEADER = 12;
const FOOTER = 4;
const DEFAULT_CHUNK = 8 << 20;
const THREAD_MIN_BYTES = 1 << 20;
/** larger than any sane record; a bigger length that passed its crc is still refused */
const MAX_RECORD = 2 ** 31 - 64;

const u32 = (b: Uint8Array, i: number): number => (b[i]! | (b[i + 1]! << 8) | (b[i + 2]! << 16) | (b[i + 3]! << 24)) >>> 0;
const hex = (n: number): string => '0x' + n.toString(16).padStart(8, '0');
/** buffers the crc thread reads must be shared memory */
const shared = (n: number): Uint8Array => new Uint8Array(new SharedArrayBuffer(n));

// ---- byte sources ----------------------------------------------------------------------------
interface ByteSource {
  /** fill into[pos, pos + len) as far as possible; 0 means end of stream */
  read(into: Uint8Array, pos: number, len: number): Promise<number>;
  close(): Promise<void>;
}

function plainSource(fh: FileHandle): ByteSource {
  let position = 0;
  return {
    async read(into, pos, len) {
      const { bytesRead } = await fh.read(into, pos, len, position);
      position += bytesRead;
      return bytesRead;
    },
    close: () => fh.close(),
  };
}

/** Inflates on libuv's thread pool, running ahead of the decoder by up to `ahead` bytes. */
function gzipSource(file: string, ahead: number): ByteSource {
  // zlib passes stream options through; its typings don't list them
  const gunzip = createGunzip({ chunkSize: 4 << 20, readableHighWaterMark: ahead } as ZlibOptions);
  const done = pipeline(createReadStream(file, { highWaterMark: 4 << 20 }), gunzip);
  done.catch(() => undefined); // surfaced through the iterator below
  const chunks = gunzip[Symbol.asyncIterator]();
  let chunk: Buffer | undefined;
  let at = 0;
  return {
    async read(into, pos, len) {
      let n = 0;
      while (n < len) {
        if (!chunk || at === chunk.length) {
          if (n > 0) break; // hand over what we have rather than wait
          const next = await chunks.next().catch((e: NodeJS.ErrnoException) => {
            // zlib's own errors (Z_DATA_ERROR, Z_BUF_ERROR: corrupt or cut short) are bad data;
            // anything else (ENOENT, EIO) is I/O and stays what it is
            if (String(e.code).startsWith('Z_')) throw new DataError(`not a valid gzip stream: ${e.message}`, file);
            throw e;
          });
          if (next.done) return 0;
          chunk = next.value as Buffer;
          at = 0;
          continue;
        }
        const take = Math.min(len - n, chunk.length - at);
        into.set(chunk.subarray(at, at + take), pos + n);
        at += take;
        n += take;
      }
      return n;
    },
    async close() {
      gunzip.destroy();
      await done.catch(() => undefined);
    },
  };
}

async function openSource(file: string, compression: TfRecordCompression, ahead: number): Promise<ByteSource> {
  if (compression === 'gzip') return gzipSource(file, ahead);
  const fh = await open(file, 'r');
  if (compression === 'none') return plainSource(fh);
  // auto: gzip magic (1f 8b, deflate) unless the first 12 bytes are a valid TFRecord header
  const head = new Uint8Array(HEADER);
  const { bytesRead } = await fh.read(head, 0, HEADER, 0);
  const magic = bytesRead >= 3 && head[0] === 0x1f && head[1] === 0x8b && head[2] === 0x08;
  const validHeader = bytesRead === HEADER && maskedCrc32c(head, 0, 8) === u32(head, 8);
  if (magic && !validHeader) {
    await fh.close();
    return gzipSource(file, ahead);
  }
  return plainSource(fh);
}

// ---- framing ---------------------------------------------------------------------------------
/** Holds a window of the stream; `drain` frames the complete records in it, `fill` reads more. */
class Framer {
  private buf: Uint8Array;
  private head = 0; // buf index of the next record
  private tail = 0; // buf index past the last byte read
  private need = HEADER; // bytes from head that the next record needs
  /** (start, end) of each complete record's data in the window */
  private ranges = new Int32Array(new SharedArrayBuffer(8 * 4096));
  /** stream offset of buf[head] */
  offset = 0;
  index = 0;

  constructor(
    private readonly file: string,
    private readonly src: ByteSource,
    private readonly chunkSize: number,
    /** false: every refill gets a fresh buffer, so handed-out views stay valid */
    private readonly reuse: boolean,
    private readonly crcThread: 'auto' | 'always' | 'never',
  ) {
    this.buf = shared(chunkSize);
  }

  private error(msg: string, index: number, offset: number): DataError {
    return new DataError(msg, this.file, `record ${index} at byte ${offset}`);
  }

  /** f.at is relative to the batch starting at record `index` (the window's head) */
  private crcError(f: CrcFailure, index: number): DataError {
    const start = this.ranges[2 * f.at]!;
    const len = this.ranges[2 * f.at + 1]! - start;
    const offset = this.offset + (start - HEADER - this.head);
    return this.error(`corrupt record: data crc mismatch (stored ${hex(f.stored)}, computed ${hex(f.computed)}, ${len} bytes)`, index + f.at, offset);
  }

  /** Frames the complete records in the window (length crcs checked), calls cb on each. */
  async drain(cb: TfRecordCallback): Promise<void> {
    const buf = this.buf;
    const tail = this.tail;
    let head = this.head;
    let count = 0;
    let bytes = 0;
    let stop: DataError | undefined; // a bad header: reported after the records before it
    this.need = HEADER;
    while (tail - head >= HEADER) {
      const lenCrc = maskedCrc32c(buf, head, head + 8);
      const at = this.offset + (head - this.head);
      if (lenCrc !== u32(buf, head + 8)) {
        stop = this.error(`corrupt record: length crc mismatch (stored ${hex(u32(buf, head + 8))}, computed ${hex(lenCrc)})`, this.index + count, at);
        break;
      }
      const len = u32(buf, head + 4) * 2 ** 32 + u32(buf, head);
      if (len > MAX_RECORD) {
        stop = this.error(`record length ${len} is larger than supported (${MAX_RECORD})`, this.index + count, at);
        break;
      }
      if (tail - head < HEADER + len + FOOTER) {
        this.need = HEADER + len + FOOTER;
        break;
      }
      if (2 * count + 2 > this.ranges.length) {
        const next = new Int32Array(new SharedArrayBuffer(this.ranges.byteLength * 2));
        next.set(this.ranges);
        this.ranges = next;
      }
      this.ranges[2 * count] = head + HEADER;
      this.ranges[2 * count + 1] = head + HEADER + len;
      count++;
      bytes += len;
      head += HEADER + len + FOOTER;
    }
    const ranges = this.ranges;
    const threaded = count > 0 && this.crcThread !== 'never' && (this.crcThread === 'always' || bytes >= THREAD_MIN_BYTES) && crcWorker.available();
    const checked = threaded ? crcWorker.check(buf, ranges, count).catch(() => this.checkInline(0, count)) : undefined;
    const index = this.index;
    let i = 0;
    try {
      let offset = this.offset;
      for (; i < count; i++) {
        const start = ranges[2 * i]!;
        const end = ranges[2 * i + 1]!;
        if (!threaded) {
          const f = this.checkInline(i, i + 1);
          if (f) throw this.crcError(f, index);
        }
        cb(buf, start, end, offset, index + i);
        offset += end - start + HEADER + FOOTER;
      }
    } catch (e) {
      // the thread must be done with the buffer before we leave; and a crc failure at or
      // before the record the callback choked on is the real cause
      const f = await checked;
      if (f && f.at <= i) throw this.crcError(f, index);
      throw e;
    }
    const f = await checked;
    if (f) throw this.crcError(f, index);
    this.offset += head - this.head;
    this.index += count;
    this.head = head;
    if (stop) throw stop;
  }

  private checkInline(from: number, to: number): CrcFailure | undefined {
    const buf = this.buf;
    for (let i = from; i < to; i++) {
      const start = this.ranges[2 * i]!;
      const end = this.ranges[2 * i + 1]!;
      const stored = u32(buf, end);
      const computed = maskedCrc32c(buf, start, end);
      if (stored !== computed) return { at: i, stored, computed };
    }
    return undefined;
  }

  /** Reads until the next record is complete; false at a clean end of stream. */
  async fill(): Promise<boolean> {
    const { head, tail, need } = this;
    const keep = tail - head;
    // keep the partial record at the front; grow when one record exceeds the buffer
    const size = Math.max(this.chunkSize, need + (need >> 3));
    if (!this.reuse || size > this.buf.length) {
      const next = shared(size);
      next.set(this.buf.subarray(head, tail));
      this.buf = next;
    } else if (head > 0) {
      this.buf.copyWithin(0, head, tail);
    }
    this.head = 0;
    this.tail = keep;
    while (this.tail < this.buf.length) {
      const n = await this.src.read(this.buf, this.tail, this.buf.length - this.tail);
      if (n === 0) break;
      this.tail += n;
      if (this.tail >= need && this.tail >= this.chunkSize >> 1) break;
    }
    if (this.tail >= need) return true;
    if (this.tail === 0) return false;
    const what = need === HEADER ? `${HEADER}-byte header` : `record of ${need - HEADER - FOOTER} data bytes`;
    throw this.error(`truncated file: it ends ${this.tail} bytes into a ${what}`, this.index, this.offset);
  }
}

async function withFramer<T>(file: string, opts: TfRecordReadOptions, reuse: boolean, fn: (f: Framer) => Promise<T>): Promise<T> {
  const chunkSize = opts.chunkSize ?? DEFAULT_CHUNK;
  const src = await openSource(file, opts.compression ?? 'auto', chunkSize);
  try {
    return await fn(new Framer(file, src, chunkSize, reuse, opts.crcThread ?? 'auto'));
  } finally {
    await src.close();
  }
}

/** Calls `cb` for every record of a TFRecord file, in order. Throws DataError on a bad crc or truncation. */
export function forEachRecord(file: string, cb: TfRecordCallback, opts: TfRecordReadOptions = {}): Promise<TfRecordReadResult> {
  return withFramer(file, opts, true, async (f) => {
    while (await f.fill()) {
      await f.drain(cb);
      await opts.onProgress?.(f.offset, f.index);
    }
    return { records: f.index, bytes: f.offset };
  });
}

export interface TfRecord {
  /** a view of the record's data; stays valid after iteration moves on */
  data: Uint8Array;
  offset: number;
  index: number;
}

/** Async iteration over records: convenient, a little slower (no buffer reuse, so views stay valid). */
export async function* readTfRecords(file: string, opts: TfRecordReadOptions = {}): AsyncGenerator<TfRecord> {
  const chunkSize = opts.chunkSize ?? DEFAULT_CHUNK;
  const src = await openSource(file, opts.compression ?? 'auto', chunkSize);
  try {
    const f = new Framer(file, src, chunkSize, false, opts.crcThread ?? 'auto');
    while (await f.fill()) {
      const batch: TfRecord[] = [];
      // drain resolves only once every crc of the batch is confirmed
      await f.drain((buf, start, end, offset, index) => batch.push({ data: buf.subarray(start, end), offset, index }));
      yield* batch;
    }
  } finally {
    await src.close();
  }
}
