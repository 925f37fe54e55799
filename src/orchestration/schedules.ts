/**
 * Scheduled retraining on Temporal Schedules: a schedule's action starts the scheduledRun
 * workflow (workflows/scheduled-run.ts), which compiles the pipeline file as it is then and runs
 * it as a pipelineRun. Temporal keeps the timetable, the overlap policy, pausing, backfills and
 * the record of recent actions; this module names schedules per store and turns Temporal's
 * errors into ones that say which schedule.
 *
 * A schedule's Temporal id is `<id>/<store tag>` (as a run's workflow id names its store), so
 * two stores on one server can both have a schedule `penguin`, and each lists only its own.
 */
import {
  ScheduleAlreadyRunning,
  ScheduleNotFoundError,
  ScheduleOverlapPolicy,
  type Client,
  type ScheduleDescription,
  type ScheduleHandle,
  type ScheduleOptions,
  type ScheduleSpec,
} from '@temporalio/client';
import type { Duration } from '@temporalio/common';
import type { StoreConfig } from '../config.js';
import { DefinitionError } from '../errors.js';
import type { ScheduledRunInput } from './schedule-activity.js';
import { storeTag } from './types.js';

/** The overlap policies, as the CLI spells them (Temporal's names in kebab case). */
export const overlapPolicies = {
  skip: ScheduleOverlapPolicy.SKIP,
  'buffer-one': ScheduleOverlapPolicy.BUFFER_ONE,
  'buffer-all': ScheduleOverlapPolicy.BUFFER_ALL,
  'cancel-other': ScheduleOverlapPolicy.CANCEL_OTHER,
  'terminate-other': ScheduleOverlapPolicy.TERMINATE_OTHER,
  'allow-all': ScheduleOverlapPolicy.ALLOW_ALL,
} as const;
export type OverlapName = keyof typeof overlapPolicies;

/** When a schedule fires: a cron line (Temporal's cron syntax, incl. `@hourly`) or a fixed interval. */
export type ScheduleTiming = { cron: string; timezone?: string } | { every: string };

export interface ScheduleDefinition {
  /** the schedule's name (default: the pipeline's name) */
  id: string;
  /** the pipeline file; stored absolute, and read anew at every run */
  file: string;
  params: string[];
  timing: ScheduleTiming;
  /** default skip: a run still going when the next is due makes that one be skipped */
  overlap?: OverlapName;
  /** the pipeline's name, shown by list/describe (the file may rename it later; runs record the name they had) */
  pipeline: string;
}

export interface ScheduleView {
  id: string;
  pipeline: string;
  file: string;
  params: string[];
  when: string;
  overlap: OverlapName;
  paused: boolean;
  note?: string;
  nextRuns: Date[];
  recent: { scheduledAt: Date; takenAt: Date; workflowId: string }[];
  /** scheduledRun workflows running now */
  running: string[];
  actionsTaken: number;
  skippedOverlap: number;
  createdAt: Date;
}

const ID = /^[A-Za-z0-9][A-Za-z0-9._-]{0,99}$/;
/** `90s`, `5m`, `1h`, `2d`, `1h30m`: what Temporal's interval (ms-style durations) takes, in whole units */
const EVERY = /^(\d+(ms|s|m|h|d))+$/;

export const temporalScheduleId = (id: string, storeId: string) => `${id}/${storeTag(storeId)}`;

export function checkScheduleId(id: string): void {
  if (!ID.test(id))
    throw new DefinitionError(`schedule id '${id}': use letters, digits, '.', '_' and '-' (starting with a letter or digit), at most 100`, ['--id']);
}

export function describeTiming(t: ScheduleTiming): string {
  return 'cron' in t ? `cron "${t.cron}"${t.timezone ? ` (${t.timezone})` : ''}` : `every ${t.every}`;
}

function specOf(t: ScheduleTiming): ScheduleSpec {
  if ('cron' in t) return { cronExpressions: [t.cron], ...(t.timezone ? { timezone: t.timezone } : {}) };
  if (!EVERY.test(t.every))
    throw new DefinitionError(`--every '${t.every}' is not an interval: give a number and a unit, e.g. 30s, 15m, 1h, 1d, 1h30m`, ['--every']);
  return { intervals: [{ every: t.every as Duration }] };
}

/**
 * Create the schedule, or update it when one with this id exists (Temporal's create throws
 * ScheduleAlreadyRunning then): same id, new file/params/timing/overlap. An update keeps the
 * schedule's paused state and note: re-running the same `create` never silently unpauses it.
 */
export async function createOrUpdateSchedule(
  client: Client,
  config: StoreConfig,
  def: ScheduleDefinition,
): Promise<{ created: boolean; scheduleId: string }> {
  checkScheduleId(def.id);
  const scheduleId = temporalScheduleId(def.id, config.storeId);
  const input: ScheduledRunInput = {
    storeId: config.storeId,
    scheduleId: def.id,
    file: def.file,
    params: def.params,
    queuePrefix: config.queuePrefix,
    when: describeTiming(def.timing),
  };
  const spec = specOf(def.timing);
  const action = {
    type: 'startWorkflow' as const,
    workflowType: 'scheduledRun',
    // Temporal appends the scheduled time: `schedule/<id>/<tag>-2026-12-01T18:00:00Z`
    workflowId: `schedule/${scheduleId}`,
    taskQueue: `${config.queuePrefix}cpu`,
    args: [input],
    memo: { pipeline: def.pipeline, schedule: def.id },
  };
  const policies = { overlap: overlapPolicies[def.overlap ?? 'skip'], catchupWindow: '1 minute' };
  const options: ScheduleOptions = { scheduleId, spec, action, policies, memo: { pipeline: def.pipeline } };
  try {
    await rethrowSpecError(def.timing, () => client.schedule.create(options));
    return { created: true, scheduleId };
  } catch (err) {
    if (!(err instanceof ScheduleAlreadyRunning)) throw err;
  }
  await rethrowSpecError(def.timing, () =>
    client.schedule.getHandle(scheduleId).update((prev) => ({ spec, action, policies, state: { paused: prev.state.paused, note: prev.state.note } })),
  );
  return { created: false, scheduleId };
}

