/**
 * Is a GPU backend plausible here, without loading tfjs? The CLI asks before it decides which
 * task queues its worker polls: loading TensorFlow just to find there is no GPU would cost
 * every `tsfx run` a second or more.
 */
import fs from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';

const require = createRequire(import.meta.url);

/**
 * Where a tfjs-node package keeps its built binding (`lib/napi-v<N>/tfjs_binding.node`, found
 * the way its index.js finds it), or undefined when the package or the binding is absent.
 * Checked before importing: a package without one registers its kernels and then throws, and the
 * next native package re-registers them all, one warning per kernel.
 */
export function nativeBinding(pkg: string): string | undefined {
  try {
    const pkgJson = require.resolve(`${pkg}/package.json`);
    const lib = path.join(path.dirname(pkgJson), 'lib');
    const dirs = fs.readdirSync(lib).filter((d) => d.startsWith('napi-v'));
    return dirs.map((d) => path.join(lib, d, 'tfjs_binding.node')).find((f) => fs.existsSync(f));
  } catch {
    return undefined;
  }
}

/** TSFX_GPU=1 forces the GPU attempt, TSFX_GPU=0 forbids it; otherwise the driver decides. */
export function cudaPlausible(env: NodeJS.ProcessEnv, nvidiaDriver: () => boolean): string | undefined {
  if (env.TSFX_GPU === '0') return 'TSFX_GPU=0';
  if (env.TSFX_GPU === '1') return undefined;
  if (env.CUDA_VISIBLE_DEVICES === '' || env.CUDA_VISIBLE_DEVICES === '-1')
    return 'CUDA_VISIBLE_DEVICES hides every GPU';
  return nvidiaDriver() ? undefined : 'no NVIDIA driver (/proc/driver/nvidia) and TSFX_GPU is not 1';
}

export const GPU_PACKAGE = '@tensorflow/tfjs-node-gpu';

/** Why no GPU backend can load here (undefined: it may), judged without loading it. */
export function whyNoGpu(env: NodeJS.ProcessEnv = process.env): string | undefined {
  return (
    cudaPlausible(env, () => fs.existsSync('/proc/driver/nvidia')) ??
    (nativeBinding(GPU_PACKAGE) ? undefined : `${GPU_PACKAGE} has no native binding built`)
  );
}
