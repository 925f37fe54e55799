/** `tsfx run`'s progress view, fed LiveProgress snapshots as watchRun gives them. */
import { describe, expect, it } from 'vitest';
import { createProgressView } from '../../src/cli/progress.js';
import type { LiveProgress } from '../../src/orchestration/client.js';

function fakeStream(tty: { isTTY?: boolean; columns?: number }): NodeJS.WriteStream & { text: string } {
  const s = { ...tty, text: '', write: (chunk: string) => ((s.text += chunk), true) };
  return s as unknown as NodeJS.WriteStream & { text: string };
}

const started = Date.now() - 3_000;
const snapshot = (done: number): LiveProgress => ({
  pipeline: 'p',
  runId: 'r',
  nodes: { ExampleGen: { status: 'RUNNING', startedAt: started }, StatisticsGen: { status: 'PENDING' } },
  heartbeats: { ExampleGen: { done, total: 263_200_000, unit: 'bytes', message: 'reading big.csv', attempt: 1 } },
});

describe('progress view', () => {
  it('draws node lines, not a redrawn block, on a terminal that reports no size', () => {
    const stream = fakeStream({ isTTY: true, columns: 0 });
    const view = createProgressView(['ExampleGen', 'StatisticsGen'], stream);
    view.update(snapshot(109_500_000));
    view.done();
    const lines = stream.text.trimEnd().split('\n');
    expect(lines[0]).toMatch(/^ {2}> ExampleGen {2}RUNNING {2}3\.\ds {2}41% 109\.5M\/263\.2M bytes {2}reading big\.csv$/);
    expect(lines[1]).toBe('  · StatisticsGen  PENDING');
    expect(lines).toHaveLength(2);
  });

  it('prints a line per 10% of heartbeat progress and one per state change when not a TTY', () => {
    const stream = fakeStream({});
    const view = createProgressView(['ExampleGen', 'StatisticsGen'], stream);
    for (const done of [0, 1e6, 30e6, 31e6, 263.2e6]) view.update(snapshot(done));
    view.update({ ...snapshot(0), nodes: { ExampleGen: { status: 'COMPLETE', startedAt: started, finishedAt: started + 4_000, outputs: { examples: 7 } } }, heartbeats: {} });
    const lines = stream.text.trimEnd().split('\n').filter((l) => l.includes('ExampleGen'));
    expect(lines.map((l) => /(\d+%|COMPLETE)/.exec(l)?.[1])).toEqual(['0%', '11%', '100%', 'COMPLETE']);
    expect(lines.at(-1)).toBe('  ✔ ExampleGen  COMPLETE  4.0s  examples=#7');
  });
});

describe('progress view of a training node', () => {
  it("draws the Trainer's heartbeat: steps done of total, then epoch, step, loss and the validation metric, and the attempt", () => {
    const stream = fakeStream({});
    const view = createProgressView(['Trainer'], stream);
    const message = 'epoch 3/50 · step 120/300 · loss 0.4123 · val_loss 0.3981';
    view.update({
      pipeline: 'p',
      runId: 'r',
      nodes: { Trainer: { status: 'RUNNING', startedAt: started } },
      heartbeats: { Trainer: { done: 720, total: 15_000, unit: 'steps', message, attempt: 2 } },
    });
    expect(stream.text).toMatch(new RegExp(`^ {2}> Trainer {2}RUNNING {2}3\\.\\ds {2}4% 720/15k steps {2}${message} {2}attempt 2\n$`));
  });
});

describe('progress view on a terminal', () => {
  it("redraws on its own stream (not stdout) with the heartbeat's done/total, clipped to the terminal's width", () => {
    const stream = fakeStream({ isTTY: true, columns: 60 });
    const written: string[] = [];
    const stdoutWrite = process.stdout.write;
    process.stdout.write = ((chunk: string) => (written.push(String(chunk)), true)) as typeof process.stdout.write;
    try {
      const view = createProgressView(['ExampleGen', 'StatisticsGen'], stream);
      view.update(snapshot(109_500_000));
      view.done();
    } finally {
      process.stdout.write = stdoutWrite;
    }
    expect(written.join('')).toBe('');
    // eslint-disable-next-line no-control-regex
    const plain = stream.text.replace(/\u001b\[[0-9;?]*[A-Za-z]/g, '');
    const line = plain.split('\n').find((l) => l.includes('ExampleGen'))!;
    expect(line).toMatch(/^ {2}[⠋⠙⠹⠸⠼⠴⠦⠧⠇⠏] ExampleGen {5}RUNNING {2}3\.\ds {2}41% 109\.5M\/263\.2M bytes\s*…$/);
    expect([...line].length).toBeLessThanOrEqual(59);
  });
});
