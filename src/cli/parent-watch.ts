/**
 * A child worker's tie to the `tsfx run` that spawned it. The parent holds the write end of
 * the child's stdin; the kernel closes it however the parent ends (exit, crash, kill -9), so
 * EOF on stdin is the one signal of the parent's death that needs nothing from the parent.
 */
import type { RunningWorkers } from '../orchestration/worker.js';

/** after EOF, how long a graceful worker shutdown may take before the process just exits */
const SHUTDOWN_GRACE_MS = 10_000;

export function exitWithParent(workers: () => RunningWorkers | undefined): void {
  let gone = false;
  const onGone = () => {
    if (gone) return;
    gone = true;
    process.stderr.write(`parent process gone (stdin closed); worker pid ${process.pid} stopping\n`);
    setTimeout(() => process.exit(1), SHUTDOWN_GRACE_MS).unref();
    const w = workers();
    if (!w) process.exit(1);
    void w.shutdown().finally(() => process.exit(1));
  };
  process.stdin.on('end', onGone);
  process.stdin.on('close', onGone);
  process.stdin.on('error', onGone);
  // flowing mode, or EOF is never read
  process.stdin.resume();
}
