/**
 * Scheduled retraining on a real Temporal dev server with a real worker: a schedule every few
 * seconds on a pipeline folder whose input gets a new span between runs. Metadata shows the
 * runs with trigger schedule:<id>; an unchanged run is all cached; the run after the drop
 * reads the new span and the pipeline file as edited meanwhile, reusing the node whose input
 * did not change; the Evaluator compares it with the model blessed before and `tsfx serve`
 * answers with its version only if it was blessed; pause stops runs, trigger starts one, delete
 * removes the schedule.
 * Then the CLI: create-or-update (an update keeps a pause) and its errors.
 */
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Execution, RunSummary } from '../../src/metadata/store.js';
import type { ScheduledRunResult } from '../../src/orchestration/schedule-activity.js';
import type { ScheduleView } from '../../src/orchestration/schedules.js';
import { runTsfx } from '../helpers/cli.js';
import { startServeProcess } from '../helpers/serve-process.js';
import { e2eEnv, type E2eEnv } from '../helpers/e2e.js';
import { waitFor } from '../helpers/processes.js';
import { dropSpan, writeScheduledPipeline } from '../fixtures/scheduled-pipeline.js';

let env: E2eEnv;
let dir: string;
const id = 'nightly';
const pipeline = 'scheduled-penguin';

beforeAll(async () => {
  env = await e2eEnv('sqlite');
  await env.startWorker();
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tsfx-schedule-'));
});
let stopServe: (() => void) | undefined;
afterAll(async () => {
  stopServe?.();
  await runTsfx(env.env, 'schedule', 'delete', id).catch(() => undefined);
  await env?.close();
});

const tsfx = async (...args: string[]) => {
  const r = await runTsfx(env.env, ...args);
  expect(r.code, `tsfx ${args.join(' ')}\n${r.stdout}\n${r.stderr}`).toBe(0);
  return r.stdout;
};
const describeIt = async () => JSON.parse(await tsfx('schedule', 'describe', id, '--json')) as ScheduleView;
const scheduledRuns = async () =>
  (await env.store.listRuns({ pipeline })).filter((r) => r.trigger === `schedule:${id}`);
const nodesOf = async (runId: string) =>
  Object.fromEntries(
    (await env.store.listExecutions({ pipeline, runId }))
      // ImportSchemaGen's driver records the schema file's import as an Importer execution of its node
      .filter((e) => e.type !== 'Importer')
      .map((e) => [e.nodeId, e]),
  ) as Record<string, Execution>;
const examplesOf = async (exec: Execution) => {
  const ev = (await env.store.eventsOfExecution(exec.id)).find((e) => e.type === 'OUTPUT' && e.name === 'examples')!;
  return (await env.store.getArtifact(ev.artifactId))!;
};
/** The pipeline run a schedule action (a scheduledRun workflow) started, once it has finished. */
const runOfAction = async (workflowId: string) => {
  const r = (await env.client.workflow.getHandle(workflowId).result()) as ScheduledRunResult;
  return (await env.store.listRuns({ pipeline })).find((x) => x.runId === r.runId)!;
};
/** The first action Temporal took after `since`, and the run it made. */
const nextActionRun = async (since: Date, what: string): Promise<RunSummary> => {
  const action = await waitFor(
    what,
    async () => (await describeIt()).recent.find((a) => new Date(a.takenAt) > since),
    180_000,
    1_000,
  );
  return runOfAction(action.workflowId);
};

/** Evaluator against the blessed baseline, then Pusher to `<dir>/serving/scheduled-penguin/`. */
const evaluateAndPush = `
  const evaluator = p.add(Evaluator({
    examples: gen.outputs.examples,
    model: trainer.outputs.model,
    // any first model is blessed; later ones must be no worse than the blessed baseline
    thresholds: { accuracy: { value: { lowerBound: 0 }, change: { direction: 'higherIsBetter', absolute: -1e-10 } } },
  }));
  p.add(Pusher({ model: trainer.outputs.model, blessing: evaluator.outputs.blessing, servingModel: 'scheduled-penguin', base: 'serving' }));
`;

/** The versions the endpoint reports AVAILABLE. */
async function availableVersions(url: string, model: string): Promise<number[]> {
  const res = await fetch(`${url}/v1/models/${model}`);
  if (res.status !== 200) return [];
  const body = (await res.json()) as { model_version_status: { version: string; state: string }[] };
  return body.model_version_status.filter((v) => v.state === 'AVAILABLE').map((v) => Number(v.version));
}

