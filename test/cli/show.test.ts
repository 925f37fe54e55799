/**
 * `tsfx show`: the statistics view on statistics computed from a small Arrow table (through
 * the real wire form), then the command as a user runs it on the example pipeline's output.
 */
import fs from 'node:fs';
import path from 'node:path';
import { Float64, Int32, Table, Utf8, vectorFromArray } from 'apache-arrow';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fmt, percent, renderDataset, sparkline, type DatasetStats } from '../../src/cli/render-stats.js';
import { accumulateTable, decodeStatistics, encodeStatistics, statisticsList } from '../../src/stats/index.js';
import { float32 } from '../../src/cli/format.js';
import { e2eEnv, type E2eEnv } from '../helpers/e2e.js';
import { runTsfx } from '../helpers/cli.js';

const BLOCKS = /[▁▂▃▄▅▆▇█]/gu;

function smallStats(): DatasetStats {
  const table = new Table({
    // 10 values (1x1, 2x2, 3x3, 4x4) and 2 missing: mean 3, max 4 in the last bucket
    mass: vectorFromArray([1, 2, 2, 3, 3, 3, 4, 4, 4, 4, null, null], new Float64()),
    flips: vectorFromArray([0, 0, 0, 5, 7, 9, 11, 13, 250000, 17, 19, 21], new Int32()),
    species: vectorFromArray(
      [
        'Adelie',
        'Adelie',
        'Gentoo',
        'Adelie',
        'Chinstrap',
        'Adelie',
        'Gentoo',
        'Adelie',
        null,
        'Gentoo',
        'Chinstrap',
        'Adelie',
      ],
      new Utf8(),
    ),
  });
  const bytes = encodeStatistics(statisticsList([['train', accumulateTable(table)]]));
  return (decodeStatistics(bytes) as { datasets: DatasetStats[] }).datasets[0]!;
}

function rowOf(text: string, feature: string): string {
  const line = text.split('\n').find((l) => l.startsWith(`${feature} `));
  if (!line) throw new Error(`no row for ${feature} in:\n${text}`);
  return line;
}

describe('statistics rendering', () => {
  const text = renderDataset(smallStats());

  it('heads the split with its example count and splits numeric from categorical features', () => {
    expect(text.split('\n')[0]).toBe('split train: 12 examples, 3 features');
    expect(text).toMatch(
      /numeric features \(2\)\nFEATURE\s+COUNT\s+MISSING\s+MEAN\s+STD\s+ZEROS\s+MIN\s+MEDIAN\s+MAX\s+HISTOGRAM/,
    );
    expect(text).toMatch(/categorical features \(1\)\nFEATURE\s+COUNT\s+MISSING\s+UNIQUE\s+TOP\s+FREQ\s+AVG LEN/);
    expect(text.indexOf('numeric')).toBeLessThan(text.indexOf('categorical'));
  });

  it('shows count, missing %, mean, std, min, median, max and a 10-block histogram of a numeric feature', () => {
    const cells = rowOf(text, 'mass').trim().split(/\s+/);
    // std of 1,2,2,3,3,3,4,4,4,4 around 3: sqrt(10/10) = 1
    expect(cells.slice(0, 9)).toEqual(['mass', '10', '16.7%', '3', '1', '0%', '1', '3', '4']);
    const hist = cells[9]!;
    expect([...hist]).toHaveLength(10);
    expect(hist.match(BLOCKS)).toHaveLength(10);
    // four 4s in the last bucket are the tallest; between the values TFDV's interpolation
    // leaves only slivers, drawn as the lowest non-empty block
    expect([...hist][9]).toBe('█');
    expect(hist.split('█')).toHaveLength(2);
    expect([...hist][1]).toBe('▂');
    expect([...hist][0]).not.toBe('▂');
  });

  it('counts zeros and compacts large numbers', () => {
    const cells = rowOf(text, 'flips').trim().split(/\s+/);
    expect(cells[1]).toBe('12');
    expect(cells[2]).toBe('0%');
    expect(cells[5]).toBe('25%');
    expect(cells[8]).toBe('250k');
    // one huge value: everything else falls in the first bucket
    expect([...cells[9]!][0]).toBe('█');
  });

  it('shows unique, the top value with its frequency and the average length of a categorical feature', () => {
    const cells = rowOf(text, 'species').trim().split(/\s+/);
    // 11 present of 12; Adelie 6 times; (6*6 + 3*6 + 2*9) / 11 bytes
    expect(cells).toEqual(['species', '11', '8.3%', '3', 'Adelie', '6', fmt(72 / 11)]);
    expect(fmt(72 / 11)).toBe('6.545');
  });

  it('right-aligns the numeric columns', () => {
    const lines = text.split('\n');
    const header = lines.find((l) => l.startsWith('FEATURE  COUNT'))!;
    const end = header.indexOf('COUNT') + 'COUNT'.length;
    for (const f of ['mass', 'flips']) expect(rowOf(text, f)[end - 1]).toMatch(/\d/);
  });

  it('formats numbers compactly and draws any bucket count in 10 cells', () => {
    expect([fmt(123456), fmt(2.5e9), fmt(-0.000012), fmt(NaN), fmt(-Infinity), fmt(43.9219)]).toEqual([
      '123.5k',
      '2.5G',
      '-1.2e-5',
      'NaN',
      '-∞',
      '43.92',
    ]);
    expect([percent(1, 3), percent(0, 5), percent(5, 5), percent(1, 0)]).toEqual(['33.3%', '0%', '100%', '-']);
    expect(sparkline([5])).toBe('██████████');
    expect(sparkline([])).toBe('');
    expect([...sparkline([1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 8])]).toHaveLength(10);
  });
});

