/**
 * crc32c for TFRecord framing, and a helper thread that checks the data crcs of a chunk of
 * records while the main thread decodes them (the crcs are ~15% of a single-threaded read).
 */
import { createRequire } from 'node:module';
import { Worker } from 'node:worker_threads';
import { crc32c as nativeCrc32c } from '@node-rs/crc32';

// Short inputs (the 8-byte length, tiny records) are done in JS with a slicing-by-8 table:
// there the native call plus its subarray costs more than the work. Longer ones go native.
const SHORT_CRC = 96;
const T = new Int32Array(256 * 8);
for (let i = 0; i < 256; i++) {
  let c = i;
  for (let k = 0; k < 8; k++) c = c & 1 ? (c >>> 1) ^ 0x82f63b78 : c >>> 1;
  T[i] = c;
}
for (let i = 0; i < 256; i++) {
  for (let k = 1; k < 8; k++) {
    const p = T[(k - 1) * 256 + i]!;
    T[k * 256 + i] = (p >>> 8) ^ T[p & 255]!;
  }
}

/** crc32c of b[start, end). */
export function crc32c(b: Uint8Array, start = 0, end = b.length): number {
  if (end - start >= SHORT_CRC) return nativeCrc32c(b.subarray(start, end)) >>> 0;
  let c = -1;
  let i = start;
  for (; i + 8 <= end; i += 8) {
    const a = c ^ (b[i]! | (b[i + 1]! << 8) | (b[i + 2]! << 16) | (b[i + 3]! << 24));
    c =
      T[1792 + (a & 255)]! ^ T[1536 + ((a >>> 8) & 255)]! ^ T[1280 + ((a >>> 16) & 255)]! ^ T[1024 + (a >>> 24)]! ^
      T[768 + b[i + 4]!]! ^ T[512 + b[i + 5]!]! ^ T[256 + b[i + 6]!]! ^ T[b[i + 7]!]!;
  }
  for (; i < end; i++) c = (c >>> 8) ^ T[(c ^ b[i]!) & 255]!;
  return (c ^ -1) >>> 0;
}

/** TFRecord's masked crc: rotate right by 15 and add a constant (crcs of data holding crcs stay strong). */
export function maskedCrc32c(b: Uint8Array, start = 0, end = b.length): number {
  const crc = crc32c(b, start, end);
  return (((crc >>> 15) | (crc << 17)) + 0xa282ead8) >>> 0;
}

/** The first record of a batch whose stored data crc is wrong. */
export interface CrcFailure {
  /** position in the batch */
  at: number;
  stored: number;
  computed: number;
}

// Plain JS evaluated in the worker, so it runs the same under tsx, vitest or compiled code.
const WORKER_SOURCE = `
const { parentPort, workerData } = require('node:worker_threads');
const { crc32c } = require(workerData.crcModule);
parentPort.on('message', ({ id, buf, ranges, count }) => {
  const b = new Uint8Array(buf);
  for (let i = 0; i < count; i++) {
    const s = ranges[2 * i], e = ranges[2 * i + 1];
    const crc = crc32c(b.subarray(s, e)) >>> 0;
    const computed = (((crc >>> 15) | (crc << 17)) + 0xa282ead8) >>> 0;
    const stored = (b[e] | (b[e + 1] << 8) | (b[e + 2] << 16) | (b[e + 3] << 24)) >>> 0;
    if (computed !== stored) return parentPort.postMessage({ id, at: i, stored, computed });
  }
  parentPort.postMessage({ id, at: -1 });
});
`;

type Pending = (r: CrcFailure | undefined | Error) => void;

/** One worker for the process, started on first use, holding the event loop only while busy. */
class CrcWorker {
  private worker: Worker | undefined;
  private broken = false;
  private nextId = 0;
  private readonly pending = new Map<number, Pending>();

  available(): boolean {
    if (this.broken) return false;
    if (this.worker) return true;
    try {
      const crcModule = createRequire(import.meta.url).resolve('@node-rs/crc32');
      const w = new Worker(WORKER_SOURCE, { eval: true, workerData: { crcModule } });
      w.on('message', (m: { id: number; at: number; stored: number; computed: number }) => {
        const done = this.pending.get(m.id)!;
        this.pending.delete(m.id);
        if (this.pending.size === 0) w.unref();
        done(m.at < 0 ? undefined : { at: m.at, stored: m.stored, computed: m.computed });
      });
      w.on('error', (e) => this.fail(e));
      w.on('exit', () => this.fail(new Error('crc worker exited')));
      w.unref();
      this.worker = w;
      return true;
    } catch {
      this.broken = true;
      return false;
    }
  }

  private fail(e: Error): void {
    this.broken = true;
    this.worker = undefined;
    for (const done of this.pending.values()) done(e);
    this.pending.clear();
  }

  /**
   * Checks the data crc of records buf[ranges[2i], ranges[2i+1]) for i < count, each followed by
   * its stored masked crc. buf and ranges must be backed by SharedArrayBuffers and left
   * untouched until the promise settles. Resolves to the first failure, or undefined.
   */
  check(buf: Uint8Array, ranges: Int32Array, count: number): Promise<CrcFailure | undefined> {
    const w = this.worker!;
    const id = this.nextId++;
    const result = new Promise<CrcFailure | undefined>((resolve, reject) => {
      this.pending.set(id, (r) => (r instanceof Error ? reject(r) : resolve(r)));
    });
    w.ref();
    w.postMessage({ id, buf: buf.buffer, ranges, count });
    return result;
  }
}

export const crcWorker = new CrcWorker();