describe('a schedule', () => {
  it('retrains on the latest span, from the file as it is at each run; serves it only if blessed; pause, trigger, delete', async () => {
    const file = writeScheduledPipeline(dir, { name: pipeline, epochs: 2, extraNodes: evaluateAndPush });
    const span1Rows = dropSpan(dir, 1, (i) => i % 2 === 0);
    const created = await tsfx(
      'schedule',
      'create',
      file,
      '--every',
      '3s',
      '--id',
      id,
      '--param',
      'ExampleGen.input=data/span-{SPAN}.json',
    );
    expect(created).toContain(`created schedule ${id}: pipeline ${pipeline} every 3s, overlap skip`);
    // Temporal's list reads its visibility store, which may lag a create by a moment
    const listed = await waitFor('the schedule to be listed', async () => {
      const l = JSON.parse(await tsfx('schedule', 'list', '--json')) as ScheduleView[];
      return l.length > 0 && l;
    });
    expect(listed.map((s) => s.id)).toEqual([id]);
    expect(listed[0]).toMatchObject({
      pipeline,
      file,
      params: ['ExampleGen.input=data/span-{SPAN}.json'],
      when: 'every 3s',
      paused: false,
    });

    // run 1: everything runs, on span 1
    const first = await waitFor(
      'a first scheduled run to complete',
      async () => (await scheduledRuns()).find((r) => r.status === 'COMPLETE'),
      300_000,
      1_000,
    );
    const n1 = await nodesOf(first.runId);
    expect(Object.values(n1).map((e) => e.state)).toEqual(Array(8).fill('COMPLETE'));
    // the first model had no baseline: blessed, pushed as version 1, and served
    const serve = await startServeProcess(env.env, '--model-base', path.join(dir, 'serving'), '--poll-ms', '200');
    stopServe = serve.stop;
    expect(
      await waitFor(
        'version 1 to be served',
        async () => (await availableVersions(serve.url, 'scheduled-penguin')).join() === '1' || undefined,
        60_000,
        200,
      ),
    ).toBe(true);
    const ex1 = await examplesOf(n1.ExampleGen!);
    expect(ex1.properties.span).toBe(1);
    const rows = (p: Record<string, unknown>) =>
      Object.values(p.rowCounts as Record<string, number>).reduce((a, b) => a + b, 0);
    expect(rows(ex1.properties)).toBe(span1Rows);

    // a later run with nothing new: every node is reused
    const second = await nextActionRun(new Date(first.endTime.getTime() + 1), 'a scheduled run after the first');
    expect(second.status).toBe('COMPLETE');
    expect(second.trigger).toBe(`schedule:${id}`);
    const n2 = await nodesOf(second.runId);
    expect(Object.fromEntries(Object.entries(n2).map(([k, e]) => [k, e.state]))).toEqual(
      Object.fromEntries(Object.keys(n1).map((k) => [k, 'CACHED'])),
    );

    // between runs: a new span lands and the pipeline file is edited (3 epochs)
    await tsfx('schedule', 'pause', id, '--note', 'dropping span 2');
    const paused = await describeIt();
    expect(paused).toMatchObject({ paused: true, note: 'dropping span 2' });
    const span2Rows = dropSpan(dir, 2, () => true);
    writeScheduledPipeline(dir, { name: pipeline, epochs: 3, extraNodes: evaluateAndPush });
    const resumedAt = new Date();
    await tsfx('schedule', 'unpause', id);
    const third = await nextActionRun(resumedAt, 'a scheduled run after the drop');
    expect(third.status, third.error).toBe('COMPLETE');
    const n3 = await nodesOf(third.runId);
    const ex3 = await examplesOf(n3.ExampleGen!);
    expect(n3.ExampleGen!.state).toBe('COMPLETE');
    expect(ex3.properties.span).toBe(2);
    expect(rows(ex3.properties)).toBe(span2Rows);
    expect(n3.ImportSchemaGen!.state).toBe('CACHED');
    for (const node of ['StatisticsGen', 'SchemaGen', 'Transform', 'Trainer', 'Evaluator', 'Pusher'])
      expect(n3[node]!.state, node).toBe('COMPLETE');
    // the Evaluator compared the new model with run 1's blessed one; the endpoint serves the new
    // version exactly when it was blessed
    const out3 = async (exec: Execution, name: string) =>
      (await env.store.getArtifact(
        (await env.store.eventsOfExecution(exec.id)).find((e) => e.type === 'OUTPUT' && e.name === name)!.artifactId,
      ))!;
    const model1 = await out3(n1.Trainer!, 'model');
    const blessing3 = await out3(n3.Evaluator!, 'blessing');
    expect(blessing3.properties.baselineModel).toBe(model1.id);
    const pushed3 = await out3(n3.Pusher!, 'pushedModel');
    expect(pushed3.properties.pushed).toBe(blessing3.properties.blessed);
    const want = blessing3.properties.blessed ? '2' : '1';
    expect(
      await waitFor(
        `the endpoint to serve version ${want}`,
        async () => (await availableVersions(serve.url, 'scheduled-penguin')).join() === want || undefined,
        60_000,
        200,
      ),
    ).toBe(true);
    // the Trainer of the edited file: 3 epochs, on span 2's examples (lineage)
    expect((n3.Trainer!.properties.params as { epochs: number }).epochs).toBe(3);
    const modelEv = (await env.store.eventsOfExecution(n3.Trainer!.id)).find(
      (e) => e.type === 'OUTPUT' && e.name === 'model',
    )!;
    const up = JSON.stringify(await env.store.lineage(modelEv.artifactId, 'upstream', 10));
    expect(up).toContain(`"id":${ex3.id}`);
    expect(up).not.toContain(`"id":${ex1.id},`);

    // tsfx runs shows who started each run
    const runsJson = JSON.parse(await tsfx('runs', '--pipeline', pipeline, '--json', '--limit', '100')) as RunSummary[];
    for (const r of [first, second, third])
      expect(runsJson.find((x) => x.runId === r.runId)?.trigger).toBe(`schedule:${id}`);
    expect(await tsfx('runs', '--pipeline', pipeline)).toMatch(
      new RegExp(`${third.runId}\\s+COMPLETE\\s+schedule:${id}`),
    );
    expect(await tsfx('schedule', 'describe', id)).toContain(`${pipeline}/${third.runId}  COMPLETE`);

    // paused: no action for several intervals; trigger starts one at once
    await tsfx('schedule', 'pause', id);
    const before = await waitFor(
      'running actions to end',
      async () => {
        const d = await describeIt();
        return d.running.length === 0 && d;
      },
      240_000,
      1_000,
    );
    await new Promise((r) => setTimeout(r, 10_000));
    const after = await describeIt();
    expect(after.actionsTaken).toBe(before.actionsTaken);
    expect(after.paused).toBe(true);
    const triggeredAt = new Date();
    await tsfx('schedule', 'trigger', id);
    const triggered = await nextActionRun(triggeredAt, 'the triggered run');
    expect(triggered).toMatchObject({ status: 'COMPLETE', trigger: `schedule:${id}` });
    expect((await describeIt()).actionsTaken).toBe(before.actionsTaken + 1);

    await tsfx('schedule', 'delete', id);
    const gone = await runTsfx(env.env, 'schedule', 'describe', id);
    expect(gone.code).toBe(2);
    expect(gone.stderr).toContain(`no schedule '${id}'`);
    // the runs stay in metadata
    expect((await scheduledRuns()).length).toBeGreaterThanOrEqual(4);
  }, 900_000);
});

