/**
 * The CLI's one formatter (src/cli/format.ts): compact numbers, float32 and bytes in tables,
 * and the JSON convention of every --json output; then an Examples preview through it.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Binary, Float32, Int64, List, Field, Table, tableToIPC, vectorFromArray } from 'apache-arrow';
import { describe, expect, it } from 'vitest';
import { bytesText, compact, float32, measure, toJson } from '../../src/cli/format.js';
import { previewExamples } from '../../src/cli/inspect.js';
import { renderDataset, type DatasetStats } from '../../src/cli/render-stats.js';
import type { Artifact } from '../../src/metadata/store.js';

describe('compact numbers', () => {
  it('never mixes e-notation with k/M suffixes, and picks the suffix after rounding', () => {
    // toPrecision(4) gave '2.230e+4' for 22301.5 and (n/1e3) gave '1000k' for 999,950
    expect([22301.5, 114_400, 999_950, 1e6, 99_999, 99_999.7, 123_456, 2.5e9].map(compact)).toEqual([
      '22.3k',
      '114.4k',
      '1M',
      '1M',
      '100k',
      '100k',
      '123.5k',
      '2.5G',
    ]);
    expect([-0.000012, 0.000123456, 43.9219, 9999, 12_345, 0, NaN, Infinity].map(compact)).toEqual(['-1.2e-5', '1.235e-4', '43.92', '9999', '12.35k', '0', 'NaN', '∞']);
  });

  it('gives a statistics row one style: MEAN and MEDIAN of about a million both 1M, at most 4 significant digits everywhere', () => {
    const ds: DatasetStats = {
      name: 'train',
      numExamples: 10,
      features: [
        {
          name: 'x',
          numStats: {
            commonStats: { numNonMissing: 10, numMissing: 0 },
            mean: 1_000_000,
            stdDev: 22301.5,
            min: 114_400,
            median: 999_950,
            max: 2_000_000,
            histograms: [{ buckets: [{ lowValue: 0, highValue: 1, sampleCount: 10 }] }],
          },
        },
      ],
    };
    const row = renderDataset(ds).split('\n').find((l) => l.startsWith('x '))!;
    expect(row.trim().split(/\s+/).slice(3, 9)).toEqual(['1M', '22.3k', '0%', '114.4k', '1M', '2M']);
    expect(row).not.toMatch(/e[+-]\d|1000k/);
  });
});

describe('float32 and bytes', () => {
  it('prints a float32 as its shortest round-trip decimal', () => {
    expect(Math.fround(6.9)).toBe(6.900000095367432);
    expect([Math.fround(6.9), Math.fround(0.1), Math.fround(39.1), Math.fround(1e-8), 1.5, 0].map(float32)).toEqual([6.9, 0.1, 39.1, 1e-8, 1.5, 0]);
  });

  it('prints bytes as text when printable UTF-8, else 0x hex (short) or b64: (long)', () => {
    expect(bytesText(Buffer.from('Adélie'))).toBe('Adélie');
    expect(bytesText(new Uint8Array([0, 255]))).toBe('0x00ff');
    expect(bytesText(new Uint8Array([1, 2, 3]))).toBe('0x010203');
    expect(bytesText(new Uint8Array(20).fill(255))).toBe(`b64:${Buffer.alloc(20, 255).toString('base64')}`);
  });

  it('--json: bytes as base64, bigint as numbers, timestamps as ISO 8601 UTC strings', () => {
    const at = Date.UTC(2026, 11, 1, 12, 0, 0);
    const json = JSON.parse(
      toJson({ b: new Uint8Array([0, 255]), buf: Buffer.from('hi'), n: 5n, big: 2n ** 60n, startedAt: at, createTime: new Date(at), count: 7 }),
    ) as unknown;
    expect(json).toEqual({
      b: 'AP8=',
      buf: 'aGk=',
      n: 5,
      big: '1152921504606846976',
      startedAt: '2026-12-01T12:00:00.000Z',
      createTime: '2026-12-01T12:00:00.000Z',
      count: 7,
    });
  });
});

describe('Examples preview', () => {
  it('gives float32 list values as their shortest decimals and keeps binary values as bytes', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tsfx-preview-'));
    fs.mkdirSync(path.join(dir, 'Split-train'));
    const table = new Table({
      length: vectorFromArray([[Math.fround(6.9)], [Math.fround(39.1), Math.fround(0.1)]], new List(new Field('item', new Float32(), true))),
      raw: vectorFromArray([new Uint8Array([0, 255]), Buffer.from('ok')], new Binary()),
      id: vectorFromArray([1n, 2n], new Int64()),
    });
    fs.writeFileSync(path.join(dir, 'Split-train', 'part-0.arrow'), tableToIPC(table, 'file'));
    const a = {
      id: 1,
      type: 'Examples',
      name: 'examples',
      uri: dir,
      properties: { splitNames: ['train'], shards: { train: ['part-0.arrow'] }, rowCounts: { train: 2 } },
    } as unknown as Artifact;
    const first = previewExamples(a, 2).train!.first;
    expect(first.map((r) => r.length)).toEqual([[6.9], [39.1, 0.1]]);
    const json = JSON.parse(toJson(first)) as Record<string, unknown>[];
    expect(json).toEqual([
      { length: [6.9], raw: 'AP8=', id: 1 },
      { length: [39.1, 0.1], raw: 'b2s=', id: 2 },
    ]);
  });
});

describe('measurements', () => {
  it('keeps 6 significant digits beside a threshold, so a value just over it never prints as the threshold', () => {
    expect([measure(0.150004), measure(0.15), measure(1 / 3), measure(undefined)]).toEqual(['0.150004', '0.15', '0.333333', '']);
  });
});
