/**
 * The data bench/statistics-vs-tfdv.ts measures, prepared once and cached under
 * $TSFX_HOME/bench/stats-<dataset>-<rows>/:
 *   all.tfrecord                     every row as one tf.Example (TFDV and tsfx read this)
 *   all.arrow                        the same rows as one Arrow IPC file (one ExampleGen shard)
 *   data-0000i-of-0000N.{tfrecord,arrow}  the same rows cut into N shards (the fanned-out units)
 * A `ready.json` written last marks a complete folder, so an interrupted run starts over.
 */
import fs from 'node:fs';
import path from 'node:path';
import { tableFromIPC, type Table } from 'apache-arrow';
import { shardName, writeShard } from '../../src/io/arrow-shards.js';
import { ExampleBatchBuilder } from '../../src/io/columns.js';
import { encodeExample, examplesToTfRecord, readTfRecordExamples, type FeatureValues } from '../../src/io/tf-example.js';
import { TfRecordWriter } from '../../src/io/tfrecord.js';

export type DatasetName = 'generated' | 'flights';

export interface PreparedDataset {
  name: DatasetName;
  rows: number;
  /** e.g. "10 numeric, 10 string" */
  features: string;
  featureCount: number;
  tfrecord: string;
  arrow: string;
  tfrecordShards: string[];
  arrowShards: string[];
  tfrecordMb: number;
  arrowMb: number;
}

const FLIGHTS = 'node_modules/vega-datasets/data/flights-200k.arrow';
const log = (s: string) => process.stderr.write(`${s}\n`);

/** N tf.Examples x 20 features: 5 int (5% empty lists), 5 float, 10 strings of cardinality 3 .. 59049 */
async function generate(file: string, rows: number): Promise<void> {
  let seed = 7;
  const rnd = () => ((seed = (seed * 1103515245 + 12345) >>> 0), seed / 2 ** 32);
  const w = await TfRecordWriter.open(file);
  for (let r = 0; r < rows; r++) {
    const f: Record<string, FeatureValues> = {};
    for (let i = 0; i < 5; i++) f[`int_${i}`] = { kind: 'int', values: rnd() < 0.05 ? [] : [Math.floor(rnd() * 10 ** (i + 1))] };
    for (let i = 0; i < 5; i++) f[`float_${i}`] = { kind: 'float', values: [(rnd() - 0.3) * 10 ** i] };
    for (let i = 0; i < 10; i++) f[`str_${i}`] = { kind: 'bytes', values: [`v${Math.floor(rnd() * 3 * 3 ** i)}`] };
    await w.write(encodeExample(f));
    if (r % 250_000 === 0) process.stderr.write(`generating ${r.toLocaleString('en')}/${rows.toLocaleString('en')}\r`);
  }
  await w.close();
}

function describe(table: Table): string {
  const str = table.schema.fields.filter((f) => /utf8|binary/i.test(String(f.type))).length;
  return `${table.numCols - str} numeric, ${str} string`;
}

const mb = (f: string) => fs.statSync(f).size / 2 ** 20;

/** The dataset's files, written on first use. `rows` only applies to the generated one. */
export async function prepareDataset(name: DatasetName, rows: number, shards: number, home: string, repo: string): Promise<PreparedDataset> {
  const dir = path.join(home, 'bench', name === 'flights' ? `stats-flights-${shards}` : `stats-generated-${rows}-${shards}`);
  const ready = path.join(dir, 'ready.json');
  if (fs.existsSync(ready)) return JSON.parse(fs.readFileSync(ready, 'utf8')) as PreparedDataset;
  fs.rmSync(dir, { recursive: true, force: true });
  fs.mkdirSync(dir, { recursive: true });
  const tfrecord = path.join(dir, 'all.tfrecord');
  const arrow = path.join(dir, 'all.arrow');
  let table: Table;
  if (name === 'flights') {
    log(`converting ${FLIGHTS} to tf.Examples`);
    table = tableFromIPC(fs.readFileSync(path.join(repo, FLIGHTS)));
    await examplesToTfRecord(table, tfrecord);
  } else {
    await generate(tfrecord, rows);
    log(`\ndecoding to Arrow`);
    const b = new ExampleBatchBuilder();
    await readTfRecordExamples(tfrecord, b);
    table = b.build().table;
  }
  await writeShard(table, arrow);
  log(`cutting ${table.numRows.toLocaleString('en')} rows into ${shards} shards`);
  const per = Math.ceil(table.numRows / shards);
  const tfrecordShards: string[] = [];
  const arrowShards: string[] = [];
  for (let i = 0; i < shards; i++) {
    const slice = table.slice(i * per, Math.min(table.numRows, (i + 1) * per));
    const base = path.join(dir, shardName(i, shards));
    arrowShards.push(base);
    tfrecordShards.push(base.replace(/\.arrow$/, '.tfrecord'));
    await writeShard(slice, base);
    await examplesToTfRecord(slice, tfrecordShards[i]!);
  }
  const out: PreparedDataset = {
    name, rows: table.numRows, features: describe(table), featureCount: table.numCols,
    tfrecord, arrow, tfrecordShards, arrowShards, tfrecordMb: mb(tfrecord), arrowMb: mb(arrow),
  };
  fs.writeFileSync(ready, JSON.stringify(out, null, 1));
  return out;
}
