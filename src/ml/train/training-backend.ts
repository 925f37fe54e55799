/**
 * Which backend a model trains on. Starts where src/ml/backend.ts's order (or a per-node
 * override) says, adds the kernels tsfx provides for wasm, and then takes a probe step: one
 * forward and backward pass on a two-row batch, no update. A backend that lacks a kernel the
 * model needs (tfjs-backend-wasm has no Conv2DBackpropFilter, so no Conv gradient) fails the
 * probe, and the next backend is tried, the reason kept for Stepper.backend and the artifacts.
 */
import * as tf from '@tensorflow/tfjs';
import { type BackendChoice, selectBackend } from '../backend.js';
import { DefinitionError } from '../../errors.js';
import { registerWasmKernels } from './wasm-kernels.js';

/** The candidates' short names in preference order, as TSFX_TF_BACKEND spells them. */
export const BACKEND_ORDER = ['tfjs-node-gpu', 'tfjs-node', 'tfjs-backend-wasm', 'tfjs-backend-cpu'] as const;

const short = (pkg: string) => pkg.replace('@tensorflow/', '');

/** Select a backend starting at `from` (a short package name), or the default order. */
export async function activateBackend(from?: string): Promise<BackendChoice> {
  if (from && !(BACKEND_ORDER as readonly string[]).includes(short(from)))
    throw new DefinitionError(`backend '${from}' is not one of ${BACKEND_ORDER.join(', ')}`, ['backend']);
  const env = from ? { ...process.env, TSFX_TF_BACKEND: short(from) } : process.env;
  const choice = await selectBackend({ env });
  if (choice.name === 'wasm') {
    const added = registerWasmKernels();
    if (added.length) choice.reason += `; tsfx added wasm kernels ${added.join(', ')}`;
  }
  return choice;
}

/** The backend after `pkg` in the order, or undefined after the last. */
export function nextBackend(pkg: string): string | undefined {
  const i = BACKEND_ORDER.indexOf(short(pkg) as (typeof BACKEND_ORDER)[number]);
  return i >= 0 ? BACKEND_ORDER[i + 1] : undefined;
}

/** A probe failure that another backend may not have: a kernel this one lacks. */
export const missingKernel = (err: unknown): string | undefined =>
  /Kernel '([^']+)' not registered for backend/.exec(err instanceof Error ? err.message : String(err))?.[1];

/**
 * Build on the first backend (from `from` on) whose probe passes. `attempt` builds the model on
 * the active backend and probes it, returning what it built; it is called again after a switch
 * (seeded initialisation makes the rebuilt model identical). Errors other than a missing kernel
 * are the model's own and are thrown as they are.
 */
export async function withFallback<T>(
  from: string | undefined,
  attempt: (choice: BackendChoice) => Promise<T>,
): Promise<{ value: T; backend: BackendChoice }> {
  const notes: string[] = [];
  let start = from;
  for (;;) {
    const choice = await activateBackend(start);
    try {
      const value = await attempt(choice);
      if (notes.length) choice.reason = `${notes.join('; ')}; then ${choice.reason}`;
      return { value, backend: choice };
    } catch (err) {
      const kernel = missingKernel(err);
      const next = nextBackend(choice.package);
      if (!kernel) throw err;
      if (!next)
        throw new DefinitionError(
          `no backend can train this model: ${[...notes, `${short(choice.package)} lacks kernel ${kernel}`].join('; ')}`,
        );
      notes.push(`${short(choice.package)} lacks kernel ${kernel} the model needs, fell back`);
      start = next;
    }
  }
}

/** What the Model and ModelRun artifacts record about where training ran. */
export interface BackendDescription extends BackendChoice {
  /** 'gpu' or 'cpu' */
  device: string;
  /** package versions: tfjs-core, tfjs-layers, the backend's package, TensorFlow's C library */
  versions: Record<string, string>;
}

/** Describe the active backend (call after selection, in the thread that trains). */
export async function describeBackend(choice: BackendChoice): Promise<BackendDescription> {
  const versions: Record<string, string> = {
    'tfjs-core': tf.version['tfjs-core'],
    'tfjs-layers': tf.version['tfjs-layers'],
  };
  let device = 'cpu';
  if (choice.name === 'tensorflow') {
    const node = (await import(choice.package)) as { version: Record<string, string> };
    versions[short(choice.package)] = node.version[short(choice.package)] ?? node.version['tfjs-node']!;
    const backend = tf.backend() as unknown as { binding: { TF_Version: string }; isUsingGpuDevice?: boolean };
    versions.tensorflow = backend.binding.TF_Version;
    if (backend.isUsingGpuDevice) device = 'gpu';
  } else if (choice.name === 'wasm') {
    const wasm = (await import('@tensorflow/tfjs-backend-wasm')) as { version_wasm: string };
    versions['tfjs-backend-wasm'] = wasm.version_wasm;
  } else {
    versions['tfjs-backend-cpu'] = tf.version['tfjs-backend-cpu'];
  }
  return { ...choice, device, versions };
}
