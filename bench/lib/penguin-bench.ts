/**
 * Helpers of bench/penguin-vs-tfx.ts: a free dev-server port (and its UI port, +1000), the
 * Python TFX 1.16 runs on, and which TFX node is which tsfx node.
 */
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { TFX_PYTHON_VERSIONS } from '../../test/helpers/python-pins.js';

const run = promisify(execFile);

export const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
};

function isFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const srv = net.createServer();
    srv.once('error', () => resolve(false));
    srv.listen(port, '127.0.0.1', () => srv.close(() => resolve(true)));
  });
}

/**
 * A port p with p and p + 1000 free (the dev server's gRPC and UI ports). A port of its own
 * keeps the cold run cold: on the default port it could find another home's server and use it.
 */
export async function freePortPair(): Promise<number> {
  for (let i = 0; i < 50; i++) {
    const p = 20_000 + Math.floor(Math.random() * 30_000);
    if ((await isFree(p)) && (await isFree(p + 1000))) return p;
  }
  throw new Error('no free port pair for the dev server after 50 tries');
}

/**
 * The interpreter for the tfx venv: TSFX_TFX_PYTHON, else python3.10/3.9 on PATH, else one
 * under pyenv's versions folder (a pyenv shim for a version not selected fails `--version`).
 */
export async function pickTfxPython(): Promise<string> {
  const root = process.env.PYENV_ROOT ?? path.join(os.homedir(), '.pyenv');
  const versions = fs.existsSync(path.join(root, 'versions')) ? fs.readdirSync(path.join(root, 'versions')).sort().reverse() : [];
  const candidates = [
    ...(process.env.TSFX_TFX_PYTHON ? [process.env.TSFX_TFX_PYTHON] : []),
    ...TFX_PYTHON_VERSIONS.map((v) => `python${v}`),
    ...TFX_PYTHON_VERSIONS.flatMap((v) => versions.filter((d) => d.startsWith(`${v}.`)).map((d) => path.join(root, 'versions', d, 'bin', `python${v}`))),
  ];
  for (const c of candidates) {
    const ok = await run(c, ['-c', 'import sys; print("%d.%d" % sys.version_info[:2])']).then(
      (r) => TFX_PYTHON_VERSIONS.includes(r.stdout.trim()),
      () => false,
    );
    if (ok) return c;
  }
  throw new Error(`TFX 1.16 needs Python ${TFX_PYTHON_VERSIONS.join(' or ')}; none found (tried ${candidates.join(', ')}); set TSFX_TFX_PYTHON`);
}

/** tsfx's node id and TFX's node id name the same component (CsvExampleGen is ExampleGen). */
export const sameComponent = (tsfxId: string, tfxId: string) => tsfxId.toLowerCase() === tfxId.replace(/^Csv/, '').toLowerCase();
