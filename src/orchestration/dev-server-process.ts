/**
 * Process plumbing for the dev server: port probes, pid files that survive pid reuse, and a
 * start lock so parallel tsfx processes never start two servers on one db file.
 */
import fs from 'node:fs';
import net from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { TsfxError } from '../errors.js';

/** Whether something accepts TCP connections at host:port: fails fast on a closed port. */
export function tcpOpen(address: string): Promise<boolean> {
  const i = address.lastIndexOf(':');
  const host = address.slice(0, i);
  const port = Number(address.slice(i + 1));
  return new Promise((resolve) => {
    const socket = net.connect({ host, port });
    const done = (ok: boolean) => {
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(2_000, () => done(false));
    socket.once('connect', () => done(true));
    socket.once('error', () => done(false));
  });
}

/** The last lines of a log file, for error messages. */
export function tail(file: string, lines = 15): string {
  try {
    return fs.readFileSync(file, 'utf8').trimEnd().split('\n').slice(-lines).join('\n');
  } catch {
    return '(no log)';
  }
}

export function isExecutable(file: string): boolean {
  try {
    fs.accessSync(file, fs.constants.X_OK);
    return fs.statSync(file).isFile();
  } catch {
    return false;
  }
}

/** The pid in the pid file if that process is still a Temporal dev server (pids get reused). */
export function livePid(pidFile: string): number | undefined {
  let pid: number;
  try {
    pid = Number.parseInt(fs.readFileSync(pidFile, 'utf8'), 10);
  } catch {
    return undefined;
  }
  return Number.isInteger(pid) && pid > 0 && isTemporalProcess(pid) ? pid : undefined;
}

export function isTemporalProcess(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
  try {
    // a zombie or a recycled pid has a different (or empty) command line
    return fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes('start-dev');
  } catch {
    return true; // no procfs (macOS): trust kill(0)
  }
}

/** The --port a running dev server was started with, where procfs tells. */
export function serverPort(pid: number): number | undefined {
  try {
    const argv = fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0');
    const i = argv.indexOf('--port');
    return i >= 0 ? Number(argv[i + 1]) : 7233;
  } catch {
    return undefined;
  }
}

/** A lock file holding the owner's pid; a lock whose owner died is taken over. */
export async function withStartLock<T>(lockFile: string, fn: () => Promise<T>): Promise<T> {
  const deadline = Date.now() + 120_000;
  for (;;) {
    try {
      fs.writeFileSync(lockFile, `${process.pid}\n`, { flag: 'wx' });
      break;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
      const owner = lockOwner(lockFile);
      if (owner === 'stale') {
        fs.rmSync(lockFile, { force: true });
        continue;
      }
      if (Date.now() > deadline) throw new TsfxError(`timed out waiting for ${lockFile} (held by pid ${owner})`);
      await sleep(200);
    }
  }
  try {
    return await fn();
  } finally {
    fs.rmSync(lockFile, { force: true });
  }
}

/** The lock holder's pid, or 'stale' when it died (or never got to write its pid). */
export function lockOwner(lockFile: string): number | 'stale' {
  let text: string;
  let age: number;
  try {
    text = fs.readFileSync(lockFile, 'utf8');
    age = Date.now() - fs.statSync(lockFile).mtimeMs;
  } catch {
    return 0; // just released: retry
  }
  const pid = Number.parseInt(text, 10);
  // an empty file is a holder between creating and writing it, unless that was long ago
  if (!text) return age > 5_000 ? 'stale' : 0;
  return processAlive(pid) ? pid : 'stale';
}

export function processAlive(pid: number): boolean {
  if (!Number.isInteger(pid) || pid <= 0) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}
