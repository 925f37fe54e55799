/**
 * Drift and skew through Temporal and metadata: a curated schema (ImportSchemaGen, with
 * lineage to the checked-in file) sets drift and skew comparators; span 1 has nothing to drift
 * from, span 2's ExampleValidator finds span 1's statistics in metadata on its own, records
 * them as an input, and flags the shifted feature; train vs. eval skew is measured per run.
 */
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ExampleGen } from '../../components/example-gen/index.js';
import { ExampleValidator } from '../../components/example-validator/index.js';
import { ImportSchemaGen } from '../../components/import-schema-gen/index.js';
import { StatisticsGen } from '../../components/statistics-gen/index.js';
import { definePipeline } from '../../src/dsl/pipeline.js';
import type { PipelineRunResult } from '../../src/orchestration/types.js';
import { startPipelineRun, watchRun } from '../../src/orchestration/client.js';
import { runTsfx } from '../helpers/cli.js';
import { e2eEnv, type Backend, type E2eEnv } from '../helpers/e2e.js';

let env: E2eEnv;
let root: string;

const SCHEMA = `# curated by hand: species drift / skew by L-infinity, mass drift by JS divergence
feature {
  name: "species"
  type: BYTES
  domain: "species"
  presence { min_fraction: 1.0 min_count: 1 }
  skew_comparator { infinity_norm { threshold: 0.3 } }
  drift_comparator { infinity_norm { threshold: 0.2 } }
}
feature {
  name: "mass"
  type: INT
  presence { min_count: 1 }
  drift_comparator { jensen_shannon_divergence { threshold: 0.9 } }
}
string_domain { name: "species" value: "Adelie" value: "Gentoo" value: "Chinstrap" }
`;

/** `n` rows cycling through `species`, masses from `base` up. */
const rows = (species: string[], n: number, base: number) =>
  ['species,mass', ...Array.from({ length: n }, (_, i) => `${species[i % species.length]},${base + (i % 20) * 10}`)].join('\n');

function writeSpan(span: number, train: string[], evalSpecies: string[]) {
  const dir = path.join(root, `span-${span}`);
  fs.mkdirSync(dir, { recursive: true });
  fs.writeFileSync(path.join(dir, 'train.csv'), rows(train, 60, 3000));
  fs.writeFileSync(path.join(dir, 'eval.csv'), rows(evalSpecies, 30, 3000));
}

const pipeline = definePipeline({ name: 'drift' }, (p) => {
  const gen = p.add(ExampleGen({ splits: { train: 'span-{SPAN}/train.csv', eval: 'span-{SPAN}/eval.csv' } }));
  const stats = p.add(StatisticsGen({ examples: gen.outputs.examples }));
  const schema = p.add(ImportSchemaGen({ schemaFile: 'schema.pbtxt' }));
  p.add(
    ExampleValidator({
      statistics: stats.outputs.statistics,
      schema: schema.outputs.schema,
      skew: { trainingSplit: 'train', servingSplit: 'eval' },
    }),
  );
});

const run = async (): Promise<PipelineRunResult> => {
  const result = await watchRun(await startPipelineRun(env.client, env.config, pipeline.compile({ root })), () => {});
  expect(result.status, JSON.stringify(result.nodes)).toBe('COMPLETE');
  return result;
};
const artifactOf = async (r: PipelineRunResult, node: string, output: string) =>
  (await env.store.getArtifact(r.nodes[node]!.outputs![output]!))!;
const inputEvents = async (r: PipelineRunResult, node: string) =>
  (await env.store.eventsOfExecution(r.nodes[node]!.executionId!)).filter((e) => e.type === 'INPUT').map((e) => [e.name, e.artifactId]);