let env: E2eEnv;

const tsfx = (...args: string[]) => runTsfx(env.env, ...args);

describe('tsfx show on the example pipeline', () => {
  let statsId: number;
  let rowCounts: Record<string, number>;

  beforeAll(async () => {
    env = await e2eEnv('sqlite');
    const run = await tsfx('run', 'pipelines/penguin.ts');
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    const stats = JSON.parse((await tsfx('artifacts', '--type', 'ExampleStatistics', '--json')).stdout) as {
      id: number;
    }[];
    expect(stats).toHaveLength(1);
    statsId = stats[0]!.id;
    const examples = JSON.parse((await tsfx('artifacts', '--type', 'Examples', '--json')).stdout) as {
      properties: { rowCounts: Record<string, number> };
    }[];
    rowCounts = examples[0]!.properties.rowCounts;
  });
  afterAll(async () => env?.close());

  it('renders both splits with numeric and categorical tables', async () => {
    const r = await tsfx('show', String(statsId));
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toContain(`split train: ${rowCounts.train} examples`);
    expect(r.stdout).toContain(`split eval: ${rowCounts.eval} examples`);
    expect(r.stdout).toMatch(/^Species\s+\d+\s+[\d.]+%\s+3\s+Adelie\s+\d+/m);
    // a numeric feature's row ends in a 10-cell histogram
    expect(r.stdout).toMatch(/^Body Mass \(g\)\s.*\s[▁▂▃▄▅▆▇█]{10}$/mu);
  });

  it("prints proto float fields (a string feature's avg_length) as their shortest float32 decimal in --json", async () => {
    const json = JSON.parse((await tsfx('show', String(statsId), '--json')).stdout) as Record<
      string,
      { features: { path: { step: string[] }; stringStats?: { avgLength: number } }[] }
    >;
    const species = json.train!.features.find((f) => f.path.step[0] === 'Species')!;
    expect(species.stringStats!.avgLength).toBe(float32(species.stringStats!.avgLength));
    expect(String(species.stringStats!.avgLength)).not.toMatch(/\.\d{9,}/);
  });

  it('prints the decoded statistics per split with --json, agreeing with the Examples row counts', async () => {
    const r = await tsfx('show', `#${statsId}`, '--json');
    expect(r.code).toBe(0);
    const json = JSON.parse(r.stdout) as Record<
      string,
      { numExamples: number; features: { path: { step: string[] } }[] }
    >;
    expect(Object.keys(json).sort()).toEqual(['eval', 'train']);
    for (const split of ['train', 'eval']) expect(json[split]!.numExamples).toBe(rowCounts[split]);
    expect(json.train!.features.map((f) => f.path.step[0])).toContain('Species');
  });

  it('shows one split with --split, and names the splits for an unknown one', async () => {
    const r = await tsfx('show', String(statsId), '--split', 'eval');
    expect(r.stdout).toContain('split eval:');
    expect(r.stdout).not.toContain('split train:');
    const bad = await tsfx('show', String(statsId), '--split', 'test');
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('DefinitionError: --split: artifact #');
    expect(bad.stderr).toMatch(/no split 'test' \(it has (train, eval|eval, train)\)/);
  });

  it('points Examples to tsfx artifact, prints a Schema text form, and refuses other types', async () => {
    const examplesId = (
      JSON.parse((await tsfx('artifacts', '--type', 'Examples', '--json')).stdout) as { id: number; name: string }[]
    ).find((a) => a.name === 'ExampleGen.examples')!.id;
    const ex = await tsfx('show', String(examplesId));
    expect(ex.stdout).toContain(`split train: ${rowCounts.train} rows`);
    expect(ex.stdout).toContain(`tsfx artifact ${examplesId}`);

    // a Schema and a Model recorded the way the activity adapter records outputs
    const dir = path.join(env.config.artifactRoot, 'manual', 'schema');
    fs.mkdirSync(dir, { recursive: true });
    const schemaText = 'feature {\n  name: "Species"\n  type: BYTES\n}\n';
    fs.writeFileSync(path.join(dir, 'schema.pbtxt'), schemaText);
    const x = await env.store.createExecution({
      type: 'Manual',
      pipeline: 'manual',
      runId: 'r1',
      nodeId: 'n',
      state: 'RUNNING',
      inputs: [],
    });
    const [schema, noText, model] = await env.store.publishExecution(x.id, [
      { name: 'schema', type: 'Schema', uri: dir, properties: {} },
      { name: 'other', type: 'Schema', uri: path.join(env.config.artifactRoot, 'manual', 'none'), properties: {} },
      { name: 'external', type: 'ExternalArtifact', uri: dir, properties: {} },
    ]);
    // TFDV's display_schema table, then the text form (unless --no-text)
    const shown = (await tsfx('show', String(schema!.id))).stdout;
    expect(shown).toMatch(/^Feature name\s+Type\s+Presence\s+Valency\s+Domain\n'Species'\s+BYTES\s+-$/m);
    expect(shown.endsWith(`schema.pbtxt:\n${schemaText}`)).toBe(true);
    expect((await tsfx('show', String(schema!.id), '--no-text')).stdout).not.toContain('name: "Species"');
    expect((await tsfx('show', String(noText!.id))).stdout).toContain('nothing to show');
    const refused = await tsfx('show', String(model!.id));
    expect(refused.code).toBe(2);
    expect(refused.stderr).toContain(`tsfx show has no view for ExternalArtifact yet; use tsfx artifact ${model!.id}`);
    expect((await tsfx('show', '999999')).stderr).toContain('no artifact #999999');
  });

  it("shows the TransformGraph's features and analyzer results, the Model's signature and the ModelRun's history", async () => {
    const idOf = async (type: string) =>
      (JSON.parse((await tsfx('artifacts', '--type', type, '--pipeline', 'penguin', '--json')).stdout) as { id: number }[])[0]!.id;
    const graph = await tsfx('show', String(await idOf('TransformGraph')));
    expect(graph.code, graph.stderr).toBe(0);
    expect(graph.stdout).toMatch(/^species {2}int64 id in \[0, 3\)\n {2}= vocabulary\(Species\)\n {2}vocabulary\(Species\): vocabulary of 3 \(of 3 distinct\): "Adelie" \(\d+\)/m);
    expect(graph.stdout).toMatch(/^beak_length {2}float32\n {2}= zScore\(fillMissing\(Beak Length \(mm\), mean\(Beak Length \(mm\)\)\)\)\n {2}meanVar\(Beak Length \(mm\)\): mean [\d.]+, std [\d.]+ over \d+ values/m);
    const model = await tsfx('show', String(await idOf('Model')));
    expect(model.stdout).toMatch(/Model Trainer\.model: multiclass on species \(Adelie, Gentoo, Chinstrap\)/);
    expect(model.stdout).toMatch(/^Island {2,}string$/m);
    expect(model.stdout).toContain('one input, concatenated in this order');
    const run = await tsfx('show', String(await idOf('ModelRun')));
    expect(run.stdout).toMatch(/^epoch {2}loss {2,}accuracy {2,}val_loss {2,}val_accuracy {2,}learning_rate$/m);
    expect(run.stdout).toMatch(/^1 {6}[\d.]+/m);
    expect(run.stdout).toMatch(/tensorboard --logdir .*\/tensorboard$/m);
  });

  it("shows SchemaGen's schema as TFDV's display_schema tables, then its text; --json gives the tables", async () => {
    const [schema] = JSON.parse((await tsfx('artifacts', '--type', 'Schema', '--pipeline', 'penguin', '--json')).stdout) as { id: number }[];
    const r = await tsfx('show', String(schema!.id));
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/^Feature name\s+Type\s+Presence\s+Valency\s+Domain$/m);
    // a required feature gets a shape, not a value_count, from infer_schema: TFDV shows no valency
    expect(r.stdout).toMatch(/^'Species'\s+STRING\s+required\s+'Species'$/m);
    expect(r.stdout).toMatch(/^'Body Mass \(g\)'\s+INT\s+optional\s+single\s+-$/m);
    expect(r.stdout).toMatch(/^domains \(\d+\)\nDomain\s+Values\n(.*\n)*'Species'\s+'Adelie', 'Chinstrap', 'Gentoo'$/m);
    expect(r.stdout).toMatch(/\nschema\.pbtxt:\nfeature \{/);
    const json = JSON.parse((await tsfx('show', String(schema!.id), '--json')).stdout) as {
      features: { name: string; type: string; presence: string; valency: string; domain: string }[];
      domains: { domain: string; values: string[] }[];
      text: string;
    };
    expect(json.features).toContainEqual({ name: "'Species'", type: 'STRING', presence: 'required', valency: '', domain: "'Species'" });
    expect(json.domains).toContainEqual({ domain: "'Species'", values: ['Adelie', 'Chinstrap', 'Gentoo'] });
    expect(json.text).toContain('feature {');
  });

  it('prints float32 example values as their shortest decimals in tsfx artifact, table and --json', async () => {
    const [examples] = JSON.parse((await tsfx('artifacts', '--type', 'Examples', '--json')).stdout) as { id: number }[];
    const text = (await tsfx('artifact', String(examples!.id))).stdout;
    // penguins.json's 39.1 is 39.099998474121094 as a float32 widened to a double
    expect(text).not.toMatch(/\d\.\d{9,}/);
    const json = JSON.parse((await tsfx('artifact', String(examples!.id), '--json')).stdout) as {
      preview: Record<string, { first: Record<string, unknown>[] }>;
      createTime: string;
    };
    const values = json.preview.train!.first.flatMap((r) => Object.values(r)).flat().filter((v) => typeof v === 'number');
    expect(values.length).toBeGreaterThan(0);
    for (const v of values) expect(String(v)).not.toMatch(/\d\.\d{9,}/);
    expect(json.createTime).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
  });

  it('tsfx lineage of the anomalies prints the statistics subtree once (ExampleValidator reads it directly and through the schema)', async () => {
    const [anomalies] = JSON.parse((await tsfx('artifacts', '--type', 'ExampleAnomalies', '--json')).stdout) as { id: number }[];
    const r = await tsfx('lineage', String(anomalies!.id));
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout.match(/<- execution #\d+ StatisticsGen /g)).toHaveLength(1);
    expect(r.stdout.match(/<- execution #\d+ ExampleGen /g)).toHaveLength(1);
    expect(r.stdout).toContain(`ExampleStatistics #${statsId} StatisticsGen.statistics (as statistics) (see #${statsId} above)`);
    const json = JSON.parse((await tsfx('lineage', String(anomalies!.id), '--json')).stdout) as {
      upstream: { artifact: { id: number } };
      graph: { artifacts: { id: number }[]; executions: { id: number; type: string }[] };
    };
    expect(json.upstream.artifact.id).toBe(anomalies!.id);
    expect(json.graph.executions.map((x) => x.type).sort()).toEqual(['ExampleGen', 'ExampleValidator', 'SchemaGen', 'StatisticsGen']);
    expect(new Set(json.graph.artifacts.map((a) => a.id)).size).toBe(json.graph.artifacts.length);
  });
});
