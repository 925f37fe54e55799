/**
 * Trainer throughput per tfjs backend: an MLP 8 -> 64 -> 64 -> 1 (relu, SGD, MSE) on 200k
 * generated rows, batch 256, one process per backend (bench/lib/train-mlp.ts), and Keras in the
 * tf venv as the baseline (bench/trainer_backends_keras.py: same architecture, data, initial
 * weights, batch, optimizer, epochs). Prints a table; asserts nothing.
 *
 *   npx tsx bench/trainer-backends.ts [--rows 200000] [--epochs 1] [--batch 256] [--no-keras]
 *
 * A backend that cannot be selected (no tfjs-node binding: see scripts/tfjs-native.sh) is
 * listed with the reason instead of a figure.
 */
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { figuresTable } from '../src/cli/format.js';
import { TF_REQUIREMENTS } from '../test/helpers/python-pins.js';
import type { TrainResult } from './lib/train-mlp.js';

const run = promisify(execFile);
const arg = (name: string, fallback: string) => {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1]! : fallback;
};
const spec = { rows: Number(arg('rows', '200000')), epochs: Number(arg('epochs', '1')), batch: Number(arg('batch', '256')) };
const env = { ...process.env, TF_CPP_MIN_LOG_LEVEL: '2' };
const lastLine = (s: string) => JSON.parse(s.trim().split('\n').at(-1)!) as TrainResult;
const why = (err: unknown) => ((err as { stderr?: string }).stderr || String(err)).trim().split('\n').at(-1)!;

type Row = { label: string; result?: TrainResult; error?: string };
const rows: Row[] = [];
console.log(`MLP 8-64-64-1, ${spec.rows} rows, batch ${spec.batch}, ${spec.epochs} epoch(s), SGD`);
for (const backend of ['tfjs-node', 'tfjs-backend-wasm', 'tfjs-backend-cpu']) {
  try {
    const { stdout } = await run('node', ['--import', 'tsx', 'bench/lib/train-mlp.ts', JSON.stringify({ ...spec, backend })], {
      env,
      maxBuffer: 64 << 20,
    });
    rows.push({ label: backend, result: lastLine(stdout) });
  } catch (err) {
    rows.push({ label: backend, error: why(err) });
  }
}
if (!process.argv.includes('--no-keras')) {
  try {
    const venv = await run('bash', ['scripts/python-venv.sh', 'tf', ...TF_REQUIREMENTS], { env, maxBuffer: 64 << 20 });
    const python = venv.stdout.trim().split('\n').at(-1)!;
    const { stdout } = await run(python, ['bench/trainer_backends_keras.py', JSON.stringify(spec)], { env, maxBuffer: 64 << 20 });
    rows.push({ label: 'keras (baseline)', result: lastLine(stdout) });
  } catch (err) {
    rows.push({ label: 'keras (baseline)', error: why(err) });
  }
}
console.log(
  figuresTable(
    ['backend', 'package', 'examples/s', 'fit', 'final loss', 'peak RSS'],
    rows.map(({ label, result: r, error }) =>
      r
        ? [
            label,
            r.backend.package + (r.backend.versions?.tensorflow ? ` (TF ${r.backend.versions.tensorflow})` : ''),
            Math.round(r.examplesPerSecond).toLocaleString('en-US'),
            `${r.fitSeconds.toFixed(1)}s`,
            r.loss.at(-1)!.toFixed(4),
            `${Math.round(r.peakRssMb)} MB`,
          ]
        : [label, `not run: ${error}`, '-', '-', '-', '-'],
    ),
    2,
  ),
);
