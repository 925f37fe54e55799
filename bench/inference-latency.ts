/**
 * Inference latency from raw features, transform included: the penguin model as the Trainer
 * makes it, its Model folder bound by src/ml/model-predictor.ts, predicting batches of 1 and 64
 * raw eval rows (TF Serving `instances`) per tfjs backend, one process each
 * (bench/lib/inference-run.ts). Prints p50/p99 of the whole call and the share spent before the
 * model (row checks, transform, input layout). Asserts nothing.
 *
 *   npx tsx bench/inference-latency.ts [--iterations 1000]
 *
 * A backend that cannot be selected (no tfjs-node binding: see scripts/tfjs-native.sh) is listed
 * with the reason instead of figures.
 */
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { figuresTable } from '../src/cli/format.js';
import { removeTempDirs } from '../test/components/example-gen/helpers.js';
import { trainPenguins } from '../test/helpers/penguin-model.js';
import type { InferenceResult, InferenceSpec } from './lib/inference-run.js';

const run = promisify(execFile);
const arg = (name: string, fallback: string) => {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1]! : fallback;
};
const iterations = Number(arg('iterations', '1000'));
const env = { ...process.env, TF_CPP_MIN_LOG_LEVEL: '2' };
const why = (err: unknown) => ((err as { stderr?: string }).stderr || String(err)).trim().split('\n').at(-1)!;

const t0 = performance.now();
const trained = await trainPenguins();
const rowsFile = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'tsfx-bench-infer-')), 'rows.json');
// the raw features only, as a client sends them (the data's label column dropped)
const signature = JSON.parse(fs.readFileSync(path.join(trained.model, 'signature.json'), 'utf8')) as {
  rawInputs: { name: string }[];
};
const names = signature.rawInputs.map((r) => r.name);
fs.writeFileSync(
  rowsFile,
  JSON.stringify(trained.evalRows.map((r) => Object.fromEntries(names.map((n) => [n, r[n]])))),
);
console.log(
  `penguin model (Trainer, ${trained.properties.epochs} epochs, val_accuracy ${trained.properties.final.val_accuracy!.toFixed(3)}), ` +
    `trained in ${((performance.now() - t0) / 1000).toFixed(1)}s; ${trained.evalRows.length} raw eval rows, ` +
    `${iterations} timed calls per batch size, ${os.cpus().length} cores`,
);

const lines: string[][] = [];
try {
  for (const backend of ['tfjs-node', 'tfjs-backend-wasm', 'tfjs-backend-cpu']) {
    const spec: InferenceSpec = { backend, model: trained.model, rows: rowsFile, iterations };
    try {
      const { stdout } = await run('node', ['--import', 'tsx', 'bench/lib/inference-run.ts', JSON.stringify(spec)], {
        env,
        maxBuffer: 64 << 20,
      });
      const r = JSON.parse(stdout.trim().split('\n').at(-1)!) as InferenceResult;
      for (const f of r.figures)
        lines.push([
          backend,
          String(f.batch),
          f.p50.toFixed(3),
          f.p99.toFixed(3),
          `${((f.prepareP50 / f.p50) * 100).toFixed(0)}%`,
          Math.round((f.batch / f.p50) * 1000).toLocaleString('en-US'),
        ]);
    } catch (err) {
      lines.push([backend, `not run: ${why(err)}`, '-', '-', '-', '-']);
    }
  }
} finally {
  fs.rmSync(path.dirname(rowsFile), { recursive: true, force: true });
  removeTempDirs();
}
console.log(figuresTable(['backend', 'batch', 'p50 ms', 'p99 ms', 'transform share (p50)', 'rows/s at p50'], lines, 1));
