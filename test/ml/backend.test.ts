import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import { cudaPlausible, selectBackend, type SelectOptions } from '../../src/ml/backend.js';

/** A loader that "has" only the listed packages installed, recording what was asked for. */
function fakeLoader(installed: string[]) {
  const asked: string[] = [];
  const loader = async (pkg: string) => {
    asked.push(pkg);
    if (!installed.includes(pkg)) throw new Error(`Cannot find package '${pkg}'\n  at resolve`);
    return {};
  };
  return { loader, asked };
}

const activateAll = async () => true;
const base = (installed: string[], extra: Partial<SelectOptions> = {}) => {
  const f = fakeLoader(installed);
  const binding = (pkg: string) => (installed.includes(pkg) ? `/fake/${pkg}/lib/napi-v8/tfjs_binding.node` : undefined);
  return { f, opts: { loader: f.loader, activate: activateAll, env: {}, nvidiaDriver: () => false, binding, ...extra } };
};

describe('selectBackend', () => {
  it('skips the GPU build without CUDA and falls through missing native packages to wasm', async () => {
    const { f, opts } = base(['@tensorflow/tfjs-backend-wasm', '@tensorflow/tfjs-backend-cpu']);
    const choice = await selectBackend(opts);
    expect(choice).toMatchObject({ name: 'wasm', package: '@tensorflow/tfjs-backend-wasm' });
    expect(f.asked).toEqual(['@tensorflow/tfjs-backend-wasm']);
    expect(choice.reason).toContain('tfjs-node-gpu skipped: no NVIDIA driver');
    expect(choice.reason).toContain('tfjs-node skipped: not installed or no native binding built');
  });

  it('says why a native package with a binding failed to import, on one line', async () => {
    const { opts } = base(['@tensorflow/tfjs-backend-wasm'], { binding: () => '/fake/tfjs_binding.node' });
    const choice = await selectBackend(opts);
    expect(choice.name).toBe('wasm');
    expect(choice.reason).toContain("tfjs-node failed: Cannot find package '@tensorflow/tfjs-node'");
    expect(choice.reason).not.toContain('at resolve');
  });

  it('does not import a GPU package that has no binding, even with a driver', async () => {
    const { f, opts } = base(['@tensorflow/tfjs-node'], { nvidiaDriver: () => true });
    const choice = await selectBackend(opts);
    expect(choice.package).toBe('@tensorflow/tfjs-node');
    expect(choice.reason).toContain('tfjs-node-gpu skipped: not installed or no native binding built');
    expect(f.asked).toEqual(['@tensorflow/tfjs-node']);
  });

  it('tries the GPU build first when TSFX_GPU=1 or a driver is present', async () => {
    const all = ['@tensorflow/tfjs-node-gpu', '@tensorflow/tfjs-node', '@tensorflow/tfjs-backend-wasm'];
    const forced = base(all, { env: { TSFX_GPU: '1' } });
    expect(await selectBackend(forced.opts)).toMatchObject({
      name: 'tensorflow',
      package: '@tensorflow/tfjs-node-gpu',
      reason: 'first choice',
    });
    const driver = base(all, { nvidiaDriver: () => true });
    expect((await selectBackend(driver.opts)).package).toBe('@tensorflow/tfjs-node-gpu');
  });

  it('falls back to tfjs-node when the GPU import fails even with a driver', async () => {
    const { opts } = base(['@tensorflow/tfjs-node'], { nvidiaDriver: () => true, binding: () => '/fake/tfjs_binding.node' });
    const choice = await selectBackend(opts);
    expect(choice).toMatchObject({ name: 'tensorflow', package: '@tensorflow/tfjs-node' });
    expect(choice.reason).toContain('tfjs-node-gpu failed');
  });

  it('honours TSFX_GPU=0 and hidden CUDA devices', async () => {
    expect(cudaPlausible({ TSFX_GPU: '0' }, () => true)).toBe('TSFX_GPU=0');
    expect(cudaPlausible({ CUDA_VISIBLE_DEVICES: '-1' }, () => true)).toMatch(/hides every GPU/);
    expect(cudaPlausible({}, () => true)).toBeUndefined();
    const { f, opts } = base(['@tensorflow/tfjs-node-gpu', '@tensorflow/tfjs-node'], {
      env: { TSFX_GPU: '0' },
      nvidiaDriver: () => true,
    });
    expect((await selectBackend(opts)).package).toBe('@tensorflow/tfjs-node');
    expect(f.asked).not.toContain('@tensorflow/tfjs-node-gpu');
  });

  it('moves on when a package imports but its backend does not initialise', async () => {
    const { opts } = base(['@tensorflow/tfjs-backend-wasm', '@tensorflow/tfjs-backend-cpu'], {
      activate: async (b) => b !== 'wasm',
    });
    const choice = await selectBackend(opts);
    expect(choice.name).toBe('cpu');
    expect(choice.reason).toContain("tfjs-backend-wasm failed: backend 'wasm' did not initialise");
  });

  it('starts the list at TSFX_TF_BACKEND and rejects an unknown one', async () => {
    const { f, opts } = base(['@tensorflow/tfjs-node', '@tensorflow/tfjs-backend-cpu'], {
      env: { TSFX_TF_BACKEND: 'tfjs-backend-cpu' },
    });
    expect((await selectBackend(opts)).name).toBe('cpu');
    expect(f.asked).toEqual(['@tensorflow/tfjs-backend-cpu']);
    await expect(selectBackend({ ...opts, env: { TSFX_TF_BACKEND: 'tpu' } })).rejects.toThrow(
      /TSFX_TF_BACKEND=tpu is not one of/,
    );
  });

  it('says what failed when nothing loads', async () => {
    const { opts } = base([]);
    await expect(selectBackend(opts)).rejects.toThrow(/no tfjs backend loaded: .*tfjs-backend-cpu failed/);
  });

  it('really activates a backend on this machine', async () => {
    const choice = await selectBackend({ env: {} });
    expect(['tensorflow', 'wasm', 'cpu']).toContain(choice.name);
    expect(tf.getBackend()).toBe(choice.name);
    expect(tf.tensor1d([1, 2]).add(1).arraySync()).toEqual([2, 3]);
  });
});
