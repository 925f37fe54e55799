/**
 * tsfx's validateStatistics against the real TFDV 1.16.1 (tfdv.validate_statistics, C++
 * underneath) on the same inputs: statistics from tsfx's engine (current, previous span,
 * serving) and a schema in text format (test/anomalies/tfdv-cases.ts). Both Anomalies go
 * through the same Python converter (json_format.MessageToDict, ours decoded from its TFMD
 * binary), then must agree on anomaly features, reason types and order, short and long
 * descriptions, the folded AnomalyInfo texts, anomaly_name_format, the baseline, and
 * driftSkewInfo: the same measurements in the same order. Measurement values are bit-identical
 * today (same formulas, same order of operations); the check allows 1e-9 relative because
 * Math.log2 and the C library's log2 are not guaranteed to round alike on every platform.
 *
 * The cases cover every domain and constraint a Schema feature can carry (int / float / bool /
 * string / natural-language / image / time domains, value_count(s), shape, presence,
 * distribution and unique constraints) and the schema specifications TFDV rejects
 * (INVALID_SCHEMA_SPECIFICATION and friends), in TFDV's order of reasons.
 *
 * Not compared, because validate.ts does not implement them: nested features (value_counts
 * past one level), sparse / weighted / struct features, weighted statistics, BYTES-typed
 * statistics with a domain, semantic-domain statistics (natural language, image),
 * previous_version statistics (COMPARATOR_*_NUM_EXAMPLES) and custom validations.
 */
import { execFile } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { encodeAnomalies, validateStatistics } from '../../src/anomalies/index.js';
import { parseSchemaText } from '../../src/schema/index.js';
import { encodeStatistics } from '../../src/stats/index.js';
import { removeTempDirs, tempDir } from '../components/example-gen/helpers.js';
import { TFDV_REQUIREMENTS } from '../helpers/python-pins.js';
import { statsOfRows } from '../schema/helpers.js';
import { CASES, type Row } from './tfdv-cases.js';

const run = promisify(execFile);
const repo = fileURLToPath(new URL('../../', import.meta.url));
const here = fileURLToPath(new URL('.', import.meta.url));

type Obj = Record<string, unknown>;
interface Measured { type: string; value?: number; threshold?: number }
interface DriftSkew { path: { step: string[] }; driftMeasurements?: Measured[]; skewMeasurements?: Measured[] }
interface Dict { anomalyInfo?: Record<string, { reason: { type: string }[] }>; datasetAnomalyInfo?: { reason: { type: string }[] }; driftSkewInfo?: DriftSkew[] }
let result: Record<string, { tfdv: Dict; ours: Dict; baseline_equal: boolean }>;

beforeAll(async () => {
  const { stdout } = await run('bash', [path.join(repo, 'scripts/python-venv.sh'), 'tfdv', ...TFDV_REQUIREMENTS], { cwd: repo, maxBuffer: 64 << 20 });
  const python = stdout.trim().split('\n').pop()!;
  const root = tempDir('tfdv-validate');
  const manifest = CASES.map((c) => {
    const dir = path.join(root, c.name);
    mkdirSync(dir);
    const datasets: Record<string, Obj> = {};
    const sides = { current: c.current, previous: c.previous, serving: c.serving };
    for (const [side, rows] of Object.entries(sides) as [string, Row[] | undefined][]) {
      if (!rows) continue;
      datasets[side] = statsOfRows(c.kinds, rows);
      writeFileSync(path.join(dir, `${side}.pb`), encodeStatistics({ datasets: [datasets[side]] }));
    }
    writeFileSync(path.join(dir, 'schema.pbtxt'), c.schema);
    const ours = validateStatistics(datasets.current!, parseSchemaText(c.schema), {
      previous: datasets.previous,
      serving: datasets.serving,
      environment: c.environment,
    });
    writeFileSync(path.join(dir, 'ours.pb'), encodeAnomalies(ours));
    return { name: c.name, dir, environment: c.environment };
  });
  writeFileSync(path.join(root, 'cases.json'), JSON.stringify(manifest));
  const py = await run(python, [path.join(here, 'tfdv_validate.py'), path.join(root, 'cases.json')], {
    cwd: here,
    maxBuffer: 64 << 20,
    env: { ...process.env, TF_CPP_MIN_LOG_LEVEL: '3', CUDA_VISIBLE_DEVICES: '' },
  });
  result = JSON.parse(py.stdout.trim().split('\n').pop()!) as typeof result;
}, 20 * 60_000);

afterAll(removeTempDirs);

/** `feature:TYPE` per reason, sorted */
function kinds(d: Dict): string[] {
  const out = Object.entries(d.anomalyInfo ?? {}).flatMap(([name, info]) => info.reason.map((r) => `${name}:${r.type}`));
  for (const r of d.datasetAnomalyInfo?.reason ?? []) out.push(`(dataset):${r.type}`);
  return out.sort();
}

/** measurement values out, for a separate comparison with a tolerance */
function split(d: Dict): { rest: Dict; values: number[] } {
  const values: number[] = [];
  const strip = (ms: Measured[] | undefined) =>
    ms?.map(({ value, ...m }) => {
      values.push(value ?? 0); // json_format leaves a 0 out
      return m;
    });
  const driftSkewInfo = d.driftSkewInfo?.map((i) => ({ ...i, driftMeasurements: strip(i.driftMeasurements), skewMeasurements: strip(i.skewMeasurements) }));
  return { rest: { ...d, driftSkewInfo }, values };
}

describe('validateStatistics against tfdv.validate_statistics', () => {
  it.each(CASES.map((c) => [c.name, c] as const))('%s', (name, c) => {
    const { tfdv, ours, baseline_equal } = result[name]!;
    expect(kinds(tfdv), 'the case still shows what it is for').toEqual(c.expected);
    const theirs = split(tfdv);
    const mine = split(ours);
    expect(mine.rest).toEqual(theirs.rest);
    expect(mine.values.length).toBe(theirs.values.length);
    mine.values.forEach((v, i) => expect(Math.abs(v - theirs.values[i]!), `measurement ${i}: ${v} vs ${theirs.values[i]}`).toBeLessThanOrEqual(1e-9 * Math.max(1, Math.abs(theirs.values[i]!))));
    expect(baseline_equal).toBe(true);
  });

  it('measures what the cases are about', () => {
    const values = (name: string) => split(result[name]!.tfdv).values;
    // disjoint histograms are as far apart as JSD goes; identical constants not at all
    expect(values('jsd-numeric-disjoint')[0]).toBeCloseTo(1, 12);
    expect(values('jsd-single-value')).toEqual([1, 0, 1, 1]);
    // NaN-only features: each side's NaNs in a bucket of its own
    expect(values('jsd-nan')[2]).toBe(1);
    // source QUANTILES reads the other histogram; the default is STANDARD
    const [byDefault, quantiles, standard] = values('jsd-sources');
    expect(standard).toBe(byDefault);
    expect(quantiles).not.toBe(byDefault);
    // under the thresholds, every configured measurement is still reported
    expect(result['under-threshold']!.tfdv.driftSkewInfo!.map((i) => [i.path.step[0], i.driftMeasurements?.length, i.skewMeasurements?.length])).toEqual([
      ['s', 2, 1],
      ['x', 1, 1],
    ]);
  });
});
