/** Prometheus exposition text parsed by prometheus_client's own parser, in the pinned venv. */
import { execFile } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { PROMETHEUS_CLIENT_REQUIREMENTS } from '../helpers/python-pins.js';

const run = promisify(execFile);
const repo = fileURLToPath(new URL('../../', import.meta.url));
const here = fileURLToPath(new URL('.', import.meta.url));

export interface Family {
  name: string;
  type: string;
  samples: { name: string; labels: Record<string, string>; value: number }[];
}

/** The page parsed by prometheus_client's own text parser, in the pinned venv. */
export async function parse(text: string): Promise<Family[]> {
  const { stdout } = await run(
    'bash',
    [path.join(repo, 'scripts/python-venv.sh'), 'prometheus-client', ...PROMETHEUS_CLIENT_REQUIREMENTS],
    { cwd: repo, maxBuffer: 16 << 20 },
  );
  const python = stdout.trim().split('\n').pop()!;
  const child = execFile(python, [path.join(here, 'parse_prometheus.py')], { maxBuffer: 64 << 20 });
  const out = new Promise<string>((resolve, reject) => {
    let buf = '';
    child.stdout!.on('data', (d: string) => (buf += d));
    child.on('error', reject);
    child.on('close', (code) => (code === 0 ? resolve(buf) : reject(new Error(`parser exited ${code}`))));
  });
  child.stdin!.end(text);
  return JSON.parse(await out) as Family[];
}

export const family = (fs: Family[], name: string) => {
  const f = fs.find((x) => x.name === name);
  if (!f) throw new Error(`no family ${name} in ${fs.map((x) => x.name).join(', ')}`);
  return f;
};

