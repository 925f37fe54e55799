/**
 * Read-only queries: artifact and execution listings, the latest artifact of a type in a
 * pipeline, and runs summarised from their executions.
 */
import { isDeepStrictEqual } from 'node:util';
import { sql } from 'kysely';
import type { ArtifactTypeName } from '../../schemas/artifacts.js';
import type { Db } from './schema.js';
import { contextNames } from './schema.js';
import type { TypeIds } from './links.js';
import { selectArtifacts, selectContexts, selectExecutions, toArtifact, toContext, toExecution } from './rows.js';
import type { RunContextProperties } from './run-state.js';
import type { Artifact, Context, ContextType, Execution, ExecutionState, RunSummary } from './store.js';

export interface ArtifactFilter {
  type?: ArtifactTypeName;
  pipeline?: string;
  runId?: string;
  /** one state, or 'any'; by default every state but PENDING (reserved, not published) */
  state?: Artifact['state'] | 'any';
  limit?: number;
  offset?: number;
}

/** LIKE pattern matching `text` literally (with ESCAPE '\'). */
const likeLiteral = (text: string) => text.replace(/[\\%_]/g, (c) => `\\${c}`);

/** Artifacts newest first; pipeline / run filters go through attributions to their contexts. */
export async function queryArtifacts(db: Db, types: TypeIds, f: ArtifactFilter): Promise<Artifact[]> {
  let q = selectArtifacts(db);
  if (f.type) {
    const typeId = await types.find('artifact', f.type);
    if (typeId === undefined) return [];
    q = q.where('a.type_id', '=', typeId);
  }
  if (f.state === undefined) q = q.where('a.state', '!=', 'PENDING');
  else if (f.state !== 'any') q = q.where('a.state', '=', f.state);
  if (f.pipeline !== undefined || f.runId !== undefined) {
    const contextType: ContextType = f.runId !== undefined ? 'pipeline_run' : 'pipeline';
    const ctxTypeId = await types.find('context', contextType);
    if (ctxTypeId === undefined) return [];
    let contexts = db.selectFrom('context as c').select('c.id').where('c.type_id', '=', ctxTypeId);
    if (f.runId === undefined) contexts = contexts.where('c.name', '=', contextNames.pipeline(f.pipeline!));
    else if (f.pipeline !== undefined)
      contexts = contexts.where('c.name', '=', contextNames.pipelineRun(f.pipeline, f.runId));
    else contexts = contexts.where(sql<boolean>`${sql.ref('c.name')} like ${'%/' + likeLiteral(f.runId)} escape '\\'`);
    q = q.where('a.id', 'in', db.selectFrom('attribution').select('artifact_id').where('context_id', 'in', contexts));
  }
  q = q.orderBy('a.create_time', 'desc').orderBy('a.id', 'desc');
  if (f.limit !== undefined) q = q.limit(f.limit);
  if (f.offset) q = q.offset(f.offset);
  return (await q.execute()).map(toArtifact);
}

/**
 * Newest LIVE artifact of a type in a pipeline whose properties equal every `where` entry
 * (deep equality). The property match runs in JS, page by page, because SQLite and PostgreSQL
 * compare JSON values differently (SQLite's json_extract turns `true` into 1).
 */
export async function queryLatestArtifact(
  db: Db,
  types: TypeIds,
  f: { type: ArtifactTypeName; pipeline: string; where?: Record<string, unknown> },
): Promise<Artifact | undefined> {
  const where = Object.entries(f.where ?? {});
  const page = where.length ? 100 : 1;
  for (let offset = 0; ; offset += page) {
    const rows = await queryArtifacts(db, types, {
      type: f.type,
      pipeline: f.pipeline,
      state: 'LIVE',
      limit: page,
      offset,
    });
    const hit = rows.find((a) => where.every(([k, v]) => isDeepStrictEqual(a.properties[k], v)));
    if (hit || rows.length < page) return hit;
  }
}

export async function queryExecutions(
  db: Db,
  f: { pipeline?: string; runId?: string; nodeId?: string; state?: ExecutionState },
): Promise<Execution[]> {
  let q = selectExecutions(db);
  if (f.pipeline !== undefined) q = q.where('x.pipeline', '=', f.pipeline);
  if (f.runId !== undefined) q = q.where('x.run_id', '=', f.runId);
  if (f.nodeId !== undefined) q = q.where('x.node_id', '=', f.nodeId);
  if (f.state !== undefined) q = q.where('x.state', '=', f.state);
  return (await q.orderBy('x.create_time').orderBy('x.id').execute()).map(toExecution);
}

