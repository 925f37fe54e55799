/**
 * The TFDV side of the comparison tests: the pinned venv (built once, cached), a scratch
 * folder, and TFDV's statistics of a table's rows through a TFRecord of tf.Examples.
 * Call useTfdv() at the top of a test file.
 */
import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import type { Table } from 'apache-arrow';
import { afterAll, beforeAll } from 'vitest';
import { examplesToTfRecord } from '../../src/io/tf-example.js';
import { decodeStatistics } from '../../src/stats/index.js';
import { TFDV_REQUIREMENTS } from '../helpers/python-pins.js';

const run = promisify(execFile);
export const repo = fileURLToPath(new URL('../../', import.meta.url));
const here = fileURLToPath(new URL('.', import.meta.url));

/** TFDV's default quantile sketch epsilon (StatsOptions.epsilon) */
export const TFDV_EPSILON = 0.01;

export type Any = any;

export interface Tfdv {
  /** the scratch folder (set once the venv is ready) */
  dir: string;
  py(...args: string[]): Promise<string>;
  /** TFDV's statistics of `table`'s rows, weighted by `weight` if given */
  stats(table: Table, name: string, weight?: string): Promise<Any>;
}

export function useTfdv(): Tfdv {
  let python = '';
  const t: Tfdv = {
    dir: '',
    async py(...args) {
      const { stdout } = await run(python, [path.join(here, 'tfdv_stats.py'), ...args], {
        cwd: here,
        maxBuffer: 256 << 20,
        env: { ...process.env, TF_CPP_MIN_LOG_LEVEL: '3', CUDA_VISIBLE_DEVICES: '' },
      });
      return stdout;
    },
    async stats(table, name, weight) {
      const rec = path.join(t.dir, `${name}.tfrecord`);
      const out = path.join(t.dir, `${name}-tfdv.pb`);
      await examplesToTfRecord(table, rec);
      await t.py('generate', rec, out, ...(weight ? [weight] : []));
      return decodeStatistics(await readFile(out), out);
    },
  };
  beforeAll(async () => {
    const { stdout } = await run('bash', [path.join(repo, 'scripts/python-venv.sh'), 'tfdv', ...TFDV_REQUIREMENTS], { cwd: repo, maxBuffer: 64 << 20 });
    python = stdout.trim().split('\n').pop()!;
    t.dir = await mkdtemp(path.join(tmpdir(), 'tsfx-tfdv-'));
  }, 20 * 60_000);
  afterAll(async () => {
    if (t.dir) await rm(t.dir, { recursive: true, force: true });
  });
  return t;
}

/** Equal, with NaN equal to NaN. */
export const same = (a: number, b: number) => (Number.isNaN(a) ? Number.isNaN(b) : a === b);
/** Relative difference of b from a; non-finite values must be the same to count as 0. */
export const rel = (a: number, b: number) => (Number.isFinite(a) ? Math.abs(a - b) / Math.max(1e-300, Math.abs(a)) : same(a, b) ? 0 : Infinity);

export function byName(ds: Any): Record<string, Any> {
  return Object.fromEntries(ds.features.map((f: Any) => [f.path.step.join('/'), f]));
}
