/**
 * Trainer throughput through the Stepper, per backend: the 200k x 8 MLP (64-64-1, SGD, batch
 * 256) as tfjs-layers' model.fit (bench/lib/train-mlp.ts), as the LocalStepper's custom step,
 * and as the ReplicaStepper with 1 and 2 worker threads (bench/lib/train-replicas.ts); Keras in
 * the tf venv on the same data, architecture, batch and optimizer as the baseline. Prints each
 * figure's ratio to Keras and where a step's time goes; asserts nothing.
 *
 *   npx tsx bench/trainer-replicas.ts [--rows 200000] [--epochs 1] [--batch 256] [--hidden 64,64]
 *                                     [--backends tfjs-node,tfjs-backend-wasm,tfjs-backend-cpu] [--repeat 1]
 *
 * Step parts (ms per step): `cpu` is the CPU time of all the process's threads (above ms/step when
 * more than one core worked), `compute` is the slowest replica's forward + backward + gradient
 * download, `apply` its optimizer update, `msg` the rest of the wait (postMessage, structured
 * clone, queueing); `tiny` is the LocalStepper's step at batch 8, its fixed per-step cost.
 * Each configuration runs in its own process; --repeat n keeps each one's best run (the
 * machine may be shared, and the best run is the least disturbed).
 */
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { figuresTable } from '../src/cli/format.js';
import { TF_REQUIREMENTS } from '../test/helpers/python-pins.js';
import type { TrainResult } from './lib/train-mlp.js';
import type { ReplicaResult } from './lib/train-replicas.js';

const run = promisify(execFile);
const arg = (name: string, fallback: string) => {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1]! : fallback;
};
const hidden = arg('hidden', '64,64').split(',').map(Number);
const spec = {
  rows: Number(arg('rows', '200000')),
  epochs: Number(arg('epochs', '1')),
  batch: Number(arg('batch', '256')),
  hidden,
};
const backends = arg('backends', 'tfjs-node,tfjs-backend-wasm,tfjs-backend-cpu').split(',');
const repeat = Number(arg('repeat', '1'));
const env = { ...process.env, TF_CPP_MIN_LOG_LEVEL: '2' };
const lastLine = <T>(s: string) => JSON.parse(s.trim().split('\n').at(-1)!) as T;
const why = (err: unknown) => ((err as { stderr?: string }).stderr || String(err)).trim().split('\n').at(-1)!;

type Figures = { eps: number; loss: number; perStep?: Record<string, number>; tiny?: number };
type Row = { backend: string; mode: string; figures?: Figures; error?: string };

/** the best of `repeat` runs of one configuration */
async function best(cmd: string, args: string[], parse: (stdout: string) => Figures): Promise<Figures> {
  let top: Figures | undefined;
  for (let i = 0; i < repeat; i++) {
    const { stdout } = await run(cmd, args, { env, maxBuffer: 64 << 20 });
    const f = parse(stdout);
    if (!top || f.eps > top.eps) top = f;
  }
  return top!;
}

const rows: Row[] = [];
const attempt = async (backend: string, mode: string, fn: () => Promise<Figures>) => {
  try {
    rows.push({ backend, mode, figures: await fn() });
  } catch (err) {
    rows.push({ backend, mode, error: why(err) });
  }
  process.stderr.write(`${backend} ${mode} done\n`);
};

console.log(`MLP 8-${hidden.join('-')}-1, ${spec.rows} rows, batch ${spec.batch}, ${spec.epochs} epoch(s), SGD`);
for (const backend of backends) {
  await attempt(backend, 'model.fit', () =>
    best('node', ['--import', 'tsx', 'bench/lib/train-mlp.ts', JSON.stringify({ ...spec, backend })], (out) => {
      const r = lastLine<TrainResult>(out);
      return { eps: r.examplesPerSecond, loss: r.loss.at(-1)! };
    }),
  );
  for (const replicas of [0, 1, 2]) {
    await attempt(backend, replicas ? `${replicas} replica(s)` : 'LocalStepper', () =>
      best(
        'node',
        ['--import', 'tsx', 'bench/lib/train-replicas.ts', JSON.stringify({ ...spec, backend, replicas })],
        (out) => {
          const r = lastLine<ReplicaResult>(out);
          return { eps: r.examplesPerSecond, loss: r.loss, perStep: r.perStep, tiny: r.tinyStepMs };
        },
      ),
    );
  }
}
let keras: number | undefined;
if (!process.argv.includes('--no-keras')) {
  await attempt('keras', '(baseline)', async () => {
    const venv = await run('bash', ['scripts/python-venv.sh', 'tf', ...TF_REQUIREMENTS], { env, maxBuffer: 64 << 20 });
    const python = venv.stdout.trim().split('\n').at(-1)!;
    return best(python, ['bench/trainer_backends_keras.py', JSON.stringify(spec)], (out) => {
      const r = lastLine<TrainResult>(out);
      return { eps: r.examplesPerSecond, loss: r.loss.at(-1)! };
    });
  });
  keras = rows.at(-1)!.figures?.eps;
}
const ms = (v: number | undefined) => (v === undefined ? '-' : v.toFixed(2));
console.log(
  figuresTable(
    ['backend', 'mode', 'examples/s', 'vs Keras', 'ms/step', 'cpu', 'compute', 'apply', 'msg', 'tiny', 'loss'],
    rows.map(({ backend, mode, figures: f, error }) => {
      if (!f) return [backend, mode, `not run: ${error}`, '-', '-', '-', '-', '-', '-', '-', '-'];
      const p = f.perStep;
      const msg = p?.wait !== undefined ? p.wait - p.compute! - p.apply! : undefined;
      return [
        backend,
        mode,
        Math.round(f.eps).toLocaleString('en-US'),
        keras ? `${(f.eps / keras).toFixed(2)}x` : '-',
        p ? ms(p.step) : ms((spec.batch / f.eps) * 1000),
        ms(p?.cpu),
        ms(p?.compute),
        ms(p?.apply),
        ms(msg),
        ms(f.tiny),
        f.loss.toFixed(4),
      ];
    }),
    2,
  ),
);
