/**
 * The penguin loop end to end, tsfx against TFX's LocalDagRunner on the same data, preprocessing
 * and model size. tsfx: `node bin/tsfx.js run pipelines/penguin.ts --no-cache` as a user runs it,
 * cold (a fresh TSFX_HOME and no dev server: Temporal starts, the metadata store is created) and
 * then warm (the same home again, its dev server up, its metadata holding the first run).
 * TFX: bench/penguin_tfx.py (TFX 1.16 in the venv `tfx`, see TFX_REQUIREMENTS) in a fresh folder,
 * as one Python process. Each side runs --runs times (default 2); the table shows medians, per
 * component and in total (process wall time), and the ratio TFX / tsfx. Prints, asserts nothing.
 *
 *   node --import tsx bench/penguin-vs-tfx.ts [--runs 2] [--no-tfx] [--no-tsfx] [--accuracy 0.6]
 */
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs, promisify } from 'node:util';
import { table } from '../src/cli/format.js';
import { freePortPair, median, pickTfxPython, sameComponent } from './lib/penguin-bench.js';
import { TFX_REQUIREMENTS } from '../test/helpers/python-pins.js';

const run = promisify(execFile);
const repo = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const { values } = parseArgs({
  options: {
    runs: { type: 'string', default: '2' },
    'no-tfx': { type: 'boolean', default: false },
    'no-tsfx': { type: 'boolean', default: false },
    accuracy: { type: 'string', default: '0.6' },
  },
});
const RUNS = Number(values.runs);
const PENGUINS = path.join(repo, 'node_modules/vega-datasets/data/penguins.json');
const say = (s: string) => process.stderr.write(`[bench] ${s}\n`);

interface SideRun {
  wallS: number;
  /** seconds per node id, in the order the nodes started */
  nodes: Map<string, number>;
  /** node ids that ran but did not complete (skipped, failed) */
  notRun: string[];
}

/** a node of `tsfx run --json`'s result; times are ISO strings there */
interface TsfxNode {
  status: string;
  startedAt?: string;
  finishedAt?: string;
}

async function tsfxRun(env: NodeJS.ProcessEnv): Promise<SideRun> {
  const t0 = performance.now();
  const out = await run(process.execPath, [path.join(repo, 'bin/tsfx.js'), 'run', 'pipelines/penguin.ts', '--no-cache', '--json'], {
    cwd: repo,
    env,
    maxBuffer: 64 << 20,
  }).catch((e: { stderr?: string; message: string }) => {
    throw new Error(`tsfx run failed: ${e.message}\n${e.stderr?.slice(-3000) ?? ''}`);
  });
  const wallS = (performance.now() - t0) / 1000;
  const result = JSON.parse(out.stdout) as { status: string; nodes: Record<string, TsfxNode> };
  if (result.status !== 'COMPLETE') throw new Error(`tsfx run ended ${result.status}: ${out.stderr.slice(-3000)}`);
  const ran = Object.entries(result.nodes).filter(([, n]) => n.startedAt !== undefined && n.finishedAt !== undefined);
  const at = (t: string | undefined) => Date.parse(t!);
  ran.sort((a, b) => at(a[1].startedAt) - at(b[1].startedAt));
  const nodes = new Map(ran.map(([id, n]) => [id, (at(n.finishedAt) - at(n.startedAt)) / 1000]));
  const notRun = Object.entries(result.nodes)
    .filter(([, n]) => n.status !== 'COMPLETE')
    .map(([id, n]) => `${id} (${n.status.toLowerCase()})`);
  return { wallS, nodes, notRun };
}

