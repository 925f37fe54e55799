/**
 * Following a run to its end with the progress view, shared by `tsfx run` and `tsfx resume`:
 * Ctrl-C cancels the run (a second Ctrl-C leaves it running), and a Temporal that stops
 * answering is said in the output and waited out rather than ending the command.
 */
import type { WorkflowHandle } from '@temporalio/client';
import { watchRun } from '../orchestration/client.js';
import type { PipelineRunResult } from '../orchestration/types.js';
import { duration, toJson } from './format.js';
import { createProgressView } from './progress.js';

export interface FollowOptions {
  /** node ids in the order to draw them */
  order: string[];
  json?: boolean;
  say: (line: string) => void;
  /** the Temporal frontend, named in the unreachable line */
  address: string;
}

export async function followRun(handle: WorkflowHandle, opts: FollowOptions): Promise<PipelineRunResult> {
  const { say } = opts;
  const again = () => {
    // the run stays open in Temporal (a cancel may be pending): any worker of this store finishes it
    say(`leaving the run running: \`tsfx resume ${handle.workflowId.split('/')[1]}\` (or any \`tsfx worker\`) carries it on`);
    process.exit(130);
  };
  const onSigint = () => {
    say('canceling the run… (Ctrl-C again to leave it running)');
    process.off('SIGINT', onSigint);
    process.once('SIGINT', again);
    void handle.cancel().catch((err: unknown) => say(`could not cancel: ${(err as Error).message}`));
  };
  process.on('SIGINT', onSigint);
  const view = createProgressView(opts.order, opts.json ? process.stderr : process.stdout);
  const started = Date.now();
  let downSince = 0;
  const result = await watchRun(handle, (p) => view.update(p), {
    onConnection(state, err) {
      if (state === 'unreachable') {
        downSince = Date.now();
        const why = err instanceof Error ? ` (${err.message.split('\n')[0]})` : '';
        view.note(`  ! Temporal at ${opts.address} is unreachable${why}; still waiting for the run (Ctrl-C to stop)`);
      } else {
        view.note(`  ! Temporal at ${opts.address} is back after ${duration(Date.now() - downSince)}`);
      }
    },
  }).finally(() => {
    process.off('SIGINT', onSigint);
    process.off('SIGINT', again);
  });
  view.update({ ...result, heartbeats: {} });
  view.done();
  if (opts.json) process.stdout.write(`${toJson(result)}\n`);
  say(
    `${result.status === 'COMPLETE' ? '✔' : '✘'} run ${result.runId} ${result.status.toLowerCase()} in ${duration(Date.now() - started)}`,
  );
  return result;
}
