/**
 * TFRecord ingest benchmark: tsfx (read + crc-check + decode tf.Examples + build Arrow) against
 * TensorFlow's tf.data (TFRecordDataset + batch + parse_example), on the same file of
 * >= 1M Examples, plain and GZIP. Prints a table; asserts nothing.
 *
 *   npx tsx bench/tfrecord-ingest.ts [--examples 1000000] [--runs 3] [--no-tf]
 *
 * The data file is generated once and cached under $TSFX_HOME/bench/. Each measurement runs
 * in its own process so peak RSS is that of the measurement alone.
 */
import { execFile, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, rename, stat } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { figuresTable } from '../src/cli/format.js';
import { loadConfig } from '../src/config.js';
import { ExampleBatchBuilder } from '../src/io/columns.js';
import { ExampleEncoder, readTfRecordExamples } from '../src/io/tf-example.js';
import { TfRecordWriter, type TfRecordCompression } from '../src/io/tfrecord.js';
import { TF_REQUIREMENTS } from '../test/helpers/python-pins.js';

const here = path.dirname(fileURLToPath(import.meta.url));
const repo = path.resolve(here, '..');

/** the features: name -> [kind, fixed (one value) | var (a list)] */
const SPEC: Record<string, ['int' | 'float' | 'bytes', 'fixed' | 'var']> = {
  user_id: ['int', 'fixed'],
  age: ['int', 'fixed'],
  clicks: ['int', 'fixed'],
  ts: ['int', 'fixed'],
  price: ['float', 'fixed'],
  rating: ['float', 'fixed'],
  lat: ['float', 'fixed'],
  country: ['bytes', 'fixed'],
  category: ['bytes', 'fixed'],
  device: ['bytes', 'fixed'],
  embedding: ['float', 'var'],
};

function arg(name: string, fallback: string): string {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1]! : fallback;
}

// ---- data --------------------------------------------------------------------------------
async function generate(plain: string, gzip: string, n: number): Promise<void> {
  const key = (s: string) => Buffer.from(s);
  const K = Object.fromEntries(Object.keys(SPEC).map((k) => [k, key(k)])) as Record<keyof typeof SPEC, Buffer>;
  const countries = ['US', 'DE', 'FR', 'JP', 'BR', 'IN', 'GB', 'CA'].map(key);
  const categories = ['books', 'electronics', 'garden', 'toys', 'grocery', 'sports', 'clothing', 'music'].map(key);
  const devices = ['ios', 'android', 'web'].map(key);
  let seed = 42;
  const rnd = () => ((seed = (seed * 1103515245 + 12345) >>> 0), seed / 2 ** 32);
  const pick = (xs: Buffer[]) => xs[Math.floor(rnd() * xs.length)]!;
  const enc = new ExampleEncoder();
  const emb = new Float32Array(12);
  const wp = await TfRecordWriter.open(plain + '.tmp');
  const wz = await TfRecordWriter.open(gzip + '.tmp', { compression: 'gzip' });
  const one = (b: Buffer) => [b];
  for (let i = 0; i < n; i++) {
    enc.begin();
    enc.ints(K.user_id, [Math.floor(rnd() * 2 ** 40)]);
    enc.ints(K.age, [18 + Math.floor(rnd() * 70)]);
    enc.ints(K.clicks, [Math.floor(rnd() * 1000)]);
    enc.ints(K.ts, [1_600_000_000 + i]);
    enc.floats(K.price, [rnd() * 500]);
    enc.floats(K.rating, [1 + rnd() * 4]);
    enc.floats(K.lat, [rnd() * 180 - 90]);
    enc.bytes(K.country, one(pick(countries)));
    enc.bytes(K.category, one(pick(categories)));
    enc.bytes(K.device, one(pick(devices)));
    const m = 4 + (i % 9);
    for (let k = 0; k < m; k++) emb[k] = rnd() * 2 - 1;
    enc.floats(K.embedding, emb, 0, m);
    const rec = enc.finish();
    await wp.write(rec);
    await wz.write(rec);
    if (i % 200_000 === 0) process.stderr.write(`  generating: ${i}/${n}\r`);
  }
  await wp.close();
  await wz.close();
  await rename(plain + '.tmp', plain);
  await rename(gzip + '.tmp', gzip);
  process.stderr.write(`  generated ${n} examples\n`);
}

// ---- one measurement (child process) -----------------------------------------------------
async function measure(file: string, compression: TfRecordCompression, runs: number, crcThread: 'auto' | 'never'): Promise<void> {
  const seconds: number[] = [];
  const cpu: number[] = [];
  let records = 0;
  let bytes = 0;
  for (let r = 0; r < runs; r++) {
    const t0 = performance.now();
    const c0 = process.cpuUsage();
    const builder = new ExampleBatchBuilder();
    const res = await readTfRecordExamples(file, builder, { compression, crcThread });
    const { table } = builder.build();
    seconds.push((performance.now() - t0) / 1000);
    const c = process.cpuUsage(c0);
    cpu.push((c.user + c.system) / 1e6);
    if (table.numRows !== res.records) throw new Error('row count mismatch');
    [records, bytes] = [res.records, res.bytes];
  }
  const maxRssMb = process.resourceUsage().maxRSS / 1024;
  process.stdout.write(JSON.stringify({ seconds, cpu_seconds: cpu, records, bytes, max_rss_mb: maxRssMb }) + '\n');
}

