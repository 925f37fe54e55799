/**
 * `tsfx schedule create|list|describe|pause|unpause|trigger|backfill|delete`: scheduled
 * retraining on Temporal Schedules (src/orchestration/schedules.ts). The runs themselves happen
 * on whatever `tsfx worker` polls this store's queues, so a schedule needs one running.
 */
import path from 'node:path';
import { Command } from 'commander';
import type { Client } from '@temporalio/client';
import { bindStore, loadConfig, type StoreConfig } from '../config.js';
import { DefinitionError } from '../errors.js';
import { openMetadataStore } from '../metadata/open.js';
import { connectClient } from '../orchestration/client.js';
import { ensureTemporal } from '../orchestration/dev-server.js';
import {
  backfillSchedule,
  checkScheduleId,
  createOrUpdateSchedule,
  deleteSchedule,
  describeSchedule,
  describeTiming,
  listSchedules,
  overlapPolicies,
  pauseSchedule,
  triggerSchedule,
  unpauseSchedule,
  type OverlapName,
  type ScheduleTiming,
} from '../orchestration/schedules.js';
import { loadUserComponents } from './extra-components.js';
import { applyParams, loadPipeline } from './load-pipeline.js';
import { checkParams } from './run.js';
import { table, toJson, when } from './format.js';

const out = (s: string): void => void process.stdout.write(`${s}\n`);
const collect = (value: string, previous: string[]) => [...previous, value];
const OVERLAPS = Object.keys(overlapPolicies) as OverlapName[];

/** A Temporal client and this store's config for one command (the dev server is started if it is ours and down). */
async function withTemporal<T>(fn: (client: Client, config: StoreConfig) => Promise<T>): Promise<T> {
  const unbound = loadConfig();
  const store = await openMetadataStore(unbound.metadataUrl);
  const config = bindStore(unbound, store.storeId);
  await store.close();
  const temporal = await ensureTemporal(unbound, { log: (s) => process.stderr.write(`${s}\n`) });
  const client = await connectClient(temporal.address, config.temporalNamespace);
  try {
    return await fn(client, config);
  } finally {
    await client.connection.close();
  }
}

/** This store's runs that the schedule started, newest first. */
async function withRunsOf(id: string) {
  const store = await openMetadataStore(loadConfig().metadataUrl);
  try {
    return (await store.listRuns()).filter((r) => r.trigger === `schedule:${id}`);
  } finally {
    await store.close();
  }
}

/** Exactly one of --cron / --every. */
export function timingOf(o: { cron?: string; every?: string; timezone?: string }): ScheduleTiming {
  if (o.cron !== undefined && o.every !== undefined)
    throw new DefinitionError('give either --cron "<expression>" or --every <interval>, not both', ['--cron']);
  if (o.cron !== undefined) {
    if (!o.cron.trim()) throw new DefinitionError('--cron is empty: give a cron line, e.g. --cron "0 3 * * *"', ['--cron']);
    return { cron: o.cron.trim(), ...(o.timezone ? { timezone: o.timezone } : {}) };
  }
  if (o.every !== undefined) {
    if (o.timezone) throw new DefinitionError('--timezone only applies to --cron', ['--timezone']);
    return { every: o.every.trim() };
  }
  throw new DefinitionError('say when the schedule runs: --cron "<expression>" (e.g. "0 3 * * *") or --every <interval> (e.g. 1h)', ['--cron']);
}

export function overlapOf(raw: string | undefined): OverlapName | undefined {
  if (raw === undefined) return undefined;
  if (!(OVERLAPS as string[]).includes(raw)) throw new DefinitionError(`--overlap '${raw}': use one of ${OVERLAPS.join(', ')}`, ['--overlap']);
  return raw as OverlapName;
}

function dateOf(raw: string, flag: string): Date {
  const d = new Date(raw);
  if (Number.isNaN(d.getTime())) throw new DefinitionError(`${flag} '${raw}' is not a date (give ISO 8601, e.g. 2026-12-01T00:00:00Z)`, [flag]);
  return d;
}

interface CreateFlags {
  cron?: string;
  every?: string;
  timezone?: string;
  param: string[];
  overlap?: string;
  id?: string;
  json?: boolean;
}

