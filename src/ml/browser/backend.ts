/**
 * The tfjs backend of a page: the first of a list that initialises. wasm loads its .wasm binary
 * from `wasmPaths` (a URL prefix the page's own server serves: nothing from a CDN), picking the
 * SIMD or threaded build the browser supports (threads need a cross-origin isolated page). webgl
 * is opt-in: it compiles its shaders on first use (about 2 s for a small model under headless
 * Chromium's SwiftShader), and a GPU without float32 textures computes in half precision.
 */
import * as tf from '@tensorflow/tfjs';
import { setWasmPaths } from '@tensorflow/tfjs-backend-wasm';

export type BrowserBackendName = 'wasm' | 'cpu' | 'webgl';

export interface BrowserBackendOptions {
  /** tried in order; default wasm then cpu */
  order?: BrowserBackendName[];
  /** URL prefix (ending in `/`) serving tfjs-backend-wasm's dist/*.wasm files; wasm is skipped without it */
  wasmPaths?: string;
}

export interface BrowserBackend {
  name: BrowserBackendName;
  /** what was skipped or failed before it, and for wasm which build (simd, threads) */
  reason: string;
}

let wasmPathsSet: string | undefined;

/** Activate the first backend of `order` that initialises in this page. */
export async function useBackend(options: BrowserBackendOptions = {}): Promise<BrowserBackend> {
  const order = options.order ?? ['wasm', 'cpu'];
  const notes: string[] = [];
  for (const name of order) {
    if (name === 'wasm') {
      if (!options.wasmPaths) {
        notes.push('wasm skipped: no wasmPaths to load its binary from');
        continue;
      }
      // tfjs reads the paths when the backend first initialises; later changes are ignored
      if (wasmPathsSet === undefined) {
        setWasmPaths(options.wasmPaths);
        wasmPathsSet = options.wasmPaths;
      } else if (wasmPathsSet !== options.wasmPaths) notes.push(`wasm binaries stay those of ${wasmPathsSet}`);
    }
    try {
      if (!(await tf.setBackend(name))) throw new Error('did not initialise');
      await tf.ready();
      if (name === 'wasm') {
        const simd = await tf.env().getAsync('WASM_HAS_SIMD_SUPPORT');
        const threads = await tf.env().getAsync('WASM_HAS_MULTITHREAD_SUPPORT');
        notes.push(`wasm build: ${simd ? 'simd' : 'plain'}${threads ? ', threaded' : ''}`);
      }
      return { name, reason: notes.length ? notes.join('; ') : 'first choice' };
    } catch (err) {
      notes.push(`${name} failed: ${err instanceof Error ? err.message : String(err)}`);
    }
  }
  throw new Error(`no tfjs backend initialised: ${notes.join('; ')}`);
}