describe('a scheduled run on `tsfx worker`', () => {
  it('runs a custom component that the pipeline file registers, though the worker was not told of it', async () => {
    // queues of their own: only the worker process below polls them
    const own = { ...env.env, TSFX_QUEUE_PREFIX: `${env.env.TSFX_QUEUE_PREFIX}w-` };
    const worker = spawn(process.execPath, ['bin/tsfx.js', 'worker'], { env: own, stdio: ['ignore', 'pipe', 'pipe'] });
    let said = '';
    worker.stdout!.on('data', (d: Buffer) => (said += d.toString()));
    worker.stderr!.on('data', (d: Buffer) => (said += d.toString()));
    try {
      await waitFor('the worker to poll', () => said.includes('worker polling'), 120_000);
      const made = await runTsfx(
        own,
        'schedule',
        'create',
        'pipelines/penguin-custom.ts',
        '--cron',
        '0 3 1 1 *',
        '--id',
        'custom',
      );
      expect(made.code, made.stderr).toBe(0);
      const at = new Date();
      expect((await runTsfx(own, 'schedule', 'trigger', 'custom')).code).toBe(0);
      const action = await waitFor(
        'the triggered action',
        async () => {
          const d = JSON.parse((await runTsfx(own, 'schedule', 'describe', 'custom', '--json')).stdout) as ScheduleView;
          return d.recent.find((a) => new Date(a.takenAt) > at);
        },
        120_000,
        1_000,
      );
      const r = (await env.client.workflow.getHandle(action.workflowId).result()) as ScheduledRunResult;
      expect(r).toMatchObject({ pipeline: 'penguin-custom', status: 'COMPLETE' });
      const [run] = (await env.store.listRuns({ pipeline: 'penguin-custom' })).filter((x) => x.runId === r.runId);
      expect(run).toMatchObject({ status: 'COMPLETE', trigger: 'schedule:custom' });
      const missing = (
        await env.store.listExecutions({ pipeline: 'penguin-custom', runId: r.runId, nodeId: 'MissingValues' })
      )[0]!;
      expect(missing.state).toBe('COMPLETE');
    } finally {
      await runTsfx(own, 'schedule', 'delete', 'custom');
      worker.kill('SIGTERM');
    }
  }, 400_000);
});

