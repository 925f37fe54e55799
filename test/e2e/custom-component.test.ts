/**
 * Users' own components and tsfx used from another project: a component defined in the user's
 * module (spec + executor, registered by importing the module) runs in `tsfx run` without any
 * edit to tsfx, on `tsfx worker --components <module>` too; and a pipeline in another folder
 * imports tsfx by its package name and runs with `npx tsfx run`, as an ES module package and
 * as a CommonJS one.
 */
import { spawn, execFile } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runTsfx } from '../helpers/cli.js';
import { e2eEnv, type E2eEnv } from '../helpers/e2e.js';

let env: E2eEnv;
beforeAll(async () => {
  env = await e2eEnv('sqlite');
});
afterAll(async () => env?.close());

describe('a custom component', () => {
  it('runs in tsfx run: the pipeline file imports the module that registers it', async () => {
    const r = await runTsfx(env.env, 'run', 'pipelines/penguin-custom.ts', '--json');
    expect(r.code, r.stderr).toBe(0);
    const result = JSON.parse(r.stdout) as { status: string; nodes: Record<string, { status: string; outputs: Record<string, number> }> };
    expect(result.nodes.MissingValues!.status).toBe('COMPLETE');
    const report = (await env.store.getArtifact(result.nodes.MissingValues!.outputs.report!))!;
    const missing = JSON.parse(fs.readFileSync(path.join(report.uri, 'missing.json'), 'utf8')) as Record<string, Record<string, number>>;
    // penguins.json has a few records without measurements and more without a sex
    expect(Object.keys(missing).sort()).toEqual(['eval', 'train']);
    expect((missing.train!.Sex ?? 0) + (missing.eval!.Sex ?? 0)).toBeGreaterThan(5);
    expect(report.properties.missing).toEqual(missing);
  });

  it('runs on a tsfx worker told which module to load; a module that does not load is named', async () => {
    const own = { ...env.env, TSFX_QUEUE_PREFIX: `${env.env.TSFX_QUEUE_PREFIX}cc-` };
    const worker = spawn(process.execPath, ['bin/tsfx.js', 'worker', '--components', 'pipelines/components/missing-values.ts'], {
      env: own,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    try {
      await new Promise<void>((resolve, reject) => {
        worker.stdout!.on('data', (d: Buffer) => d.toString().includes('worker polling') && resolve());
        worker.once('exit', (code) => reject(new Error(`worker exited with ${code}`)));
      });
      const r = await runTsfx(own, 'run', 'pipelines/penguin-custom.ts', '--no-worker', '--workers', '0', '--no-cache', '--json');
      expect(r.code, r.stderr).toBe(0);
      expect((JSON.parse(r.stdout) as { status: string }).status).toBe('COMPLETE');
    } finally {
      worker.kill('SIGTERM');
    }
    const bad = await runTsfx(env.env, 'worker', '--components', 'pipelines/components/nope.ts');
    expect(bad.code).not.toBe(0);
    expect(bad.stderr).toContain('cannot load component module pipelines/components/nope.ts');
  });
});

describe('tsfx from another project', () => {
  const exec = promisify(execFile);
  const project = (type: 'module' | 'commonjs') => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), `tsfx-user-${type}-`));
    fs.writeFileSync(path.join(dir, 'package.json'), JSON.stringify({ name: 'user-project', private: true, type }));
    fs.mkdirSync(path.join(dir, 'node_modules', '.bin'), { recursive: true });
    // what `npm install <path to tsfx>` lays out: the package linked, its bin on PATH for npx
    fs.symlinkSync(path.resolve('.'), path.join(dir, 'node_modules', 'tsfx'));
    fs.symlinkSync(path.resolve('bin/tsfx.js'), path.join(dir, 'node_modules', '.bin', 'tsfx'));
    fs.copyFileSync('node_modules/vega-datasets/data/penguins.json', path.join(dir, 'penguins.json'));
    fs.writeFileSync(
      path.join(dir, 'pipeline.ts'),
      [
        "import { definePipeline, ExampleGen, StatisticsGen, SchemaGen } from 'tsfx';",
        '',
        "export default definePipeline({ name: 'elsewhere' }, (p) => {",
        "  const gen = p.add(ExampleGen({ input: 'penguins.json' }));",
        '  const stats = p.add(StatisticsGen({ examples: gen.outputs.examples }));',
        '  p.add(SchemaGen({ statistics: stats.outputs.statistics }));',
        '});',
        '',
      ].join('\n'),
    );
    return dir;
  };

  it.each(['module', 'commonjs'] as const)('npx tsfx run works in a %s package that imports tsfx by name', async (type) => {
    const dir = project(type);
    const { stdout } = await exec('npx', ['--no-install', 'tsfx', 'run', 'pipeline.ts', '--json'], {
      cwd: dir,
      env: { ...env.env, TSFX_HOME: path.join(dir, '.tsfx') },
      maxBuffer: 16 << 20,
    });
    const result = JSON.parse(stdout) as { status: string; nodes: Record<string, { status: string }> };
    expect(result.status).toBe('COMPLETE');
    expect(Object.values(result.nodes).map((n) => n.status)).toEqual(['COMPLETE', 'COMPLETE', 'COMPLETE']);
  });
});
