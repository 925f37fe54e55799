/**
 * Parquet through ExampleGen's executor: vega-datasets' flights-3m.parquet (3,000,000 rows in 11
 * row groups, zstd) into Examples and on into StatisticsGen, with this process's peak memory
 * printed; `format: 'parquet'`; a corrupt file fails naming the file and row group, with no shard.
 */
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';
import { StatisticsGenParams, statisticsGenExecutor } from '../../../components/statistics-gen/index.js';
import { STATS_FILE } from '../../../components/statistics-gen/spec.js';
import type { InputArtifact } from '../../../src/dsl/component.js';
import { DataError } from '../../../src/errors.js';
import { decodeStatistics } from '../../../src/stats/index.js';
import { TFDV_REQUIREMENTS } from '../../helpers/python-pins.js';
import { exampleGenInto } from '../data-validation-chain.js';
import { makeCtx, removeTempDirs, runExampleGen, tempDir } from './helpers.js';

afterAll(removeTempDirs);
const run = promisify(execFile);
const repo = fileURLToPath(new URL('../../../', import.meta.url));
const dataDir = path.join(repo, 'node_modules/vega-datasets/data');
const MB = 1 << 20;

/** Peak RSS, JS heap and ArrayBuffer memory of this process while `fn` runs, sampled every 20 ms. */
async function peakMemory<T>(fn: () => Promise<T>): Promise<{ result: T; rss: number; heap: number; buffers: number; before: NodeJS.MemoryUsage }> {
  const before = process.memoryUsage();
  const peak = { rss: before.rss, heap: before.heapUsed, buffers: before.arrayBuffers };
  const sample = () => {
    const m = process.memoryUsage();
    peak.rss = Math.max(peak.rss, m.rss);
    peak.heap = Math.max(peak.heap, m.heapUsed);
    peak.buffers = Math.max(peak.buffers, m.arrayBuffers);
  };
  const timer = setInterval(sample, 20);
  try {
    const result = await fn();
    sample();
    return { result, ...peak, before };
  } finally {
    clearInterval(timer);
  }
}

type Stats = {
  datasets: {
    name: string;
    numExamples: number;
    features: { path: { step: string[] }; type?: string; numStats?: { mean: number; min: number; max: number }; stringStats?: { unique: number } }[];
  }[];
};