describe.each<Backend>(['sqlite', 'postgres'])('on %s metadata', (backend) => {
  beforeAll(async () => {
    env = await e2eEnv(backend);
    await env.startWorker();
    root = path.join(env.config.home, 'data');
    fs.mkdirSync(root, { recursive: true });
    fs.writeFileSync(path.join(root, 'schema.pbtxt'), SCHEMA);
  });
  afterAll(async () => env?.close());

  describe('drift against the previous span, skew against eval', () => {
    let first: PipelineRunResult;
    let second: PipelineRunResult;

    it('span 1: no previous span to drift from; train vs. eval skew is measured and flagged', async () => {
      // train: Adelie/Gentoo/Chinstrap evenly; eval: Adelie only -> L-inf 2/3 > 0.3
      writeSpan(1, ['Adelie', 'Gentoo', 'Chinstrap'], ['Adelie']);
      first = await run();
      const stats = await artifactOf(first, 'StatisticsGen', 'statistics');
      expect(stats.properties.span).toBe(1);
      const anomalies = await artifactOf(first, 'ExampleValidator', 'anomalies');
      expect(anomalies.properties.comparedWith).toEqual({ serving: { artifactId: stats.id, split: 'eval', trainingSplit: 'train' } });
      expect(anomalies.properties.anomalies).toEqual({ train: ['species:COMPARATOR_L_INFTY_HIGH'], eval: [] });
      expect((await inputEvents(first, 'ExampleValidator')).map(([name]) => name).sort()).toEqual(['schema', 'statistics']);
    });

    it('span 2: the previous span is found in metadata, recorded as an input, and the shift is flagged', async () => {
      // span 2 train: Gentoo for 5 of 6 rows (was 1/3) -> drift 0.5 on species; eval as train: no skew
      writeSpan(2, ['Gentoo', 'Gentoo', 'Gentoo', 'Gentoo', 'Gentoo', 'Adelie'], ['Gentoo', 'Gentoo', 'Gentoo', 'Gentoo', 'Gentoo', 'Adelie']);
      second = await run();
      const previous = await artifactOf(first, 'StatisticsGen', 'statistics');
      const anomalies = await artifactOf(second, 'ExampleValidator', 'anomalies');
      expect(anomalies.properties.comparedWith).toMatchObject({ previous: { artifactId: previous.id, span: 1 } });
      expect(anomalies.properties.anomalies).toEqual({
        train: ['species:COMPARATOR_L_INFTY_HIGH'],
        // eval drifted from span 1's eval (all Adelie) too
        eval: ['species:COMPARATOR_L_INFTY_HIGH'],
      });
      expect(await inputEvents(second, 'ExampleValidator')).toContainEqual(['previousStatistics', previous.id]);
      const up = await env.store.lineage(anomalies.id, 'upstream', 1);
      expect(up.executions[0]!.artifacts.map((a) => [a.role, a.artifact.id])).toContainEqual(['previousStatistics', previous.id]);

      const view = JSON.parse(fs.readFileSync(path.join(anomalies.uri, 'Split-train', 'SchemaDiff.json'), 'utf8'));
      expect(view.anomalyInfo.species.reason[0].description).toMatch(/^The Linfty distance between current and previous is 0\.5 /);
      const measured = Object.fromEntries(view.driftSkewInfo.map((d: { path: { step: string[] } }) => [d.path.step[0], d]));
      expect(measured.species.driftMeasurements[0]).toMatchObject({ type: 'L_INFTY', threshold: 0.2 });
      expect(measured.species.driftMeasurements[0].value).toBeCloseTo(0.5, 6);
      expect(measured.species.skewMeasurements[0].value).toBeCloseTo(0, 6);
      expect(measured.mass.driftMeasurements[0]).toMatchObject({ type: 'JENSEN_SHANNON_DIVERGENCE', threshold: 0.9 });
    });

    it('the unchanged span 2 again is a cache hit: the same previous statistics, the same key', async () => {
      const third = await run();
      expect(third.nodes.ExampleValidator!.status).toBe('CACHED');
      expect(third.nodes.ImportSchemaGen!.status).toBe('CACHED');
    });

    it('the schema has lineage to the checked-in file and its digest; an edit is a new artifact', async () => {
      const schema = await artifactOf(second, 'ImportSchemaGen', 'schema');
      const file = path.join(root, 'schema.pbtxt');
      expect(schema.properties).toMatchObject({ features: 2, source: file });
      expect(fs.readFileSync(path.join(schema.uri, 'schema.pbtxt'), 'utf8')).toBe(SCHEMA);
      const up = await env.store.lineage(schema.id, 'upstream', 2);
      const sources = up.executions.flatMap((e) => e.artifacts.map((a) => a.artifact));
      expect(sources).toHaveLength(1);
      expect(sources[0]).toMatchObject({ type: 'ExternalArtifact', uri: file, properties: { source: file, sha256: schema.properties.sha256 } });
      // the first run imported the same bytes: the same artifact, not a copy per run
      expect((await artifactOf(first, 'ImportSchemaGen', 'schema')).id).toBe(schema.id);

      fs.writeFileSync(file, SCHEMA.replace('threshold: 0.2', 'threshold: 0.9'));
      const edited = await run();
      expect(edited.nodes.ImportSchemaGen!.status).toBe('COMPLETE');
      const next = await artifactOf(edited, 'ImportSchemaGen', 'schema');
      expect(next.properties.sha256).not.toBe(schema.properties.sha256);
      // train's 0.5 and eval's 0.83 are both under the new drift threshold
      expect((await artifactOf(edited, 'ExampleValidator', 'anomalies')).properties.anomalies).toEqual({ train: [], eval: [] });
    });

    it('tsfx show renders the anomalies and the measurements', async () => {
      const anomalies = await artifactOf(second, 'ExampleValidator', 'anomalies');
      const r = await runTsfx(env.env, 'show', String(anomalies.id), '--split', 'train');
      expect(r.code, r.stderr).toBe(0);
      expect(r.stdout).toContain(`drift: against statistics #${(await artifactOf(first, 'StatisticsGen', 'statistics')).id} (span 1)`);
      expect(r.stdout).toMatch(/split train: 1 anomaly\n/);
      expect(r.stdout).toMatch(/species\s+COMPARATOR_L_INFTY_HIGH\s+The Linfty distance between current and previous is 0\.5/);
      expect(r.stdout).toMatch(/species\s+drift\s+L_INFTY\s+0\.5\s+0\.2\s+HIGH/);
      expect(r.stdout).toMatch(/mass\s+drift\s+JENSEN_SHANNON_DIVERGENCE\s+[\d.e-]+\s+0\.9\s+ok/);
      const json = JSON.parse((await runTsfx(env.env, 'show', String(anomalies.id), '--json')).stdout);
      expect(Object.keys(json)).toEqual(['train', 'eval']);
      expect(json.train.anomalyInfo.species.reason[0].type).toBe('COMPARATOR_L_INFTY_HIGH');
    });
  });
});
