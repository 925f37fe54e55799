/**
 * Version writing under stress: concurrent pushers (in one process and in several) never share
 * a version, and a pusher killed with SIGKILL in the middle of its copy leaves nothing the model
 * server would load; the next push sweeps its staging folder away.
 */
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { ensureBackend } from '../../src/ml/backend.js';
import { ModelRepository } from '../../src/serving/model-repository.js';
import { writeVersion } from '../../src/serving/push-version.js';
import { listVersions, readProvenance, type Provenance } from '../../src/serving/version-folder.js';
import { modelFolder, tmp } from '../components/pusher/helpers.js';

let modelDir: string;
const provenance = (execution: number): Provenance => ({
  pipeline: 'p', runId: 'r', nodeId: 'Pusher', execution, model: 1, modelBlessing: 2, modelEvaluation: null,
  infraBlessing: null, source: modelDir, pushedAt: new Date().toISOString(), pushedBy: 'test', forced: false, reason: null,
});

function pushProcess(base: string, model: string, dir: string, execution: number) {
  const child = spawn(process.execPath, ['--import', 'tsx', 'test/fixtures/push-process.ts', base, model, dir, String(execution)], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  child.stdout.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr.on('data', (d: Buffer) => (out += d.toString()));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null; out: string }>((resolve) =>
    child.on('exit', (code, signal) => resolve({ code, signal, out })),
  );
  return { child, exited };
}

beforeAll(async () => {
  await ensureBackend();
  modelDir = await modelFolder(tmp('model'));
});

describe('writeVersion', () => {
  it('gives concurrent pushes in one process distinct versions', async () => {
    const base = tmp('base');
    const written = await Promise.all(Array.from({ length: 8 }, (_, i) => writeVersion({ base, servingModel: 'm', modelDir, provenance: provenance(100 + i) })));
    expect(written.map((w) => w.version).sort((a, b) => a - b)).toEqual([1, 2, 3, 4, 5, 6, 7, 8]);
    for (const w of written) expect(readProvenance(w.destination)?.execution).toBeGreaterThanOrEqual(100);
    expect(new Set(written.map((w) => readProvenance(w.destination)!.execution)).size).toBe(8);
    expect(listVersions(base, 'm').every((v) => v.valid)).toBe(true);
    expect(fs.readdirSync(path.join(base, 'm')).filter((n) => n.startsWith('.push-'))).toEqual([]);
  });

  it('two attempts of one execution racing end with one version between them', async () => {
    const base = tmp('base');
    const [a, b] = await Promise.all([1, 2].map(() => writeVersion({ base, servingModel: 'm', modelDir, provenance: provenance(55) })));
    expect(a!.version).toBe(b!.version);
    expect(listVersions(base, 'm').map((v) => v.version)).toEqual([a!.version]);
    expect([a!.reused, b!.reused].sort()).toEqual([false, true]);
    expect(fs.readdirSync(path.join(base, 'm')).filter((n) => n.startsWith('.push-'))).toEqual([]);
  });

  it('refuses a Model folder the server could not load, writing nothing', async () => {
    const base = tmp('base');
    const broken = tmp('broken');
    fs.cpSync(modelDir, broken, { recursive: true });
    fs.rmSync(path.join(broken, 'weights.bin'));
    await expect(writeVersion({ base, servingModel: 'm', modelDir: broken, provenance: provenance(60) })).rejects.toThrow(
      `${broken}: not a servable model: weights file weights.bin is missing`,
    );
    await expect(writeVersion({ base, servingModel: '../up', modelDir, provenance: provenance(61) })).rejects.toThrow("servingModel '../up'");
    expect(fs.readdirSync(base)).toEqual([]);
  });

  it('gives pushes from concurrent processes distinct versions', async () => {
    const base = tmp('base');
    const runs = await Promise.all([1, 2, 3, 4].map((e) => pushProcess(base, 'm', modelDir, e).exited));
    for (const r of runs) expect(r.code, r.out).toBe(0);
    const versions = runs.map((r) => Number(/version (\d+)/.exec(r.out)![1])).sort();
    expect(versions).toEqual([1, 2, 3, 4]);
    expect(listVersions(base, 'm').map((v) => v.provenance!.execution).sort()).toEqual([1, 2, 3, 4]);
  }, 60_000);

  it('leaves nothing a server would load when the pusher is killed mid-copy, and the next push sweeps it', async () => {
    const base = tmp('base');
    // thousands of small files, each fsync'd: the copy takes long enough to be caught in the middle
    const slow = await modelFolder(tmp('slow-model'), 2, 1, 3000);
    const { child, exited } = pushProcess(base, 'm', slow, 1);
    const modelRoot = path.join(base, 'm');
    const staged = () => fs.readdirSync(modelRoot).filter((n) => n.startsWith('.push-'));
    const copied = () => {
      const [s] = staged();
      return s ? fs.readdirSync(path.join(modelRoot, s, 'transform')).length : 0;
    };
    const t0 = Date.now();
    while (!(fs.existsSync(modelRoot) && staged().length && fs.existsSync(path.join(modelRoot, staged()[0]!, 'transform')) && copied() > 50)) {
      if (Date.now() - t0 > 30_000) throw new Error('the child never started copying');
      await new Promise((r) => setTimeout(r, 20));
    }
    child.kill('SIGKILL');
    const { signal, out } = await exited;
    expect(signal, out).toBe('SIGKILL');
    expect(copied(), 'the copy finished before the kill: make the model bigger').toBeLessThan(3000);
    expect(staged()).toHaveLength(1);
    expect(listVersions(base, 'm')).toEqual([]);

    const repo = new ModelRepository(base, { pollMs: 50 });
    await repo.refresh();
    expect(repo.modelNames()).toEqual([]);

    const next = await writeVersion({ base, servingModel: 'm', modelDir, provenance: provenance(2) });
    expect(next.version).toBe(1);
    expect(staged()).toEqual([]);
    await repo.refresh();
    expect(repo.status('m').map((v) => [v.version, v.state])).toEqual([[1, 'AVAILABLE']]);
    await repo.stop();
  }, 90_000);
});
