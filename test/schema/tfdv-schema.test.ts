/**
 * tsfx's SchemaGen against the real TFDV (the pinned venv test/stats/tfdv.test.ts uses):
 * (a) TFDV reads our schema.pbtxt (tfdv.load_schema_text) and schema.pb (Schema.FromString)
 *     as the same schema;
 * (b) on the same penguin rows per split, our pipeline (tsfx statistics -> tsfx inference)
 *     and TFDV's (TFDV statistics -> infer_schema + update_schema, as TFX runs them) give the
 *     same schema feature by feature: type, presence, value_count / shape, domain values;
 * (c) our inference on TFDV's own statistics writes byte-for-byte TFDV's text format.
 */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SCHEMA_BINARY_FILE, SCHEMA_TEXT_FILE } from '../../components/schema-gen/spec.js';
import { readSplit } from '../../src/io/arrow-shards.js';
import { examplesToTfRecord } from '../../src/io/tf-example.js';
import { inferFromSplits, schemaToText } from '../../src/schema/index.js';
import { decodeStatistics } from '../../src/stats/index.js';
import { removeTempDirs, tempDir } from '../components/example-gen/helpers.js';
import { penguinStatistics, runSchemaGen } from '../components/schema-gen/helpers.js';
import { runTfdvScript } from './helpers.js';

type Summary = Record<string, Record<string, unknown>>;
interface TfdvOutput {
  ours: Summary;
  text_equals_binary: boolean;
  tfdv: Summary;
  tfdv_text: string;
  tfdv_stats: string[];
}

let result: TfdvOutput;
let ourText: string;

beforeAll(async () => {
  const { statistics, examples, props, root } = await penguinStatistics();
  const { out } = await runSchemaGen(statistics, root);
  ourText = await readFile(path.join(out, SCHEMA_TEXT_FILE), 'utf8');
  const dir = tempDir('tfdv-schema');
  const records: string[] = [];
  for (const split of props.splitNames) {
    const rec = path.join(dir, `${split}.tfrecord`);
    await examplesToTfRecord(await readSplit(examples.path, props, split), rec);
    records.push(rec);
  }
  result = await runTfdvScript<TfdvOutput>('tfdv_schema.py', [path.join(out, SCHEMA_TEXT_FILE), path.join(out, SCHEMA_BINARY_FILE), ...records]);
}, 20 * 60_000);

afterAll(removeTempDirs);

describe('SchemaGen against TFDV', () => {
  it('TFDV loads our text and binary schema as the same message', () => {
    expect(result.text_equals_binary).toBe(true);
    expect(Object.keys(result.ours).length).toBe(7);
  });

  it('infers what TFDV infers from its own statistics of the same rows, feature by feature', () => {
    expect(Object.keys(result.ours).sort()).toEqual(Object.keys(result.tfdv).sort());
    for (const [name, theirs] of Object.entries(result.tfdv)) {
      const ours = result.ours[name]!;
      for (const k of ['type', 'presence', 'value_count', 'shape', 'domain', 'lifecycle_stage']) {
        expect(ours[k], `${name}.${k}`).toEqual(theirs[k]);
      }
    }
    // penguins has a categorical string domain per string column, and optional numeric columns
    expect(result.tfdv.Species!.domain).toEqual({ string_domain: ['Adelie', 'Chinstrap', 'Gentoo'] });
  });

  it('on TFDV statistics, writes exactly the text TFDV writes', async () => {
    const datasets = [];
    for (const f of result.tfdv_stats) datasets.push((decodeStatistics(await readFile(f), f) as { datasets: Record<string, unknown>[] }).datasets[0]!);
    expect(schemaToText(inferFromSplits(datasets))).toBe(result.tfdv_text);
    expect(ourText).toBe(result.tfdv_text);
  });
});