interface Result {
  seconds: number[];
  /** process CPU time (all threads) of each run */
  cpu_seconds: number[];
  records: number;
  max_rss_mb: number;
}

function child(args: string[], cmd = process.execPath, pre = process.execArgv): Promise<Result> {
  return new Promise((resolve, reject) => {
    const p = spawn(cmd, [...pre, ...args], { stdio: ['ignore', 'pipe', 'inherit'], env: { ...process.env, TF_CPP_MIN_LOG_LEVEL: '3' } });
    let out = '';
    p.stdout.on('data', (d) => (out += d));
    p.on('error', reject);
    p.on('close', (code) => {
      if (code !== 0) return reject(new Error(`${cmd} ${args.join(' ')} exited ${code}`));
      resolve(JSON.parse(out.trim().split('\n').pop()!) as Result);
    });
  });
}

async function main(): Promise<void> {
  if (process.argv[2] === '--measure') {
    return measure(process.argv[3]!, process.argv[4] as TfRecordCompression, Number(process.argv[5]), arg('crc-thread', 'auto') as 'auto');
  }
  const n = Number(arg('examples', '1000000'));
  const runs = Number(arg('runs', '3'));
  const benchDir = path.join(loadConfig().home, 'bench');
  await mkdir(benchDir, { recursive: true });
  const plain = path.join(benchDir, `ingest-${n}.tfrecord`);
  const gzip = path.join(benchDir, `ingest-${n}.tfrecord.gz`);
  if (!existsSync(plain) || !existsSync(gzip)) {
    process.stderr.write(`generating ${n} tf.Examples under ${benchDir} (once)\n`);
    await generate(plain, gzip, n);
  }
  const sizes = { plain: (await stat(plain)).size, gzip: (await stat(gzip)).size };
  let python: string | undefined;
  if (!process.argv.includes('--no-tf')) {
    process.stderr.write('preparing the TensorFlow venv (cached after the first time)\n');
    const { stdout } = await promisify(execFile)('bash', [path.join(repo, 'scripts/python-venv.sh'), 'tf', ...TF_REQUIREMENTS], { maxBuffer: 64 << 20 });
    python = stdout.trim().split('\n').pop()!;
  }
  const rows: { name: string; comp: 'plain' | 'gzip'; r: Result }[] = [];
  for (const comp of ['plain', 'gzip'] as const) {
    const file = comp === 'plain' ? plain : gzip;
    process.stderr.write(`tsfx ${comp}...\n`);
    rows.push({ name: 'tsfx', comp, r: await child([fileURLToPath(import.meta.url), '--measure', file, comp === 'plain' ? 'none' : 'gzip', String(runs)]) });
    if (!python) continue;
    const tfArgs = (threads: number) => [path.join(here, 'tfrecord_ingest_tf.py'), file, comp === 'gzip' ? 'GZIP' : '', JSON.stringify(SPEC), String(threads), String(runs)];
    process.stderr.write(`tf.data ${comp}...\n`);
    rows.push({ name: 'tf.data (default threads)', comp, r: await child(tfArgs(0), python, []) });
    rows.push({ name: 'tf.data (1 thread)', comp, r: await child(tfArgs(1), python, []) });
  }
  report(rows, sizes, n, runs);
}

function report(rows: { name: string; comp: 'plain' | 'gzip'; r: Result }[], sizes: { plain: number; gzip: number }, n: number, runs: number): void {
  const MB = 1e6;
  const best = (r: Result) => Math.min(...r.seconds);
  console.log(`\nTFRecord ingest: ${n.toLocaleString('en-US')} tf.Examples, ${Object.keys(SPEC).length} features; ` +
    `plain ${(sizes.plain / MB).toFixed(1)} MB, gzip ${(sizes.gzip / MB).toFixed(1)} MB; best of ${runs} runs; ` +
    `MB/s is of the uncompressed TFRecord stream\n`);
  const head = ['reader', 'file', 'seconds', 'CPU s', 'MB/s', 'examples/s', 'peak RSS MB', 'tsfx / this'];
  const table = rows.map(({ name, comp, r }) => {
    const s = best(r);
    const tsfx = rows.find((x) => x.name === 'tsfx' && x.comp === comp)!;
    const cpu = r.cpu_seconds[r.seconds.indexOf(s)]!;
    return [name, comp, s.toFixed(2), cpu.toFixed(2), (sizes.plain / MB / s).toFixed(0), Math.round(r.records / s).toLocaleString('en-US'),
      r.max_rss_mb.toFixed(0), (s / best(tsfx.r)).toFixed(2) + 'x'];
  });
  console.log(figuresTable(head, table, 2));
  console.log('\n"tsfx / this" = the other reader\'s time over tsfx\'s: above 1x means tsfx is faster.');
  console.log('CPU s = process CPU time of that run, all threads (tsfx: main thread + crc thread + zlib pool).');
}

await main();