describe('tsfx schedule (CLI)', () => {
  it('create updates a schedule that exists, keeping its pause; errors say what is wrong', async () => {
    const cliDir = fs.mkdtempSync(path.join(os.tmpdir(), 'tsfx-schedule-cli-'));
    const file = writeScheduledPipeline(cliDir, { name: 'cli-penguin', epochs: 1 });
    // far apart, so nothing runs during this test
    expect(await tsfx('schedule', 'create', file, '--cron', '0 3 * * *')).toContain(
      'created schedule cli-penguin: pipeline cli-penguin cron "0 3 * * *"',
    );
    await tsfx('schedule', 'pause', 'cli-penguin', '--note', 'holiday');
    const updated = await tsfx(
      'schedule',
      'create',
      file,
      '--every',
      '12h',
      '--overlap',
      'buffer-one',
      '--param',
      'Trainer.epochs=4',
    );
    expect(updated).toContain('updated schedule cli-penguin: pipeline cli-penguin every 12h, overlap buffer-one');
    const d = JSON.parse(await tsfx('schedule', 'describe', 'cli-penguin', '--json')) as ScheduleView;
    expect(d).toMatchObject({
      when: 'every 12h',
      overlap: 'buffer-one',
      params: ['Trainer.epochs=4'],
      paused: true,
      note: 'holiday',
    });
    expect(await tsfx('schedule', 'describe', 'cli-penguin')).toMatch(/state\s+paused: holiday/);

    const fails = async (args: string[], message: string | RegExp) => {
      const r = await runTsfx(env.env, 'schedule', ...args);
      expect(r.code, `${args.join(' ')}: ${r.stdout}${r.stderr}`).toBe(2);
      expect(r.stderr).toMatch(message);
    };
    await fails(['create', file], /--cron "<expression>".*or --every <interval>/);
    await fails(['create', file, '--cron', '0 3 * * *', '--every', '1h'], /either --cron .* or --every .*, not both/);
    await fails(['create', file, '--every', 'soon'], /--every 'soon' is not an interval/);
    await fails(
      ['create', file, '--cron', 'every day at noon'],
      /--cron "every day at noon" is not a schedule Temporal accepts/,
    );
    await fails(
      ['create', file, '--every', '1h', '--overlap', 'queue'],
      /--overlap 'queue': use one of skip, buffer-one, buffer-all, cancel-other, terminate-other, allow-all/,
    );
    await fails(['create', file, '--every', '1h', '--param', 'Nope.x=1'], /--param 'Nope.x=1': no node 'Nope'/);
    await fails(['create', path.join(cliDir, 'missing.ts'), '--every', '1h'], /missing.ts does not exist/);
    await fails(['create', file, '--every', '1h', '--id', 'a b'], /schedule id 'a b'/);
    for (const verb of ['describe', 'pause', 'unpause', 'trigger', 'delete'])
      await fails([verb, 'no-such'], /no schedule 'no-such' in this store \(schedules: (.*, )?cli-penguin\b/);
    await fails(
      ['backfill', 'cli-penguin', '--from', '2026-01-02T00:00:00Z', '--to', '2026-01-01T00:00:00Z'],
      /must be before --to/,
    );
    await fails(
      ['backfill', 'cli-penguin', '--from', 'yesterday', '--to', '2026-01-01T00:00:00Z'],
      /--from 'yesterday' is not a date/,
    );
    // a backfill takes exactly the times the timetable had in the range: every 12h is 00:00 and 12:00 UTC
    await tsfx('schedule', 'unpause', 'cli-penguin');
    expect(
      await tsfx(
        'schedule',
        'backfill',
        'cli-penguin',
        '--from',
        '2026-01-01T11:00:00Z',
        '--to',
        '2026-01-01T13:00:00Z',
      ),
    ).toContain(
      'backfilling schedule cli-penguin from 2026-01-01T11:00:00.000Z to 2026-01-01T13:00:00.000Z (overlap buffer-all)',
    );
    const backfilled = await waitFor(
      'the backfilled action',
      async () => {
        const s = JSON.parse(await tsfx('schedule', 'describe', 'cli-penguin', '--json')) as ScheduleView;
        return s.actionsTaken > 0 && s;
      },
      120_000,
      1_000,
    );
    expect(backfilled.actionsTaken).toBe(1);
    expect(backfilled.recent.map((a) => a.scheduledAt)).toEqual(['2026-01-01T12:00:00.000Z']);
    await tsfx('schedule', 'delete', 'cli-penguin');
    // each CLI call is a Node process loading tsx and the CLI: seconds apiece on a busy machine
  }, 480_000);
});
