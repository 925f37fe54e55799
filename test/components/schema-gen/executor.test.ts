/**
 * SchemaGen's executor on real statistics (ExampleGen -> StatisticsGen over penguins.json):
 * the text and binary files hold the same schema, inferred over every split, and the
 * params (excludeSplits, inferFeatureShape) change what is inferred.
 */
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SCHEMA_BINARY_FILE, SCHEMA_TEXT_FILE } from '../../../components/schema-gen/spec.js';
import { builtinComponents } from '../../../components/registry.js';
import { DefinitionError } from '../../../src/errors.js';
import { decodeSchema, getFeature, parseSchemaText } from '../../../src/schema/index.js';
import { removeTempDirs } from '../example-gen/helpers.js';
import { penguinStatistics, runSchemaGen } from './helpers.js';

let fixture: Awaited<ReturnType<typeof penguinStatistics>>;
beforeAll(async () => {
  fixture = await penguinStatistics();
}, 120_000);
afterAll(removeTempDirs);

const read = (out: string) => ({
  text: parseSchemaText(fs.readFileSync(path.join(out, SCHEMA_TEXT_FILE), 'utf8')),
  binary: decodeSchema(fs.readFileSync(path.join(out, SCHEMA_BINARY_FILE))),
});

describe('SchemaGen executor', () => {
  it('writes schema.pbtxt and schema.pb with one feature per column, inferred over train and eval', async () => {
    const { statistics, props, root } = fixture;
    expect(statistics.properties.splitNames).toEqual(['train', 'eval']);
    const { result, out, beats } = await runSchemaGen(statistics, root);
    const { text, binary } = read(out);
    expect(binary).toEqual(text);
    expect(result.schema).toEqual({ features: props.features.length, file: 'schema.pbtxt', splits: ['train', 'eval'] });
    expect(text.feature.map((f) => f.name).sort()).toEqual(props.features.map((f) => f.name).sort());
    expect(beats.at(-1)).toMatchObject({ done: 2, total: 2, unit: 'splits' });

    const species = getFeature(text, 'Species')!;
    expect(species).toEqual({ name: 'Species', type: 'BYTES', presence: { minFraction: 1, minCount: 1 }, shape: { dim: [{ size: 1 }] }, domain: 'Species' });
    expect(text.stringDomain!.find((d) => d.name === 'Species')!.value).toEqual(['Adelie', 'Chinstrap', 'Gentoo']);
    expect(text.stringDomain!.find((d) => d.name === 'Island')!.value).toEqual(['Biscoe', 'Dream', 'Torgersen']);
    // penguins has rows without measurements: optional, single-valued, no shape
    const bill = getFeature(text, 'Beak Length (mm)')!;
    expect(bill.presence).toEqual({ minCount: 1 });
    expect(bill.valueCount).toEqual({ min: 1, max: 1 });
    expect(bill.type).toBe('FLOAT');
    expect(text.feature.some((f) => f.lifecycleStage)).toBe(false);
  });

  it('inferFeatureShape false gives value_count; excludeSplits leaves splits out and names an unknown one', async () => {
    const { statistics, root } = fixture;
    const noShape = read((await runSchemaGen(statistics, root, { inferFeatureShape: false })).out).text;
    expect(getFeature(noShape, 'Species')!.valueCount).toEqual({ min: 1, max: 1 });
    expect(noShape.feature.every((f) => f.shape === undefined)).toBe(true);

    const trainOnly = await runSchemaGen(statistics, root, { excludeSplits: ['eval'] });
    expect(trainOnly.logs.join('\n')).toMatch(/split\(s\) train$/m);
    const both = read((await runSchemaGen(statistics, root)).out).text;
    expect(read(trainOnly.out).text.feature.length).toBe(both.feature.length);

    const err = await runSchemaGen(statistics, root, { excludeSplits: ['test'] }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(DefinitionError);
    expect((err as Error).message).toMatch(/unknown split 'test'/);
    const all = await runSchemaGen(statistics, root, { excludeSplits: ['train', 'eval'] }).catch((e: unknown) => e);
    expect((all as Error).message).toMatch(/every split is excluded/);
  });

  it('is registered as a built-in component', () => {
    expect(builtinComponents.map((c) => c.spec.name)).toContain('SchemaGen');
  });
});