/** A fresh home with its own dev-server port: cold run, warm run, then the server is stopped. */
async function tsfxPair(): Promise<{ cold: SideRun; warm: SideRun }> {
  const home = fs.mkdtempSync(path.join(os.tmpdir(), 'tsfx-bench-penguin-'));
  const port = await freePortPair();
  const env = { ...process.env, TSFX_HOME: home, TSFX_DEV_SERVER_PORT: String(port) };
  try {
    const cold = await tsfxRun(env);
    const warm = await tsfxRun(env);
    return { cold, warm };
  } finally {
    await run(process.execPath, [path.join(repo, 'bin/tsfx.js'), 'server', 'stop'], { cwd: repo, env }).catch((e: Error) => say(`server stop: ${e.message}`));
    fs.rmSync(home, { recursive: true, force: true });
  }
}

interface TfxResult {
  tfx: string;
  import_s: number;
  run_s: number;
  nodes: { node: string; seconds: number; state: string }[];
  pushed: string[];
}

async function tfxRun(python: string): Promise<SideRun & { json: TfxResult }> {
  const work = fs.mkdtempSync(path.join(os.tmpdir(), 'tfx-bench-penguin-'));
  try {
    const t0 = performance.now();
    const out = await run(python, [path.join(repo, 'bench/penguin_tfx.py'), PENGUINS, work, '--accuracy', String(values.accuracy)], {
      maxBuffer: 256 << 20,
      env: { ...process.env, CUDA_VISIBLE_DEVICES: '', TF_CPP_MIN_LOG_LEVEL: '2' },
    }).catch((e: { stderr?: string; message: string }) => {
      throw new Error(`penguin_tfx.py failed: ${e.message}\n${e.stderr?.slice(-5000) ?? ''}`);
    });
    const wallS = (performance.now() - t0) / 1000;
    const json = JSON.parse(out.stdout.trim().split('\n').pop()!) as TfxResult;
    const nodes = new Map(json.nodes.filter((n) => n.state === 'COMPLETE' || n.state === 'CACHED').map((n) => [n.node, n.seconds]));
    const notRun = json.nodes.filter((n) => n.state !== 'COMPLETE').map((n) => `${n.node} (${n.state.toLowerCase()})`);
    if (!json.pushed.length) notRun.push('Pusher pushed nothing');
    return { wallS, nodes, notRun, json };
  } finally {
    fs.rmSync(work, { recursive: true, force: true });
  }
}

const fmt = (n: number | undefined) => (n === undefined ? '-' : n.toFixed(2));
const ratio = (a: number | undefined, b: number | undefined) => (a === undefined || b === undefined || b === 0 ? '-' : `${(a / b).toFixed(1)}x`);

const colds: SideRun[] = [];
const warms: SideRun[] = [];
const tfxs: (SideRun & { json: TfxResult })[] = [];
if (!values['no-tsfx']) {
  for (let i = 0; i < RUNS; i++) {
    say(`tsfx run ${i + 1}/${RUNS}: cold home, then warm`);
    const { cold, warm } = await tsfxPair();
    colds.push(cold);
    warms.push(warm);
    say(`  cold ${cold.wallS.toFixed(1)} s, warm ${warm.wallS.toFixed(1)} s`);
  }
}
// without a Python TFX 1.16 supports, the tsfx figures still print (scripts/bench.sh runs every bench)
const base = values['no-tfx'] ? undefined : await pickTfxPython().catch((e: Error) => {
  say(`TFX side skipped: ${e.message}`);
  return undefined;
});
if (base) {
  say('building/reusing the tfx venv (scripts/python-venv.sh tfx ...)');
  const venv = await run('bash', [path.join(repo, 'scripts/python-venv.sh'), 'tfx', ...TFX_REQUIREMENTS], {
    cwd: repo,
    maxBuffer: 64 << 20,
    env: { ...process.env, TSFX_PYTHON: base },
  });
  const python = venv.stdout.trim().split('\n').pop()!;
  for (let i = 0; i < RUNS; i++) {
    say(`TFX run ${i + 1}/${RUNS}`);
    const r = await tfxRun(python);
    tfxs.push(r);
    say(`  ${r.wallS.toFixed(1)} s (imports ${r.json.import_s.toFixed(1)} s, LocalDagRunner.run ${r.json.run_s.toFixed(1)} s)`);
  }
}