/** FAILED > RUNNING > CANCELED > COMPLETE; NEW counts as running (the run is not over). */
export function runStatus(states: Partial<Record<ExecutionState, number>>): RunSummary['status'] {
  if (states.FAILED) return 'FAILED';
  if (states.RUNNING || states.NEW) return 'RUNNING';
  if (states.CANCELED) return 'CANCELED';
  return 'COMPLETE';
}

/** The key of a run in maps and sets: pipeline and run id together (run ids repeat across pipelines). */
export const runKey = (pipeline: string, runId: string) => JSON.stringify([pipeline, runId]);

/**
 * Runs newest first: the executions of each summarised, and its state as the workflow recorded
 * it (run-state.ts) where there is one; a run with no execution (it failed before any node
 * started) still appears from its context.
 */
export async function queryRuns(db: Db, f: { pipeline?: string; limit?: number }): Promise<RunSummary[]> {
  let runs = db
    .selectFrom('execution')
    .select((eb) => [
      'pipeline',
      'run_id',
      eb.fn.min('create_time').as('start_time'),
      eb.fn.max('update_time').as('end_time'),
      eb.fn.max('workflow_id').as('workflow_id'),
    ])
    .groupBy(['pipeline', 'run_id']);
  if (f.pipeline !== undefined) runs = runs.where('pipeline', '=', f.pipeline);
  const rows = await runs.execute();
  const contexts = (
    await selectContexts(db).where('t.name', '=', 'pipeline_run').where('t.kind', '=', 'context').execute()
  ).map(toContext);

  const counts = rows.length
    ? await db
        .selectFrom('execution')
        .select((eb) => ['pipeline', 'run_id', 'state', eb.fn.countAll().as('n')])
        .where('run_id', 'in', [...new Set(rows.map((r) => r.run_id))])
        .where('pipeline', 'in', [...new Set(rows.map((r) => r.pipeline))])
        .groupBy(['pipeline', 'run_id', 'state'])
        .execute()
    : [];
  const byRun = new Map<string, Partial<Record<ExecutionState, number>>>();
  for (const c of counts) {
    const key = runKey(c.pipeline, c.run_id);
    const states = byRun.get(key) ?? {};
    states[c.state] = Number(c.n);
    byRun.set(key, states);
  }
  const summaries = new Map<string, RunSummary>();
  for (const r of rows) {
    const states = byRun.get(runKey(r.pipeline, r.run_id)) ?? {};
    summaries.set(runKey(r.pipeline, r.run_id), {
      pipeline: r.pipeline,
      runId: r.run_id,
      workflowId: r.workflow_id ?? null,
      startTime: new Date(Number(r.start_time)),
      endTime: new Date(Number(r.end_time)),
      states,
      status: runStatus(states),
      trigger: 'manual',
    });
  }
  for (const c of contexts) {
    const p = c.properties as { pipeline?: string; runId?: string; workflowId?: string } & RunContextProperties;
    if (typeof p.pipeline !== 'string' || typeof p.runId !== 'string' || !p.state) continue;
    if (f.pipeline !== undefined && p.pipeline !== f.pipeline) continue;
    const key = runKey(p.pipeline, p.runId);
    const known = summaries.get(key);
    const start = p.startTime !== undefined ? new Date(p.startTime) : c.createTime;
    summaries.set(key, {
      pipeline: p.pipeline,
      runId: p.runId,
      workflowId: p.workflowId ?? known?.workflowId ?? null,
      startTime: known && known.startTime < start ? known.startTime : start,
      endTime: p.endTime !== undefined ? new Date(p.endTime) : (known?.endTime ?? start),
      states: known?.states ?? {},
      // the workflow's own outcome: a halted run is FAILED though its executions are COMPLETE
      status: p.state,
      trigger: p.trigger ?? 'manual',
      ...(p.error !== undefined ? { error: p.error } : {}),
    });
  }
  const sorted = [...summaries.values()].sort(
    (a, b) => b.startTime.getTime() - a.startTime.getTime() || (a.runId < b.runId ? 1 : a.runId > b.runId ? -1 : 0),
  );
  return f.limit !== undefined ? sorted.slice(0, f.limit) : sorted;
}

export async function queryContexts(db: Db, f: { type?: ContextType }): Promise<Context[]> {
  let q = selectContexts(db);
  if (f.type !== undefined) q = q.where('t.name', '=', f.type).where('t.kind', '=', 'context');
  return (await q.orderBy('c.id').execute()).map(toContext);
}

export async function contextsLinkedTo(
  db: Db,
  link: { executionId: number } | { artifactId: number },
): Promise<Context[]> {
  const ids =
    'executionId' in link
      ? db.selectFrom('association').select('context_id').where('execution_id', '=', link.executionId)
      : db.selectFrom('attribution').select('context_id').where('artifact_id', '=', link.artifactId);
  return (await selectContexts(db).where('c.id', 'in', ids).orderBy('c.id').execute()).map(toContext);
}
