/**
 * InfraValidator on a really trained penguin Model: blessed when it loads and answers raw eval
 * rows through the real REST server in the sandbox; not blessed (with the reason) when the
 * weights are corrupt or truncated, the load-time limit is missed, or the memory cap is too
 * small. The sandbox's process is gone after every run, including an aborted one.
 */
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { InfraValidatorParams } from '../../../components/infra-validator/index.js';
import { infraValidatorExecutor } from '../../../components/infra-validator/executor.js';
import { startSandbox } from '../../../components/infra-validator/sandbox.js';
import type { InputArtifact } from '../../../src/dsl/component.js';
import { makeCtx, removeTempDirs, tempDir } from '../example-gen/helpers.js';
import { PENGUIN_TRAINER } from '../../helpers/penguin-model.js';
import { runTrainer, transformedPenguins } from '../trainer/helpers.js';

let model: InputArtifact<'Model'>;
let examples: InputArtifact<'Examples'>;

beforeAll(async () => {
  const data = await transformedPenguins();
  const trained = await runTrainer(data, PENGUIN_TRAINER);
  model = { id: 21, type: 'Model', uri: trained.model, path: trained.model, properties: trained.result.model as never };
  examples = data.raw;
}, 300_000);

afterAll(() => removeTempDirs());

const alive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

/** Every pid a node process under this one has: the sandbox children started meanwhile. */
function childPids(): number[] {
  const out: number[] = [];
  for (const d of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(d)) continue;
    try {
      const stat = fs.readFileSync(`/proc/${d}/stat`, 'utf8');
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      if (ppid === process.pid) out.push(Number(d));
    } catch {
      // gone meanwhile
    }
  }
  return out;
}

async function run(
  params: Record<string, unknown>,
  opts: { model?: InputArtifact<'Model'>; examples?: InputArtifact<'Examples'> | null; signal?: AbortSignal } = {},
) {
  const out = tempDir('infra');
  const { ctx, logs } = makeCtx(out, opts.signal);
  const inputs = {
    model: [opts.model ?? model],
    ...(opts.examples === null ? {} : { examples: [opts.examples ?? examples] }),
  };
  const result = await infraValidatorExecutor({
    inputs,
    outputs: { blessing: { type: 'InfraBlessing', uri: out, path: out } },
    params: InfraValidatorParams.parse({ numTries: 1, ...params }),
    resolved: undefined,
    ctx,
  });
  if (result.blessing.blessed === false)
    console.log(`not blessed: ${String((result.blessing as { reason?: string }).reason)}`);
  const read = (f: string) => JSON.parse(fs.readFileSync(path.join(out, f), 'utf8')) as unknown;
  return {
    props: result.blessing as Record<string, unknown>,
    out,
    logs,
    report: read('report.json') as {
      tries: { loadMs?: number; requests: { status: number; latencyMs: number; error?: string }[] }[];
    },
    warmup: read('warmup_requests.json') as { instances: Record<string, unknown>[] }[],
  };
}

/** A copy of the trained Model folder, its weights changed by `damage`. */
function damagedModel(damage: (weights: string) => void): InputArtifact<'Model'> {
  const dir = tempDir('bad-model');
  fs.cpSync(model.path, dir, { recursive: true });
  damage(path.join(dir, 'weights.bin'));
  return { ...model, id: 22, uri: dir, path: dir };
}

