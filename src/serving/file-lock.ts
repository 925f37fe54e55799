/**
 * A small cross-process lock for one served model's registry files (labels.json and
 * history.jsonl are read, changed and written back). The lock is a file made with O_EXCL
 * (atomic on local filesystems), holding `pid@host`; a holder that died (same host, pid gone)
 * or one older than STALE_MS is taken over, so a killed `tsfx promote` never wedges the model.
 * The name starts with '.', so the model server never takes it for a version.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { TsfxError } from '../errors.js';

const STALE_MS = 30_000;
const WAIT_MS = 10_000;

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

function stale(file: string): boolean {
  let text: string;
  let mtime: number;
  try {
    text = fs.readFileSync(file, 'utf8');
    mtime = fs.statSync(file).mtimeMs;
  } catch {
    return false; // gone already: the next try takes it
  }
  const [pid, host] = text.trim().split('@');
  if (host === os.hostname() && Number(pid) > 0 && !alive(Number(pid))) return true;
  return Date.now() - mtime > STALE_MS;
}

const sleep = (ms: number) => Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);

/** Run `fn` holding `{dir}/.registry.lock`; synchronous, as every registry write is. */
export function withLock<T>(dir: string, fn: () => T): T {
  fs.mkdirSync(dir, { recursive: true });
  const file = path.join(dir, '.registry.lock');
  const until = Date.now() + WAIT_MS;
  for (;;) {
    try {
      const fd = fs.openSync(file, 'wx');
      fs.writeSync(fd, `${process.pid}@${os.hostname()}`);
      fs.closeSync(fd);
      break;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
      if (stale(file)) fs.rmSync(file, { force: true });
      else if (Date.now() > until) throw new TsfxError(`${file} is held by another process for over ${WAIT_MS} ms`);
      else sleep(10 + Math.random() * 20);
    }
  }
  try {
    return fn();
  } finally {
    fs.rmSync(file, { force: true });
  }
}