// one row per component: tsfx's node ids, with TFX's matching node beside them
const med = (runs: SideRun[], id: string) => {
  const xs = runs.map((r) => r.nodes.get(id)).filter((x): x is number => x !== undefined);
  return xs.length ? median(xs) : undefined;
};
const tsfxIds = [...new Set(colds.flatMap((r) => [...r.nodes.keys()]))];
const tfxIds = [...new Set(tfxs.flatMap((r) => [...r.nodes.keys()]))];
const rows: string[][] = [];
const tfxLeft = new Set(tfxIds);
// the components both sides ran, summed per run: the like-for-like figure while one side has more
const both: [string, string][] = [];
for (const id of tsfxIds) {
  const match = tfxIds.find((t) => tfxLeft.has(t) && sameComponent(id, t));
  if (match) {
    tfxLeft.delete(match);
    both.push([id, match]);
  }
  const tfx = match ? med(tfxs, match) : undefined;
  rows.push([match && match !== id ? `${id} / ${match}` : id, fmt(med(colds, id)), fmt(med(warms, id)), fmt(tfx), ratio(tfx, med(warms, id))]);
}
for (const id of tfxLeft) rows.push([`(TFX only) ${id}`, '-', '-', fmt(med(tfxs, id)), '-']);
const sumOf = (runs: SideRun[], ids: string[]) => (runs.length ? median(runs.map((r) => ids.reduce((s, id) => s + (r.nodes.get(id) ?? 0), 0))) : undefined);
if (both.length && tfxs.length && colds.length) {
  const [c, w, t] = [sumOf(colds, both.map((b) => b[0])), sumOf(warms, both.map((b) => b[0])), sumOf(tfxs, both.map((b) => b[1]))];
  rows.push([`sum of the ${both.length} shared components`, fmt(c), fmt(w), fmt(t), ratio(t, w)]);
}
const wall = (runs: SideRun[]) => (runs.length ? median(runs.map((r) => r.wallS)) : undefined);
const [cold, warm, tfxWall] = [wall(colds), wall(warms), wall(tfxs)];
rows.push(['total (process wall)', fmt(cold), fmt(warm), fmt(tfxWall), ratio(tfxWall, warm)]);

console.log(`\n== penguin loop end to end: tsfx vs TFX ${tfxs[0]?.json.tfx ?? ''} LocalDagRunner, median of ${RUNS} (seconds)`);
console.log(table(['component', 'tsfx cold', 'tsfx warm', 'TFX', 'TFX/tsfx warm'], rows));
if (cold !== undefined && tfxWall !== undefined) console.log(`TFX / tsfx: ${ratio(tfxWall, warm)} warm home, ${ratio(tfxWall, cold)} cold home (fresh TSFX_HOME, dev server started)`);
if (cold !== undefined && warm !== undefined) console.log(`tsfx cold start costs ${(cold - warm).toFixed(1)} s over a warm home`);
if (tfxs.length) {
  const imp = median(tfxs.map((r) => r.json.import_s));
  const dag = median(tfxs.map((r) => r.json.run_s));
  console.log(`TFX process: imports ${imp.toFixed(1)} s, LocalDagRunner.run ${dag.toFixed(1)} s (Beam DirectRunner, in-memory)`);
}
if (colds.length) console.log(`tsfx ran: ${tsfxIds.join(', ')}${colds[0]!.notRun.length ? `; not complete: ${colds[0]!.notRun.join(', ')}` : ''}`);
if (tfxs.length) console.log(`TFX ran: ${tfxIds.join(', ')}${tfxs[0]!.notRun.length ? `; not complete: ${tfxs[0]!.notRun.join(', ')}` : ''}; no InfraValidator (TFX's needs TF Serving or Docker)`);
console.log(`per component: tsfx from the run's node start/finish, TFX from MLMD execution create/last-update; ${os.availableParallelism()} cores, load ${os.loadavg().map((l) => l.toFixed(2)).join(' ')}`);
