/**
 * Every TFMD Schema field against the real TFDV 1.16.1 (the pinned venv, see helpers.ts):
 * (a) Python parses our curated text itself and agrees with tsfx byte for byte, and loads the
 *     text and binary tsfx wrote from it (tfdv.load_schema_text, FromString) as the same schema;
 * (b) TFDV's text_format prints that schema exactly as tsfx's writer did;
 * (c) a rich schema built through Python's generated API and written by
 *     tfdv.write_schema_text parses in tsfx, encodes to TFDV's exact bytes and prints back
 *     to TFDV's exact text.
 */
import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decodeSchema, encodeSchema, parseSchemaText, schemaToText } from '../../src/schema/index.js';
import { removeTempDirs, tempDir } from '../components/example-gen/helpers.js';
import { runTfdvScript } from './helpers.js';

interface RichOutput {
  curated_equals_ours_text: boolean;
  curated_equals_ours_binary: boolean;
  ours_reprinted: string;
  curated_features: number;
  built_text: string;
  built_binary: string;
}

const curatedFile = fileURLToPath(new URL('./testdata/curated-schema.pbtxt', import.meta.url));
let result: RichOutput;
let ourText: string;
let curatedFeatures: number;

beforeAll(async () => {
  const dir = tempDir('tfdv-rich-schema');
  const curated = parseSchemaText(await readFile(curatedFile, 'utf8'), curatedFile);
  curatedFeatures = curated.feature.length;
  ourText = schemaToText(curated);
  await writeFile(path.join(dir, 'ours.pbtxt'), ourText);
  await writeFile(path.join(dir, 'ours.pb'), encodeSchema(curated));
  result = await runTfdvScript<RichOutput>('tfdv_rich_schema.py', [curatedFile, path.join(dir, 'ours.pbtxt'), path.join(dir, 'ours.pb'), dir]);
}, 20 * 60_000);

afterAll(removeTempDirs);

describe('full TFMD Schema against TFDV', () => {
  it('Python reads the curated text as tsfx does, and our text and binary as that same schema', () => {
    expect(result.curated_features).toBe(curatedFeatures);
    expect(result.curated_equals_ours_text).toBe(true);
    expect(result.curated_equals_ours_binary).toBe(true);
  });

  it("writes every field exactly as TFDV's text_format prints it", () => {
    expect(ourText).toBe(result.ours_reprinted);
  });

  it('parses what tfdv.write_schema_text wrote from a schema built in Python, to the same bytes and text', async () => {
    const text = await readFile(result.built_text, 'utf8');
    const binary = await readFile(result.built_binary);
    const parsed = parseSchemaText(text, result.built_text);
    expect(Buffer.from(encodeSchema(parsed)).equals(binary)).toBe(true);
    expect(decodeSchema(binary, result.built_binary)).toEqual(parsed);
    expect(schemaToText(parsed)).toBe(text);
    // spot checks that the Python-built values arrived (not just "equal to itself")
    const amount = parsed.feature.find((f) => f.name === 'amount')!;
    expect(amount.uniqueConstraints).toEqual({ min: '-9223372036854775808' });
    expect(amount.lifecycleStage).toBe('DEBUG_ONLY');
    expect(amount.annotation!.extraMetadata!.map((a) => a.type_url)).toEqual(['type.googleapis.com/tensorflow.metadata.v0.Path', 'corp.example/none.Such']);
    expect(parsed.tensorRepresentationGroup!.g!.tensorRepresentation!.r).toEqual({
      raggedTensor: { featurePath: { step: ['nested'] }, partition: [{ uniformRowLength: 3 }], rowPartitionDtype: 'INT64' },
    });
  });
});