describe('InfraValidator', () => {
  it('blesses the trained penguin Model: every raw-feature request answers 200 with one prediction per row', async () => {
    const before = childPids();
    const { props, out, report, warmup } = await run({ numRequests: 4, rowsPerRequest: 3 });
    expect(props, JSON.stringify(props)).toMatchObject({
      blessed: true,
      model: 21,
      mode: 'LOAD_AND_QUERY',
      tries: 1,
      requests: 4,
    });
    expect(props.reason).toBeUndefined();
    expect(fs.existsSync(path.join(out, 'INFRA_BLESSED'))).toBe(true);
    expect(fs.existsSync(path.join(out, 'INFRA_NOT_BLESSED'))).toBe(false);
    const reqs = report.tries[0]!.requests;
    console.log(
      `sandbox spawn to AVAILABLE: ${Math.round(report.tries[0]!.loadMs ?? NaN)} ms; request latencies ${reqs.map((r) => r.latencyMs.toFixed(1)).join(', ')} ms`,
    );
    expect(reqs.map((r) => r.status)).toEqual([200, 200, 200, 200]);
    for (const r of reqs) expect(r.latencyMs).toBeGreaterThan(0);
    // the warm-up file holds the requests sent: raw measurements, not the label
    expect(warmup).toHaveLength(4);
    expect(warmup[0]!.instances).toHaveLength(3);
    const row = warmup[0]!.instances[0]!;
    expect(Object.keys(row)).toContain('Island');
    expect(Object.keys(row)).not.toContain('Species');
    expect(childPids().filter((p) => !before.includes(p))).toEqual([]);
  }, 120_000);

  it('LOAD_ONLY without examples: blessed when the model loads, no requests', async () => {
    const { props, warmup } = await run({}, { examples: null });
    expect(props).toMatchObject({ blessed: true, mode: 'LOAD_ONLY', requests: 0 });
    expect(warmup).toEqual([]);
  }, 120_000);

  it('does not bless a model whose weights are corrupt (truncated), with the load error', async () => {
    const truncated = damagedModel((w) => fs.truncateSync(w, Math.floor(fs.statSync(w).size / 2)));
    const { props, out } = await run({}, { model: truncated });
    expect(props.blessed).toBe(false);
    expect(String(props.reason)).toMatch(/failed to load/);
    expect(String(props.reason)).toMatch(/weights\.bin|bytes/);
    expect(fs.existsSync(path.join(out, 'INFRA_NOT_BLESSED'))).toBe(true);
  }, 120_000);

  it('does not bless a model whose weights are NaN garbage of the right size: it loads, but answers NaN', async () => {
    const garbage = damagedModel((w) => fs.writeFileSync(w, Buffer.alloc(fs.statSync(w).size, 0xff)));
    const { props, report } = await run({ numRequests: 2 }, { model: garbage });
    expect(props.blessed, JSON.stringify(report)).toBe(false);
    expect(String(props.reason)).toMatch(/^request 0 \(1 rows\) answered 200: the prediction for row 0 holds NaN/);
  }, 120_000);

  it('does not bless a model that does not load within the load-time limit', async () => {
    const { props } = await run({ maxLoadingTimeMs: 5 });
    expect(props.blessed).toBe(false);
    expect(props.reason).toBe('did not load within 5 ms (maxLoadingTimeMs)');
  }, 60_000);

  it('does not bless under a memory cap too small for the server, saying so', async () => {
    const { props } = await run({ memoryLimitMb: 128 });
    expect(props.blessed).toBe(false);
    expect(String(props.reason)).toMatch(/the model server (exited|was killed)/);
    expect(String(props.reason)).toMatch(/128 MB cap|memoryLimitMb/);
  }, 60_000);

  it('retries with a fresh process up to numTries, recording each try', async () => {
    const { props, report } = await run({ numTries: 2, maxLoadingTimeMs: 5 });
    expect(props).toMatchObject({ blessed: false, tries: 2 });
    expect(report.tries).toHaveLength(2);
  }, 60_000);

  it('an unknown split fails the node naming it', async () => {
    await expect(run({ split: 'nope' })).rejects.toThrow(/no split 'nope'/);
  });

  it('abort kills the sandbox: its pid is gone and the executor rejects', async () => {
    const ac = new AbortController();
    const before = childPids();
    const pending = run({ maxLoadingTimeMs: 60_000 }, { signal: ac.signal });
    // wait until the sandbox process exists, then cancel
    let pid: number | undefined;
    for (let i = 0; i < 200 && pid === undefined; i++) {
      await new Promise((r) => setTimeout(r, 10));
      pid = childPids().find((p) => !before.includes(p));
    }
    expect(pid).toBeDefined();
    ac.abort(new Error('canceled by the test'));
    await expect(pending).rejects.toThrow(/canceled by the test/);
    expect(alive(pid!)).toBe(false);
  }, 60_000);

  it('a started sandbox is killed by stop(): the pid is gone', async () => {
    const base = tempDir('sandbox-base');
    const sb = await startSandbox({
      modelDir: model.path,
      base,
      name: 'm',
      memoryLimitMb: 2048,
      maxLoadingTimeMs: 60_000,
    });
    expect(alive(sb.pid)).toBe(true);
    const status = await fetch(`${sb.url}/v1/models/m`).then((r) => r.json());
    expect(status).toMatchObject({ model_version_status: [{ version: '1', state: 'AVAILABLE' }] });
    await sb.stop();
    expect(alive(sb.pid)).toBe(false);
  }, 60_000);

  it('a sandbox whose parent is killed (SIGKILL, no cleanup) exits by itself', async () => {
    const script = path.join(path.dirname(new URL(import.meta.url).pathname), 'orphan-parent.ts');
    const parent = spawn(process.execPath, ['--import', 'tsx', script, model.path], {
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    const line = await new Promise<string>((resolve, reject) => {
      let buf = '';
      parent.stdout.on('data', (d: Buffer) => {
        buf += d.toString();
        if (buf.includes('\n')) resolve(buf.split('\n')[0]!);
      });
      parent.once('exit', (code) => reject(new Error(`orphan-parent exited with ${code} before starting the sandbox`)));
    });
    const { pid, url } = JSON.parse(line) as { pid: number; url: string };
    expect((await fetch(`${url}/v1/models/m`)).status).toBe(200);
    parent.kill('SIGKILL');
    let gone = false;
    for (let i = 0; i < 100 && !gone; i++) {
      await new Promise((r) => setTimeout(r, 50));
      // a zombie until init reaps it counts as gone: it runs nothing
      gone = !alive(pid) || fs.readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.startsWith('Z');
    }
    expect(gone).toBe(true);
  }, 60_000);
});
