/**
 * `tsfx run --workers N`: N-1 more worker processes on this machine polling the cpu queue for
 * the length of the run, so a fanned-out node's shard activities (StatisticsGen's per-shard
 * partials) run in parallel across cores. JavaScript runs one thread per process, so more
 * processes is what turns fan-out into speed-up on one box; across boxes `tsfx worker` does it.
 * Each child logs to $TSFX_HOME/logs/worker-<i>.log.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { TsfxError } from '../errors.js';

const BIN = fileURLToPath(new URL('../../bin/tsfx.js', import.meta.url));
const READY = 'worker polling';
const READY_TIMEOUT_MS = 60_000;
/** executor attempts at once per worker process: I/O overlaps, CPU does not (one JS thread) */
export const LOCAL_WORKER_CONCURRENCY = 2;

export interface LocalWorkers {
  count: number;
  stop(): Promise<void>;
}

/** `components`: modules the children import so they know the pipeline's custom components (the pipeline file) */
export async function startLocalWorkers(
  count: number,
  opts: { home: string; temporalAddress: string; components?: string[] },
): Promise<LocalWorkers> {
  const logs = path.join(opts.home, 'logs');
  fs.mkdirSync(logs, { recursive: true });
  const children: ChildProcess[] = [];
  const stop = async () => {
    await Promise.all(
      children.map(
        (c) =>
          new Promise<void>((resolve) => {
            if (c.exitCode !== null || c.signalCode !== null) return resolve();
            c.once('exit', () => resolve());
            c.kill('SIGTERM');
          }),
      ),
    );
  };
  try {
    await Promise.all(
      Array.from({ length: count }, async (_, i) => {
        const log = path.join(logs, `worker-${i + 1}.log`);
        const fd = fs.openSync(log, 'w');
        // the run's Temporal address, so a child never starts a dev server of its own
        const args = [BIN, 'worker', '--queues', 'cpu', '--concurrency', String(LOCAL_WORKER_CONCURRENCY), '--exit-with-parent'];
        if (opts.components?.length) args.push('--components', opts.components.join(','));
        // stdin is a pipe only this process writes to: when we die (even by kill -9) the child
        // reads EOF and stops, instead of polling on forever under init
        const child = spawn(process.execPath, args, {
          env: { ...process.env, TEMPORAL_ADDRESS: opts.temporalAddress },
          stdio: ['pipe', fd, fd],
        });
        // a child that is gone makes writes (none are made) and the pipe fail: not our crash
        child.stdin!.on('error', () => undefined);
        fs.closeSync(fd);
        children.push(child);
        await waitReady(child, log);
      }),
    );
  } catch (err) {
    await stop();
    throw err;
  }
  return { count, stop };
}

/** Until the child's log says it polls, or it exits, or a minute passes. */
async function waitReady(child: ChildProcess, log: string): Promise<void> {
  const deadline = Date.now() + READY_TIMEOUT_MS;
  for (;;) {
    if (fs.readFileSync(log, 'utf8').includes(READY)) return;
    if (child.exitCode !== null) throw new TsfxError(`a local worker exited with ${child.exitCode} before polling; see ${log}`);
    if (Date.now() > deadline) throw new TsfxError(`a local worker did not start polling within ${READY_TIMEOUT_MS / 1000} s; see ${log}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}
