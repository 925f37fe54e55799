import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { gunzipSync, gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DataError } from '../../src/errors.js';
import { TfRecordWriter, crc32c, forEachRecord, maskedCrc32c, readTfRecords, type TfRecordReadOptions } from '../../src/io/tfrecord.js';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'tsfx-tfrecord-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

/** deterministic pseudo-random bytes */
function bytes(n: number, seed: number): Uint8Array {
  const out = new Uint8Array(n);
  let x = seed * 2654435761 + 1;
  for (let i = 0; i < n; i++) {
    x = (x * 1103515245 + 12345) >>> 0;
    out[i] = x >>> 24;
  }
  return out;
}

/** compared as hex strings: vitest's element-wise compare of 300 KB arrays is slow */
const hex = (b: Uint8Array): string => Buffer.from(b.buffer, b.byteOffset, b.byteLength).toString('hex');

const RECORDS = [0, 1, 7, 95, 96, 97, 1000, 70_000, 3, 300_000, 12].map((n, i) => bytes(n, i));

async function writeRecords(file: string, compression: 'none' | 'gzip', records = RECORDS): Promise<void> {
  const w = await TfRecordWriter.open(file, { compression });
  for (const r of records) await w.write(r);
  await w.close();
}

async function readAll(file: string, opts: TfRecordReadOptions = {}) {
  const out: { data: Uint8Array; offset: number; index: number }[] = [];
  const res = await forEachRecord(file, (buf, start, end, offset, index) => out.push({ data: buf.slice(start, end), offset, index }), opts);
  return { out, res };
}

function expectedOffsets(records: Uint8Array[]): number[] {
  const offs: number[] = [];
  let at = 0;
  for (const r of records) {
    offs.push(at);
    at += 16 + r.length;
  }
  return offs;
}

async function readError(file: string, opts: TfRecordReadOptions = {}): Promise<DataError> {
  const err = await readAll(file, opts).then(() => undefined, (e: unknown) => e);
  expect(err).toBeInstanceOf(DataError);
  return err as DataError;
}

describe('crc32c', () => {
  it('matches the standard check value and agrees between the JS and native paths', () => {
    expect(crc32c(Buffer.from('123456789'))).toBe(0xe3069283);
    const b = bytes(4096, 9);
    // lengths either side of the JS/native switch must agree with a reference bitwise crc
    for (const n of [0, 1, 8, 95, 96, 97, 4096]) {
      let c = 0xffffffff;
      for (let i = 0; i < n; i++) {
        c ^= b[i]!;
        for (let k = 0; k < 8; k++) c = c & 1 ? (c >>> 1) ^ 0x82f63b78 : c >>> 1;
      }
      expect(crc32c(b, 0, n)).toBe((c ^ 0xffffffff) >>> 0);
    }
    const crc = crc32c(b);
    expect(maskedCrc32c(b)).toBe((((crc >>> 15) | (crc << 17)) + 0xa282ead8) >>> 0);
  });
});