export function registerSchedule(program: Command): void {
  const schedule = program.command('schedule').description('run a pipeline on a timetable (Temporal Schedules); a `tsfx worker` runs the runs');

  schedule
    .command('create')
    .description('create a schedule for a pipeline file, or update the one with this id')
    .argument('<pipeline>', 'pipeline file; it is read anew for every run')
    .option('--cron <expression>', 'cron line, e.g. "0 3 * * *" (UTC unless --timezone), or @daily / @hourly')
    .option('--every <interval>', 'fixed interval, e.g. 30m, 1h, 1d')
    .option('--timezone <tz>', 'IANA time zone for --cron, e.g. Europe/Berlin')
    .option('--param <node.key=value>', 'set a component param for every run (repeatable)', collect, [])
    .option('--overlap <policy>', `when a run is still going at the next time: ${OVERLAPS.join(', ')}`, 'skip')
    .option('--id <name>', "schedule id (default: the pipeline's name)")
    .option('--json')
    .action(async (file: string, o: CreateFlags) => {
      const timing = timingOf(o);
      const overlap = overlapOf(o.overlap);
      if (o.id !== undefined) checkScheduleId(o.id);
      // compiled now, so a broken file or param is refused here rather than at 3 a.m.
      await loadUserComponents();
      const spec = applyParams(await loadPipeline(file), o.param);
      checkParams(spec);
      const id = o.id ?? spec.name;
      checkScheduleId(id);
      const r = await withTemporal((client, config) =>
        createOrUpdateSchedule(client, config, { id, file: path.resolve(file), params: o.param, timing, overlap, pipeline: spec.name }),
      );
      if (o.json) return out(toJson({ id, created: r.created, pipeline: spec.name, when: describeTiming(timing), overlap }));
      out(`${r.created ? 'created' : 'updated'} schedule ${id}: pipeline ${spec.name} ${describeTiming(timing)}, overlap ${overlap}`);
      out('  runs start while a `tsfx worker` polls this store; see them with `tsfx runs` (trigger schedule:' + id + ')');
    });

  schedule
    .command('list')
    .description("this store's schedules")
    .option('--json')
    .action(async (o: { json?: boolean }) =>
      withTemporal(async (client, config) => {
        const list = await listSchedules(client, config);
        if (o.json) return out(toJson(list));
        if (!list.length) return out('no schedules (create one with tsfx schedule create <pipeline.ts> --every 1h)');
        out(
          table(
            ['ID', 'PIPELINE', 'WHEN', 'OVERLAP', 'STATE', 'NEXT RUN', 'RUNS'],
            list.map((s) => [s.id, s.pipeline, s.when, s.overlap, s.paused ? 'paused' : 'active', s.paused ? '' : s.nextRuns[0] ? when(s.nextRuns[0]) : '', s.actionsTaken]),
          ),
        );
      }),
    );

  schedule
    .command('describe')
    .description('one schedule: its pipeline, timetable, next and recent runs')
    .argument('<id>')
    .option('--json')
    .action(async (id: string, o: { json?: boolean }) =>
      withTemporal(async (client, config) => {
        const s = await describeSchedule(client, config, id);
        if (o.json) return out(toJson(s));
        out(`schedule ${s.id}: pipeline ${s.pipeline} (${s.file})`);
        if (s.params.length) out(`  params    ${s.params.join(' ')}`);
        out(`  when      ${s.when}, overlap ${s.overlap}`);
        out(`  state     ${s.paused ? `paused${s.note ? `: ${s.note}` : ''}` : 'active'}`);
        out(`  runs      ${s.actionsTaken} started, ${s.skippedOverlap} skipped (overlap)${s.running.length ? `, running: ${s.running.join(', ')}` : ''}`);
        out(`  next      ${s.paused ? '(paused)' : s.nextRuns.slice(0, 3).map(when).join(', ') || '-'}`);
        if (s.recent.length) {
          out('  recent');
          for (const a of s.recent.slice(-5)) out(`    ${when(a.scheduledAt)}  started ${when(a.takenAt)}  ${a.workflowId}`);
        }
        // what those runs did, from metadata (Temporal only knows they started)
        const runs = await withRunsOf(s.id);
        if (runs.length) {
          out('  runs (metadata, newest first)');
          for (const r of runs.slice(0, 5)) out(`    ${r.pipeline}/${r.runId}  ${r.status}${r.error ? `  ${r.error}` : ''}`);
        }
      }),
    );

  schedule
    .command('pause')
    .description('stop starting runs (a running one goes on)')
    .argument('<id>')
    .option('--note <text>', 'why, shown by describe')
    .action(async (id: string, o: { note?: string }) =>
      withTemporal(async (client, config) => {
        await pauseSchedule(client, config, id, o.note);
        out(`paused schedule ${id}${o.note ? `: ${o.note}` : ''}`);
      }),
    );

  schedule
    .command('unpause')
    .description('start runs on the timetable again')
    .argument('<id>')
    .option('--note <text>')
    .action(async (id: string, o: { note?: string }) =>
      withTemporal(async (client, config) => {
        await unpauseSchedule(client, config, id, o.note);
        out(`unpaused schedule ${id}`);
      }),
    );

  schedule
    .command('trigger')
    .description('start a run now (the overlap policy applies)')
    .argument('<id>')
    .action(async (id: string) =>
      withTemporal(async (client, config) => {
        await triggerSchedule(client, config, id);
        out(`triggered schedule ${id}`);
      }),
    );

  schedule
    .command('backfill')
    .description('take the runs the timetable had between two times (e.g. after an outage)')
    .argument('<id>')
    .requiredOption('--from <iso>', 'start time, ISO 8601')
    .requiredOption('--to <iso>', 'end time, ISO 8601')
    .option('--overlap <policy>', `between the backfilled runs: ${OVERLAPS.join(', ')}`, 'buffer-all')
    .action(async (id: string, o: { from: string; to: string; overlap: string }) => {
      const range = { from: dateOf(o.from, '--from'), to: dateOf(o.to, '--to'), overlap: overlapOf(o.overlap) };
      await withTemporal(async (client, config) => {
        await backfillSchedule(client, config, id, range);
        out(`backfilling schedule ${id} from ${range.from.toISOString()} to ${range.to.toISOString()} (overlap ${range.overlap})`);
      });
    });

  schedule
    .command('delete')
    .description('delete the schedule (its runs stay in metadata; a running one goes on)')
    .argument('<id>')
    .action(async (id: string) =>
      withTemporal(async (client, config) => {
        await deleteSchedule(client, config, id);
        out(`deleted schedule ${id}`);
      }),
    );

  // what a scheduled run's first activity runs in a fresh process (schedule-activity.ts): the spec as JSON
  schedule.addCommand(
    new Command('compile')
      .argument('<pipeline>')
      .option('--param <node.key=value>', '', collect, [])
      .action(async (file: string, o: { param: string[] }) => {
        await loadUserComponents();
        const spec = applyParams(await loadPipeline(file), o.param);
        checkParams(spec);
        process.stdout.write(`\n${JSON.stringify(spec)}\n`);
      }),
    { hidden: true },
  );
}
