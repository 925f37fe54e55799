/**
 * The `tsfx` command as a user runs it: the example pipeline end to end on a real dev server,
 * then the inspection commands on what it recorded, then a cached rerun and bad input.
 */
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { e2eEnv, type E2eEnv } from '../helpers/e2e.js';

const exec = promisify(execFile);
let env: E2eEnv;

async function tsfx(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await exec(process.execPath, ['bin/tsfx.js', ...args], {
      env: env.env,
      maxBuffer: 64 << 20,
    });
    return { code: 0, stdout, stderr };
  } catch (err) {
    const e = err as { code: number; stdout: string; stderr: string };
    return { code: e.code, stdout: e.stdout, stderr: e.stderr };
  }
}

beforeAll(async () => {
  env = await e2eEnv('sqlite');
});
afterAll(async () => env?.close());

describe('tsfx run pipelines/penguin.ts', () => {
  let examplesId: number;

  it('runs the example pipeline and says where everything is', async () => {
    const r = await tsfx('run', 'pipelines/penguin.ts');
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/pipeline penguin {2}run \d{8}-\d{6}-[0-9a-f]{4}/);
    expect(r.stdout).toContain('workflow  penguin/');
    expect(r.stdout).toContain(path.join(env.config.artifactRoot, 'penguin'));
    expect(r.stdout).toMatch(/ExampleGen {2}COMPLETE/);
  });

  it('lists the Examples artifact with its splits and rows', async () => {
    const list = JSON.parse(
      (await tsfx('artifacts', '--type', 'Examples', '--pipeline', 'penguin', '--json')).stdout,
    ) as { id: number }[];
    expect(list).toHaveLength(1);
    examplesId = list[0]!.id;
    const shown = await tsfx('artifact', String(examplesId), '--json');
    const a = JSON.parse(shown.stdout) as {
      properties: { rowCounts: Record<string, number> };
      preview: Record<string, { rows: number; first: Record<string, unknown>[] }>;
    };
    const penguins = JSON.parse(fs.readFileSync('node_modules/vega-datasets/data/penguins.json', 'utf8')) as unknown[];
    expect(a.properties.rowCounts.train! + a.properties.rowCounts.eval!).toBe(penguins.length);
    expect(a.preview.train!.first[0]).toHaveProperty('Species');
    const text = await tsfx('artifact', String(examplesId));
    expect(text.stdout).toMatch(/split train: \d+ rows/);
  });

  it('shows lineage and runs', async () => {
    const lineage = await tsfx('lineage', String(examplesId));
    expect(lineage.code).toBe(0);
    expect(lineage.stdout).toMatch(/<- execution #\d+ ExampleGen penguin\//);
    const runs = JSON.parse((await tsfx('runs', '--json')).stdout) as { pipeline: string; status: string }[];
    expect(runs).toEqual([expect.objectContaining({ pipeline: 'penguin', status: 'COMPLETE' })]);
  });

  it('reuses the cached Examples on a second run', async () => {
    const r = await tsfx('run', 'pipelines/penguin.ts', '--json');
    expect(r.code).toBe(0);
    const result = JSON.parse(r.stdout) as {
      nodes: Record<string, { status: string; outputs: Record<string, number> }>;
    };
    expect(result.nodes.ExampleGen!.status).toBe('CACHED');
    expect(result.nodes.ExampleGen!.outputs.examples).toBe(examplesId);
  });

  it('rejects a bad param naming the node and field, before anything runs', async () => {
    const r = await tsfx('run', 'pipelines/penguin.ts', '--param', 'ExampleGen.split={"train":"two"}');
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/DefinitionError: nodes\.ExampleGen\.params\.split\.train/);
  });

  it('names a pattern that matches no file', async () => {
    const r = await tsfx('run', 'pipelines/penguin.ts', '--param', 'ExampleGen.input=no/such/*.csv');
    expect(r.code).toBe(1);
    expect(r.stdout + r.stderr).toContain('no/such/*.csv');
  });
});