describe('TFRecord framing', () => {
  it('round-trips records through a plain file, with offsets and indices', async () => {
    const file = path.join(dir, 'plain.tfrecord');
    await writeRecords(file, 'none');
    const { out, res } = await readAll(file);
    expect(res.records).toBe(RECORDS.length);
    expect(out.map((r) => hex(r.data))).toEqual(RECORDS.map(hex));
    expect(out.map((r) => r.offset)).toEqual(expectedOffsets(RECORDS));
    expect(out.map((r) => r.index)).toEqual(RECORDS.map((_, i) => i));
    const raw = await readFile(file);
    expect(res.bytes).toBe(raw.length);
    // the first record is framed exactly as the format says: length, masked crcs
    expect(raw.readUInt32LE(0)).toBe(0);
    expect(raw.readUInt32LE(8)).toBe(maskedCrc32c(raw, 0, 8));
    expect(raw.readUInt32LE(12)).toBe(maskedCrc32c(new Uint8Array(0)));
  });

  it('round-trips through GZIP, detected automatically, with uncompressed offsets', async () => {
    const file = path.join(dir, 'z.tfrecord.gz');
    await writeRecords(file, 'gzip');
    const raw = await readFile(file);
    expect([raw[0], raw[1]]).toEqual([0x1f, 0x8b]);
    const plain = path.join(dir, 'z-plain.tfrecord');
    await writeRecords(plain, 'none');
    expect(gunzipSync(raw).equals(await readFile(plain))).toBe(true);
    for (const compression of ['auto', 'gzip'] as const) {
      const { out } = await readAll(file, { compression });
      expect(out.map((r) => hex(r.data))).toEqual(RECORDS.map(hex));
      expect(out.map((r) => r.offset)).toEqual(expectedOffsets(RECORDS));
    }
  });

  it('checks crcs on the helper thread with the same results', async () => {
    const file = path.join(dir, 'thread.tfrecord');
    await writeRecords(file, 'none');
    for (const chunkSize of [4096, 1 << 20]) {
      const { out } = await readAll(file, { chunkSize, crcThread: 'always' });
      expect(out.map((r) => hex(r.data))).toEqual(RECORDS.map(hex));
    }
  });

  it('frames records that span chunks and outgrow the buffer', async () => {
    const file = path.join(dir, 'small-chunks.tfrecord');
    await writeRecords(file, 'none');
    const gz = path.join(dir, 'small-chunks.tfrecord.gz');
    await writeRecords(gz, 'gzip');
    for (const f of [file, gz]) {
      const { out } = await readAll(f, { chunkSize: 4096 });
      expect(out.map((r) => hex(r.data))).toEqual(RECORDS.map(hex));
    }
  });

  it('async iteration yields views that stay valid after the reader moves on', async () => {
    const file = path.join(dir, 'iter.tfrecord');
    await writeRecords(file, 'none');
    const got = [];
    for await (const r of readTfRecords(file, { chunkSize: 8192 })) got.push(r);
    expect(got.map((r) => hex(r.data))).toEqual(RECORDS.map(hex));
    expect(got.map((r) => r.offset)).toEqual(expectedOffsets(RECORDS));
  });

  it('reports progress ending at the totals', async () => {
    const file = path.join(dir, 'progress.tfrecord');
    await writeRecords(file, 'none');
    const calls: [number, number][] = [];
    await forEachRecord(file, () => undefined, { chunkSize: 65536, onProgress: (b, r) => calls.push([b, r]) });
    expect(calls.length).toBeGreaterThan(1);
    expect(calls.at(-1)).toEqual([(await readFile(file)).length, RECORDS.length]);
  });

  it('reads an empty file (plain or gzip) as zero records', async () => {
    const empty = path.join(dir, 'empty.tfrecord');
    await writeFile(empty, new Uint8Array(0));
    expect((await readAll(empty)).res.records).toBe(0);
    const emptyGz = path.join(dir, 'empty.tfrecord.gz');
    await writeRecords(emptyGz, 'gzip', []);
    expect((await readAll(emptyGz)).res.records).toBe(0);
  });

  it('a flipped data byte is a DataError naming the file, record index and byte offset', async () => {
    const file = path.join(dir, 'bad-data.tfrecord');
    await writeRecords(file, 'none');
    const raw = await readFile(file);
    const at = expectedOffsets(RECORDS)[3]! + 12 + 50;
    raw[at] ^= 0x01;
    const bad = path.join(dir, 'bad-data-flipped.tfrecord');
    await writeFile(bad, raw);
    // checked inline and on the helper thread
    for (const crcThread of ['never', 'always'] as const) {
      const err = await readError(bad, { crcThread });
      expect(err.message).toContain(bad);
      expect(err.message).toContain(`record 3 at byte ${expectedOffsets(RECORDS)[3]}`);
      expect(err.message).toMatch(/data crc mismatch/);
    }
    // a record the callback chokes on after the bad one: the crc failure is what's reported
    const seen: number[] = [];
    const err = await forEachRecord(bad, (_b, _s, _e, _o, index) => {
      seen.push(index);
      if (index === 6) throw new Error('decoder choked');
    }, { crcThread: 'always' }).then(() => new Error('no error'), (e: unknown) => e as Error);
    expect(err.message).toMatch(/record 3 at byte \d+: corrupt record: data crc mismatch/);
    expect(seen).toContain(3);
    // also inside gzip: offsets are in the uncompressed stream
    const gz = path.join(dir, 'bad-data-flipped.tfrecord.gz');
    await writeFile(gz, gzipSync(raw));
    expect((await readError(gz)).message).toContain(`record 3 at byte ${expectedOffsets(RECORDS)[3]}`);
  });

  it('a flipped length byte is a DataError (length crc)', async () => {
    const file = path.join(dir, 'bad-len.tfrecord');
    await writeRecords(file, 'none');
    const raw = await readFile(file);
    raw[expectedOffsets(RECORDS)[5]! + 1] ^= 0x40;
    await writeFile(file, raw);
    const err = await readError(file);
    expect(err.message).toContain(file);
    expect(err.message).toContain(`record 5 at byte ${expectedOffsets(RECORDS)[5]}`);
    expect(err.message).toMatch(/length crc mismatch/);
  });

  it('a truncated file is a DataError, whether cut in the data or in the header', async () => {
    const file = path.join(dir, 'trunc.tfrecord');
    await writeRecords(file, 'none');
    const raw = await readFile(file);
    const last = RECORDS.length - 1;
    const lastOffset = expectedOffsets(RECORDS)[last]!;
    for (const cut of [raw.length - 1, lastOffset + 14, lastOffset + 5]) {
      const t = path.join(dir, `trunc-${cut}.tfrecord`);
      await writeFile(t, raw.subarray(0, cut));
      const err = await readError(t);
      expect(err.message).toContain(t);
      expect(err.message).toContain(`record ${last} at byte ${lastOffset}`);
      expect(err.message).toMatch(/truncated/);
    }
    // a gzip stream cut short
    const gz = path.join(dir, 'trunc.tfrecord.gz');
    const z = gzipSync(raw);
    await writeFile(gz, z.subarray(0, z.length - 100));
    const err = await readError(gz);
    expect(err.message).toContain(gz);
  });

  it('garbage is rejected, not misread', async () => {
    const file = path.join(dir, 'garbage.bin');
    await writeFile(file, Buffer.from('this is not a tfrecord file at all, just text\n'));
    expect((await readError(file)).message).toMatch(/record 0 at byte 0: corrupt record: length crc/);
  });
});

describe('TFRecord I/O errors', () => {
  it('a missing file is an I/O error (retryable), not a DataError', async () => {
    for (const compression of ['auto', 'gzip'] as const) {
      const err = await readAll(path.join(dir, 'nope.tfrecord'), { compression }).catch((e: NodeJS.ErrnoException) => e);
      expect(err).not.toBeInstanceOf(DataError);
      expect((err as NodeJS.ErrnoException).code).toBe('ENOENT');
    }
  });

  it('gzip garbage is a DataError naming the file', async () => {
    const file = path.join(dir, 'bad.gz');
    await writeFile(file, Buffer.concat([Buffer.from([0x1f, 0x8b, 0x08, 0, 0, 0, 0, 0, 0, 3]), Buffer.alloc(64, 0xff)]));
    const err = await readError(file);
    expect(err.message).toMatch(new RegExp(`${file}.*not a valid gzip stream`));
  });
});