describe('ExampleGen on Parquet', () => {
  it('brings in flights-3m.parquet (3,000,000 rows) and StatisticsGen reads it, memory bounded by a row group', async () => {
    const file = path.join(dataDir, 'flights-3m.parquet');
    const { result: eg, ...mem } = await peakMemory(() => runExampleGen(dataDir, { input: 'flights-3m.parquet' }));
    const { props, out, beats } = eg;
    expect(props.rowCounts.train! + props.rowCounts.eval!).toBe(3_000_000);
    expect(props.features.map((f) => `${f.name}:${f.arrowType}`)).toEqual(['date:Int64', 'delay:Int64', 'distance:Int64', 'origin:Utf8', 'destination:Utf8']);
    // read by row group: a progress point after each of the 11
    const reads = beats.filter((b) => b.unit === 'bytes' && b.message?.includes('reading'));
    expect(new Set(reads.map((b) => b.done)).size).toBeGreaterThanOrEqual(11);

    const examples: InputArtifact<'Examples'> = { id: 1, type: 'Examples', uri: out, path: out, properties: props };
    const statsDir = tempDir('parquet-stats');
    const { result: stats, ...statsMem } = await peakMemory(() =>
      statisticsGenExecutor({
        inputs: { examples: [examples] },
        outputs: { statistics: { type: 'ExampleStatistics', uri: statsDir, path: statsDir } },
        params: StatisticsGenParams.parse({}),
        resolved: undefined,
        ctx: makeCtx(dataDir).ctx,
      }),
    );
    expect(stats.statistics).toBeTruthy();
    const datasets = ['train', 'eval'].map((s) => (decodeStatistics(fs.readFileSync(path.join(statsDir, `Split-${s}`, STATS_FILE))) as Stats).datasets[0]!);
    expect(datasets.reduce((n, d) => n + d.numExamples, 0)).toBe(3_000_000);
    expect(datasets.map((d) => d.numExamples)).toEqual([props.rowCounts.train, props.rowCounts.eval]);

    // the values against pyarrow's reading of the same file
    const venv = await run('bash', [path.join(repo, 'scripts/python-venv.sh'), 'tfdv', ...TFDV_REQUIREMENTS], { cwd: repo, maxBuffer: 64 << 20 });
    const script = [
      'import json, sys, pyarrow.compute as pc, pyarrow.parquet as pq',
      't = pq.read_table(sys.argv[1])',
      'print(json.dumps({"rows": t.num_rows, "delay": pc.sum(t["delay"]).as_py(), "distanceMax": pc.max(t["distance"]).as_py(),',
      '  "dateMin": pc.min(t["date"]).cast("int64").as_py() // 1000, "origins": len(pc.unique(t["origin"]))}))',
    ].join('\n');
    const py = await run(venv.stdout.trim().split('\n').pop()!, ['-c', script, file]);
    const want = JSON.parse(py.stdout) as { rows: number; delay: number; distanceMax: number; dateMin: number; origins: number };
    expect(want.rows).toBe(3_000_000);
    const feature = (d: (typeof datasets)[number], name: string) => d.features.find((f) => f.path.step[0] === name)!;
    const delaySum = datasets.reduce((s, d) => s + feature(d, 'delay').numStats!.mean * d.numExamples, 0);
    expect(delaySum).toBeCloseTo(want.delay, -1);
    expect(Math.max(...datasets.map((d) => feature(d, 'distance').numStats!.max))).toBe(want.distanceMax);
    expect(Math.min(...datasets.map((d) => feature(d, 'date').numStats!.min))).toBe(want.dateMin);
    expect(feature(datasets[0]!, 'origin').stringStats!.unique).toBeLessThanOrEqual(want.origins);

    const f = (n: number) => `${(n / MB).toFixed(0)} MB`;
    console.log(
      `flights-3m.parquet (${f(fs.statSync(file).size)} on disk, 11 row groups): ExampleGen peak RSS ${f(mem.rss)} (was ${f(mem.before.rss)}), ` +
        `peak JS heap ${f(mem.heap)}, peak ArrayBuffers ${f(mem.buffers)}; StatisticsGen peak RSS ${f(statsMem.rss)}, peak heap ${f(statsMem.heap)}; ` +
        `process maxRSS ${f(process.resourceUsage().maxRSS * 1024)}`,
    );
    // figures, not a benchmark: only a loose ceiling, which a reader holding the rows as JS values trips.
    // RSS is mostly the decoder thread's WebAssembly heap (sized by the largest row group) and code
    expect(mem.heap - mem.before.heapUsed).toBeLessThan(400 * MB);
  });

  it("reads a Parquet file of another extension given format: 'parquet', and names the formats of an unknown one", async () => {
    const dir = tempDir('parquet-format');
    fs.copyFileSync(path.join(dataDir, 'flights-3m.parquet'), path.join(dir, 'flights.bin'));
    const err = await runExampleGen(dir, { input: 'flights.bin' }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(DataError);
    expect((err as Error).message).toMatch(/flights\.bin: can't tell the format from the extension '\.bin'; ExampleGen knows .*parquet \(\.parquet \.parq\)/);
    expect((err as Error).message).toMatch(/set ExampleGen's 'format' param to one of 'tfrecord', .*'parquet'/);
    const { props } = await runExampleGen(dir, { input: 'flights.bin', format: 'parquet', split: { train: 1 } });
    expect(props.rowCounts).toEqual({ train: 3_000_000 });
  });

  it('fails on a corrupt row group naming the file and row group, having written no shard', async () => {
    const dir = tempDir('parquet-corrupt');
    const bytes = Buffer.from(fs.readFileSync(path.join(dataDir, 'flights-3m.parquet')));
    // garble the middle of the file: row group 5 of 11 (each ~1.2 MB of the 13 MB)
    const mid = bytes.length >> 1;
    for (let i = 0; i < 4096; i++) bytes[mid + i] = (i * 151) & 0xff;
    fs.writeFileSync(path.join(dir, 'flights.parquet'), bytes);
    const out = tempDir('parquet-corrupt-out');
    const err = await exampleGenInto(dir, { input: 'flights.parquet', rowsPerShard: 5_000_000 }, out).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(DataError);
    expect((err as DataError).file).toBe(path.join(dir, 'flights.parquet'));
    expect((err as Error).message).toMatch(/row group 5 \(of 11, from 0; rows \d+-\d+\): unreadable Parquet data/);
    const shards = fs.readdirSync(out, { recursive: true }).map(String).filter((f) => f.endsWith('.arrow'));
    expect(shards).toEqual([]);
  });
});