/** The server rejects a bad cron line with a TypeError (the SDK's mapping): say which flag. */
async function rethrowSpecError<T>(timing: ScheduleTiming, call: () => Promise<T>): Promise<T> {
  try {
    return await call();
  } catch (err) {
    if (err instanceof TypeError && 'cron' in timing)
      throw new DefinitionError(`--cron "${timing.cron}" is not a schedule Temporal accepts: ${err.message}`, ['--cron']);
    throw err;
  }
}

/** This store's schedules, by id. */
export async function listSchedules(client: Client, config: StoreConfig): Promise<ScheduleView[]> {
  const suffix = `/${storeTag(config.storeId)}`;
  const ids: string[] = [];
  for await (const s of client.schedule.list()) if (s.scheduleId.endsWith(suffix)) ids.push(s.scheduleId.slice(0, -suffix.length));
  const views = await Promise.all(ids.map((id) => describeSchedule(client, config, id).catch(() => undefined)));
  return views.filter((v): v is ScheduleView => v !== undefined).sort((a, b) => a.id.localeCompare(b.id));
}

export async function describeSchedule(client: Client, config: StoreConfig, id: string): Promise<ScheduleView> {
  const d = await withSchedule(client, config, id, (h) => h.describe());
  return viewOf(id, d);
}

function viewOf(id: string, d: ScheduleDescription): ScheduleView {
  const input = d.action.args?.[0] as ScheduledRunInput | undefined;
  const overlap = (Object.entries(overlapPolicies).find(([, v]) => v === d.policies.overlap)?.[0] ?? 'skip') as OverlapName;
  return {
    id,
    pipeline: String((d.action.memo as { pipeline?: unknown } | undefined)?.pipeline ?? d.memo?.pipeline ?? '?'),
    file: input?.file ?? '?',
    params: input?.params ?? [],
    when: input?.when ?? '?',
    overlap,
    paused: d.state.paused,
    ...(d.state.paused && d.state.note ? { note: d.state.note } : {}),
    nextRuns: d.info.nextActionTimes,
    recent: d.info.recentActions.map((a) => ({ scheduledAt: a.scheduledAt, takenAt: a.takenAt, workflowId: a.action.workflow.workflowId })),
    running: d.info.runningActions.map((a) => a.workflow.workflowId),
    actionsTaken: d.info.numActionsTaken,
    skippedOverlap: d.info.numActionsSkippedOverlap,
    createdAt: d.info.createdAt,
  };
}

export const pauseSchedule = (client: Client, config: StoreConfig, id: string, note?: string) =>
  withSchedule(client, config, id, (h) => h.pause(note ?? 'paused with tsfx schedule pause'));

export const unpauseSchedule = (client: Client, config: StoreConfig, id: string, note?: string) =>
  withSchedule(client, config, id, (h) => h.unpause(note ?? 'unpaused with tsfx schedule unpause'));

/** Start a run now, whatever the timetable; the schedule's overlap policy decides if one is running. */
export const triggerSchedule = (client: Client, config: StoreConfig, id: string) =>
  withSchedule(client, config, id, async (h) => h.trigger((await h.describe()).policies.overlap));

/**
 * Take the actions the schedule would have taken between `from` and `to` (now), e.g. after an
 * outage longer than the catch-up window. `overlap` default: buffer-all, so every missed run
 * happens, one after another (skip would drop all but the first).
 */
export async function backfillSchedule(
  client: Client,
  config: StoreConfig,
  id: string,
  range: { from: Date; to: Date; overlap?: OverlapName },
): Promise<void> {
  if (!(range.from < range.to))
    throw new DefinitionError(`backfill: --from ${range.from.toISOString()} must be before --to ${range.to.toISOString()}`, ['--from']);
  await withSchedule(client, config, id, (h) =>
    h.backfill({ start: range.from, end: range.to, overlap: overlapPolicies[range.overlap ?? 'buffer-all'] }),
  );
}

/** Delete the schedule; runs it started are left as they are (running ones go on). */
export const deleteSchedule = (client: Client, config: StoreConfig, id: string) => withSchedule(client, config, id, (h) => h.delete());

/** Call `fn` on the schedule's handle; an id Temporal does not know is a DefinitionError naming it and the known ones. */
async function withSchedule<T>(client: Client, config: StoreConfig, id: string, fn: (h: ScheduleHandle) => Promise<T>): Promise<T> {
  checkScheduleId(id);
  try {
    return await fn(client.schedule.getHandle(temporalScheduleId(id, config.storeId)));
  } catch (err) {
    if (!(err instanceof ScheduleNotFoundError)) throw err;
    const suffix = `/${storeTag(config.storeId)}`;
    const known: string[] = [];
    for await (const s of client.schedule.list()) if (s.scheduleId.endsWith(suffix)) known.push(s.scheduleId.slice(0, -suffix.length));
    throw new DefinitionError(`no schedule '${id}' in this store (${known.length ? `schedules: ${known.sort().join(', ')}` : 'it has none'})`);
  }
}
