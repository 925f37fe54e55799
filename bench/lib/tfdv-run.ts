/**
 * TFDV's side: generate_statistics_from_tfrecord (DirectRunner) in the pinned venv, through
 * bench/statistics_tfdv.py, under /usr/bin/time -v when it exists so the peak RSS covers every
 * process Beam starts; otherwise the script's own getrusage figure.
 */
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { TFDV_REQUIREMENTS } from '../../test/helpers/python-pins.js';

const run = promisify(execFile);
const TIME = '/usr/bin/time';

export interface TfdvResult {
  seconds: number;
  peakRssMb: number;
  examples: number;
  /** where the peak RSS figure comes from */
  rssFrom: string;
}

export async function tfdvPython(repo: string): Promise<string> {
  const venv = await run('bash', [path.join(repo, 'scripts/python-venv.sh'), 'tfdv', ...TFDV_REQUIREMENTS], { cwd: repo, maxBuffer: 64 << 20 });
  return venv.stdout.trim().split('\n').pop()!;
}

export async function runTfdv(python: string, repo: string, tfrecord: string, out: string): Promise<TfdvResult> {
  const script = [path.join(repo, 'bench/statistics_tfdv.py'), tfrecord, out];
  const timed = fs.existsSync(TIME);
  const { stdout, stderr } = await run(timed ? TIME : python, timed ? ['-v', python, ...script] : script, {
    maxBuffer: 256 << 20,
    env: { ...process.env, TF_CPP_MIN_LOG_LEVEL: '3', CUDA_VISIBLE_DEVICES: '' },
  });
  const r = JSON.parse(stdout.trim().split('\n').pop()!) as { seconds: number; max_rss_mb: number; examples: number };
  const kb = /Maximum resident set size \(kbytes\): (\d+)/.exec(stderr)?.[1];
  return {
    seconds: r.seconds, examples: r.examples,
    peakRssMb: kb ? Number(kb) / 1024 : r.max_rss_mb,
    rssFrom: kb ? '/usr/bin/time -v' : 'getrusage in python',
  };
}
