/**
 * tfjs backend selection: the first that loads of tfjs-node-gpu (only when CUDA is plausible),
 * tfjs-node, wasm, cpu. The native packages are optional dependencies whose install downloads
 * libtensorflow and may have failed, so every candidate is imported dynamically and a failure
 * just moves on to the next one.
 */
import fs from 'node:fs';
import * as tf from '@tensorflow/tfjs';
import { cudaPlausible, nativeBinding } from './gpu.js';

export { cudaPlausible, nativeBinding };

export interface BackendChoice {
  /** the tfjs backend name in use: 'tensorflow' (native, CPU or GPU build), 'wasm' or 'cpu' */
  name: string;
  /** the package that provides it */
  package: string;
  /** why this one: what was skipped or failed before it */
  reason: string;
}

interface Candidate {
  package: string;
  backend: string;
  /** a reason to skip without trying, or undefined to try */
  skip?: () => string | undefined;
}

export interface SelectOptions {
  /** imports a package; injected by tests. Default: dynamic import() */
  loader?: (pkg: string) => Promise<unknown>;
  /** activates a registered backend and waits for it; injected by tests. Default: tf.setBackend + tf.ready */
  activate?: (backend: string) => Promise<boolean>;
  env?: NodeJS.ProcessEnv;
  /** whether an NVIDIA driver is present; default checks /proc/driver/nvidia */
  nvidiaDriver?: () => boolean;
  /** the native package's built binding, or undefined when it has none; default {@link nativeBinding} */
  binding?: (pkg: string) => string | undefined;
}

function candidates(
  env: NodeJS.ProcessEnv,
  nvidiaDriver: () => boolean,
  binding: (pkg: string) => string | undefined,
): Candidate[] {
  const built = (pkg: string) =>
    binding(pkg) ? undefined : 'not installed or no native binding built (lib/napi-v*/tfjs_binding.node)';
  const gpu = '@tensorflow/tfjs-node-gpu';
  return [
    { package: gpu, backend: 'tensorflow', skip: () => cudaPlausible(env, nvidiaDriver) ?? built(gpu) },
    { package: '@tensorflow/tfjs-node', backend: 'tensorflow', skip: () => built('@tensorflow/tfjs-node') },
    { package: '@tensorflow/tfjs-backend-wasm', backend: 'wasm' },
    // part of @tensorflow/tfjs itself, so this one always loads
    { package: '@tensorflow/tfjs-backend-cpu', backend: 'cpu' },
  ];
}

const short = (pkg: string) => pkg.replace('@tensorflow/', '');
const firstLine = (err: unknown) => (err instanceof Error ? err.message : String(err)).split('\n')[0]!;

/**
 * Try the candidates in order and activate the first that loads. TSFX_TF_BACKEND (a package's
 * short name, e.g. `tfjs-backend-cpu`) starts the list at that candidate, for benchmarks.
 */
export async function selectBackend(options: SelectOptions = {}): Promise<BackendChoice> {
  const env = options.env ?? process.env;
  const loader = options.loader ?? ((pkg: string) => import(pkg));
  const activate = options.activate ?? (async (b: string) => (await tf.setBackend(b)) && (await tf.ready(), true));
  const nvidia = options.nvidiaDriver ?? (() => fs.existsSync('/proc/driver/nvidia'));
  let list = candidates(env, nvidia, options.binding ?? nativeBinding);
  const forced = env.TSFX_TF_BACKEND;
  if (forced) {
    const at = list.findIndex((c) => short(c.package) === forced || c.package === forced);
    if (at < 0)
      throw new Error(`TSFX_TF_BACKEND=${forced} is not one of ${list.map((c) => short(c.package)).join(', ')}`);
    list = list.slice(at);
  }
  const notes: string[] = forced ? [`TSFX_TF_BACKEND=${forced}`] : [];
  for (const c of list) {
    const skipped = c.skip?.();
    if (skipped) {
      notes.push(`${short(c.package)} skipped: ${skipped}`);
      continue;
    }
    try {
      // TensorFlow's C library logs its CPU features and oneDNN notes to stderr at INFO, into the
      // middle of `tsfx run`'s progress view; warnings and errors still show
      if (c.backend === 'tensorflow') process.env.TF_CPP_MIN_LOG_LEVEL ??= '1';
      await loader(c.package);
      if (!(await activate(c.backend))) throw new Error(`backend '${c.backend}' did not initialise`);
      const reason = notes.length ? notes.join('; ') : 'first choice';
      return { name: c.backend, package: c.package, reason };
    } catch (err) {
      notes.push(`${short(c.package)} failed: ${firstLine(err)}`);
    }
  }
  throw new Error(`no tfjs backend loaded: ${notes.join('; ')}`);
}

let chosen: Promise<BackendChoice> | undefined;

/** Select once per process; later calls share the first result. */
export function ensureBackend(): Promise<BackendChoice> {
  chosen ??= selectBackend();
  return chosen;
}
