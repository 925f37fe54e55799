/**
 * Trains the benchmark MLP (bench/lib/mlp-module.ts) through a Stepper on one backend and
 * prints one JSON line: throughput, loss, and where the step time went. `replicas: 0` is the
 * LocalStepper in this thread; n >= 1 is a ReplicaStepper with n worker threads.
 *
 *   node --import tsx bench/lib/train-replicas.ts '{"backend":"tfjs-node","replicas":2,"rows":200000}'
 *
 * Data: bench/lib/train-mlp.ts's LCG rows (the Keras baseline's too), in order, no shuffle.
 */
import { fileURLToPath } from 'node:url';
import { LocalStepper } from '../../src/ml/train/local-stepper.js';
import { ReplicaStepper } from '../../src/ml/train/replica-stepper.js';
import type { ModelSource, Stepper, TrainBatch } from '../../src/ml/train/stepper.js';
import { peakRssMb } from './peak-rss.js';
import { makeData } from './train-mlp.js';

export interface ReplicaSpec {
  backend: string;
  replicas: number;
  rows: number;
  batch?: number;
  epochs?: number;
  features?: number;
  hidden?: number[];
  learningRate?: number;
}

export interface ReplicaResult {
  backend: { name: string; package: string; reason: string };
  replicas: number;
  examplesPerSecond: number;
  fitSeconds: number;
  loss: number;
  peakRssMb: number;
  /** ms per step: the whole step, the CPU time of all threads, and (replicas) its parts; see ReplicaStepper.profile */
  perStep: Record<string, number>;
  /** LocalStepper only: ms per step at batch 8, where kernels do almost no work (fixed per-step cost) */
  tinyStepMs?: number;
}

async function timeSteps(stepper: Stepper, batches: TrainBatch[]): Promise<{ seconds: number; loss: number }> {
  const t0 = performance.now();
  let loss = 0;
  for (const b of batches) loss += await stepper.step(b);
  return { seconds: (performance.now() - t0) / 1000, loss: loss / batches.length };
}

export async function trainReplicas(spec: ReplicaSpec): Promise<ReplicaResult> {
  const { rows, batch = 256, epochs = 1, features = 8 } = spec;
  const source: ModelSource = {
    module: fileURLToPath(new URL('./mlp-module.ts', import.meta.url)),
    hparams: { hidden: spec.hidden ?? [64, 64], learningRate: spec.learningRate ?? 0.05 },
    features: [{ name: 'x', dtype: 'float32', width: features }],
    label: { name: 'y', task: 'regression' },
    seed: 42,
  };
  const stepper =
    spec.replicas === 0
      ? await LocalStepper.create(source, { backend: spec.backend })
      : await ReplicaStepper.create(source, { replicas: spec.replicas, backend: spec.backend });
  const data = makeData(rows, features, 42);
  const batches: TrainBatch[] = [];
  for (let from = 0; from < rows; from += batch) {
    const to = Math.min(rows, from + batch);
    batches.push({
      rows: to - from,
      xs: { x: data.x.subarray(from * features, to * features) },
      ys: data.y.subarray(from, to),
    });
  }
  const cpu0 = process.cpuUsage();
  let seconds = 0;
  let loss = 0;
  for (let e = 0; e < epochs; e++) {
    const epoch = await timeSteps(stepper, batches);
    seconds += epoch.seconds;
    loss = epoch.loss;
  }
  const steps = batches.length * epochs;
  const cpu = process.cpuUsage(cpu0);
  // CPU time of every thread of the process: cpu / step > 1 means more than one core was working
  const perStep: Record<string, number> = {
    step: (seconds * 1000) / steps,
    cpu: (cpu.user + cpu.system) / 1000 / steps,
  };
  let tinyStepMs: number | undefined;
  if (stepper instanceof ReplicaStepper) {
    const { steps: n, ...parts } = stepper.profile;
    for (const [k, v] of Object.entries(parts)) perStep[k] = v / n;
  } else {
    const tiny = batches
      .slice(0, 200)
      .map((b) => ({ rows: 8, xs: { x: b.xs.x!.subarray(0, 8 * features) }, ys: b.ys.subarray(0, 8) }));
    tinyStepMs = ((await timeSteps(stepper, tiny)).seconds * 1000) / tiny.length;
  }
  const result = {
    backend: stepper.backend,
    replicas: spec.replicas,
    examplesPerSecond: (rows * epochs) / seconds,
    fitSeconds: seconds,
    loss,
    peakRssMb: peakRssMb(),
    perStep,
    tinyStepMs,
  };
  await stepper.dispose();
  return result;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const spec = JSON.parse(process.argv[2] ?? '{}') as ReplicaSpec;
  const result = await trainReplicas(spec);
  if (!result.backend.package.endsWith(spec.backend)) {
    console.error(`asked for ${spec.backend}, got ${result.backend.package}: ${result.backend.reason}`);
    process.exit(1);
  }
  console.log(JSON.stringify(result));
}
