/**
 * ExampleValidator's executor on real artifacts: ExampleGen -> StatisticsGen -> SchemaGen over
 * penguins.json, then the validator on the same statistics (no anomalies) and on the
 * statistics of a changed copy of the data (an extra column, a dropped column, a new species,
 * a NaN), which must give exactly TFDV's anomaly types with its descriptions.
 */
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ANOMALIES_FILE, ANOMALIES_JSON_FILE } from '../../../components/example-validator/spec.js';
import { anomaliesSummary, ExampleValidatorParams, exampleValidatorExecutor } from '../../../components/example-validator/index.js';
import { SCHEMA_BINARY_FILE } from '../../../components/schema-gen/spec.js';
import { builtinComponents } from '../../../components/registry.js';
import type { InputArtifact } from '../../../src/dsl/component.js';
import { decodeAnomalies } from '../../../src/anomalies/index.js';
import { DefinitionError } from '../../../src/errors.js';
import { decodeSchema, encodeSchema, getFeature } from '../../../src/schema/index.js';
import { makeCtx, removeTempDirs, tempDir } from '../example-gen/helpers.js';
import { examplesToStatistics, penguins, penguinStatistics, runSchemaGen } from '../schema-gen/helpers.js';

type Row = Record<string, string | number | null>;

let fixture: Awaited<ReturnType<typeof penguinStatistics>>;
let schema: InputArtifact<'Schema'>;
beforeAll(async () => {
  fixture = await penguinStatistics();
  const { out } = await runSchemaGen(fixture.statistics, fixture.root);
  // a curated touch, as a user would add: beak lengths must not be NaN
  const s = decodeSchema(fs.readFileSync(path.join(out, SCHEMA_BINARY_FILE)));
  getFeature(s, 'Beak Length (mm)')!.floatDomain = { disallowNan: true };
  fs.writeFileSync(path.join(out, SCHEMA_BINARY_FILE), encodeSchema(s));
  fs.rmSync(path.join(out, 'schema.pbtxt'));
  schema = { id: 3, type: 'Schema', uri: out, path: out, properties: {} };
}, 120_000);
afterAll(removeTempDirs);

async function validate(statistics: InputArtifact<'ExampleStatistics'>, params: Record<string, unknown> = {}) {
  const out = tempDir('anomalies');
  const { ctx, logs, beats } = makeCtx(fixture.root);
  const result = await exampleValidatorExecutor({
    inputs: { statistics: [statistics], schema: [schema] },
    outputs: { anomalies: { type: 'ExampleAnomalies', uri: out, path: out } },
    params: ExampleValidatorParams.parse(params),
    resolved: undefined,
    ctx,
  });
  return { props: result.anomalies as unknown as { splitNames: string[]; anomalyCount: number; anomalies: Record<string, string[]> }, out, logs, beats };
}

/** Penguins with TFDV's favourite surprises, written as CSV and run through ExampleGen + StatisticsGen. */
async function changedStatistics(): Promise<InputArtifact<'ExampleStatistics'>> {
  const rows = JSON.parse(fs.readFileSync(penguins, 'utf8')) as Row[];
  const changed = rows.map((r, i) => {
    const { Sex: _dropped, ...rest } = r;
    return {
      ...rest,
      Species: i % 5 === 0 ? 'Emperor' : r.Species,
      'Beak Length (mm)': i % 7 === 0 ? 'NaN' : r['Beak Length (mm)'],
      Extra: i,
    };
  });
  const header = Object.keys(changed[0]!);
  const csv = [header.join(','), ...changed.map((r) => header.map((h) => (r as Row)[h] ?? '').join(','))].join('\n');
  const root = tempDir('changed');
  fs.writeFileSync(path.join(root, 'penguins.csv'), `${csv}\n`);
  return (await examplesToStatistics(root, { input: 'penguins.csv' })).statistics;
}

describe('ExampleValidator executor', () => {
  it('the statistics the schema was inferred from: no anomalies in any split, files written per split', async () => {
    const { props, out, logs, beats } = await validate(fixture.statistics);
    expect(props).toEqual({ splitNames: ['train', 'eval'], anomalyCount: 0, anomalies: { train: [], eval: [] } });
    for (const split of ['train', 'eval']) {
      const a = decodeAnomalies(fs.readFileSync(path.join(out, `Split-${split}`, ANOMALIES_FILE)));
      expect(a.anomalyInfo).toEqual({});
      expect(a.baseline!.feature.length).toBe(fixture.props.features.length);
      expect(JSON.parse(fs.readFileSync(path.join(out, `Split-${split}`, ANOMALIES_JSON_FILE), 'utf8'))).toEqual({ anomalyInfo: {} });
    }
    expect(logs.at(-1)).toBe('ExampleValidator: 0 anomalies in split(s) train, eval');
    expect(beats.at(-1)).toMatchObject({ done: 2, total: 2, unit: 'splits' });
    expect(anomaliesSummary(props)).toBeUndefined();
  });

  it('changed data: exactly the new column, the dropped column, the new species and the NaN, with TFDV texts', async () => {
    const { props, out } = await validate(await changedStatistics());
    const expected = [
      'Beak Length (mm):FLOAT_TYPE_HAS_NAN',
      'Extra:SCHEMA_NEW_COLUMN',
      'Sex:SCHEMA_MISSING_COLUMN',
      'Species:ENUM_TYPE_UNEXPECTED_STRING_VALUES',
    ];
    expect(props.anomalies).toEqual({ train: expected, eval: expected });
    expect(props.anomalyCount).toBe(8);
    const a = decodeAnomalies(fs.readFileSync(path.join(out, 'Split-train', ANOMALIES_FILE)));
    expect(a.anomalyInfo.Extra).toMatchObject({ severity: 'ERROR', shortDescription: 'New column', description: 'New column (column in data but not in schema)' });
    expect(a.anomalyInfo.Sex).toMatchObject({ shortDescription: 'Column dropped', description: 'Column is completely missing' });
    expect(a.anomalyInfo['Beak Length (mm)']).toMatchObject({ shortDescription: 'Invalid values', description: 'Float feature has NaN values.' });
    expect(a.anomalyInfo.Species!.shortDescription).toBe('Unexpected string values');
    // 1 row in 5 is an emperor: about 20% of the values
    expect(a.anomalyInfo.Species!.description).toMatch(/^Examples contain values missing from the schema: Emperor \(~(1[5-9]|2[0-5])%\)\. $/);
    const summary = anomaliesSummary(props)!;
    expect(summary.count).toBe(8);
    expect(summary.message).toContain('train: Beak Length (mm):FLOAT_TYPE_HAS_NAN, Extra:SCHEMA_NEW_COLUMN');
  }, 120_000);

  it('excludeSplits skips a split and names an unknown one; registered as a built-in component', async () => {
    const { props, out } = await validate(fixture.statistics, { excludeSplits: ['eval'] });
    expect(props.splitNames).toEqual(['train']);
    expect(fs.existsSync(path.join(out, 'Split-eval'))).toBe(false);
    const err = await validate(fixture.statistics, { excludeSplits: ['test'] }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(DefinitionError);
    expect((err as Error).message).toMatch(/unknown split 'test'/);
    expect(builtinComponents.map((c) => c.spec.name)).toContain('ExampleValidator');
  });
});
