/**
 * Garbage collection of metadata rows (`tsfx gc`). ML-Metadata has no delete; this one keeps
 * lineage whole:
 *
 * - kept: the newest `keepRuns` runs (canceled ones do not count) of every pipeline, every PushedModel that pushed
 *   a version (served models; one with `pushed: false` served nothing and goes with its run),
 *   everything of pipelines outside the one collected, and every artifact that is not LIVE,
 *   except PENDING ones: outputs reserved for an execution that is over (FAILED, CANCELED)
 *   and never published are collected whatever run it belongs to;
 * - an execution is deleted only when it belongs to an affected pipeline, to a run not kept, is
 *   not open (NEW / RUNNING), and every artifact it output is collected;
 * - every execution that stays keeps all its inputs, and so, hop by hop, the whole upstream of
 *   what stays (a kept artifact's producer stays, since one of its outputs is kept).
 *
 * The graph is read whole into memory (ids and a few columns): a fixpoint over it is simpler and
 * surer than recursive SQL that must agree on two dialects, and metadata rows are small.
 */
import { DefinitionError, TsfxError } from '../errors.js';
import { queryRuns, runKey } from './reads.js';
import { selectArtifacts, selectExecutions, toArtifact, toExecution, parseProperties } from './rows.js';
import type { Db, SqlDialect } from './schema.js';
import type { Artifact, Execution, GcOptions, GcPlan } from './store.js';
import { writeTransaction } from './transaction.js';

/** gc refuses while a run it could affect is running: that run may be about to reuse an old artifact. */
export class RunningRunsError extends TsfxError {
  override name = 'RunningRunsError';
  override readonly retryable = false;
  constructor(readonly runs: { pipeline: string; runId: string }[]) {
    super(
      `${runs.map((r) => `${r.pipeline}/${r.runId}`).join(', ')} ${runs.length === 1 ? 'is' : 'are'} RUNNING: ` +
        'it may be about to reuse a cached artifact gc would remove; wait for it, cancel it, or pass --force',
    );
  }
}

/** Rows per `in (…)` list, well under SQLite's and PostgreSQL's bound-parameter limits. */
const CHUNK = 500;
const OPEN_STATES = new Set<Execution['state']>(['NEW', 'RUNNING']);

interface Computed {
  plan: GcPlan;
  runContextIds: number[];
}

function checkOptions(opts: GcOptions): void {
  if (!Number.isInteger(opts.keepRuns) || opts.keepRuns < 0)
    throw new DefinitionError(`--keep-runs takes a whole number from 0, got '${opts.keepRuns}'`);
}

async function computePlan(db: Db, opts: GcOptions): Promise<Computed> {
  checkOptions(opts);
  const runs = await queryRuns(db, {});
  const executions = (await selectExecutions(db).execute()).map(toExecution);
  const artifacts = (await selectArtifacts(db).execute()).map(toArtifact);
  const events = await db.selectFrom('event').select(['artifact_id', 'execution_id', 'type']).execute();
  const contexts = await db
    .selectFrom('context as c')
    .innerJoin('type as t', 't.id', 'c.type_id')
    .select(['c.id', 'c.name', 'c.properties', 't.name as type_name'])
    .where('t.kind', '=', 'context')
    .where('t.name', 'in', ['pipeline', 'pipeline_run'])
    .execute();
  const attributions = await db.selectFrom('attribution').select(['artifact_id', 'context_id']).execute();

  const pipelineCtx = new Map<number, string>();
  const runCtx = new Map<number, { pipeline: string; runId: string }>();
  for (const c of contexts) {
    if (c.type_name === 'pipeline') pipelineCtx.set(c.id, c.name);
    else {
      const p = parseProperties(c.properties, `context ${c.id}`);
      runCtx.set(c.id, { pipeline: String(p.pipeline), runId: String(p.runId) });
    }
  }
  const pipelines = new Set([...pipelineCtx.values(), ...runs.map((r) => r.pipeline)]);
  if (opts.pipeline !== undefined && !pipelines.has(opts.pipeline))
    throw new DefinitionError(`no pipeline '${opts.pipeline}' in metadata`);
  const affected = opts.pipeline !== undefined ? new Set([opts.pipeline]) : pipelines;

  // runs come newest first
  const keptRuns: GcPlan['keptRuns'] = [];
  const perPipeline = new Map<string, number>();
  for (const r of runs) {
    // a canceled run made nothing anyone asked to keep: it neither counts toward N nor is kept
    if (r.status === 'CANCELED') continue;
    const n = perPipeline.get(r.pipeline) ?? 0;
    perPipeline.set(r.pipeline, n + 1);
    if (n < opts.keepRuns) keptRuns.push({ pipeline: r.pipeline, runId: r.runId });
  }
  const kept = new Set(keptRuns.map((r) => runKey(r.pipeline, r.runId)));
  const running = runs
    .filter((r) => r.status === 'RUNNING' && affected.has(r.pipeline))
    .map((r) => ({ pipeline: r.pipeline, runId: r.runId }));

  // Collectable to start with: LIVE, not served, attributed only to affected pipelines and to
  // no kept run. An artifact with no pipeline at all is left alone (we can't tell whose it is).
  const pipelinesOf = new Map<number, string[]>();
  const inKeptRun = new Set<number>();
  for (const at of attributions) {
    const p = pipelineCtx.get(at.context_id);
    if (p !== undefined) pipelinesOf.set(at.artifact_id, [...(pipelinesOf.get(at.artifact_id) ?? []), p]);
    const r = runCtx.get(at.context_id);
    if (r && kept.has(runKey(r.pipeline, r.runId))) inKeptRun.add(at.artifact_id);
  }
  const collectable = new Set(
    artifacts
      .filter((a) => {
        const ps = pipelinesOf.get(a.id) ?? [];
        return (
          a.state === 'LIVE' &&
          !(a.type === 'PushedModel' && a.properties.pushed !== false) &&
          !inKeptRun.has(a.id) &&
          ps.length > 0 &&
          ps.every((p) => affected.has(p))
        );
      })
      .map((a) => a.id),
  );

  const inputs = new Map<number, number[]>();
  const outputs = new Map<number, number[]>();
  const reservedBy = new Map<number, number>();
  for (const e of events) {
    if (e.type === 'PENDING_OUTPUT') {
      reservedBy.set(e.artifact_id, e.execution_id);
      continue;
    }
    const side = e.type === 'INPUT' ? inputs : outputs;
    side.set(e.execution_id, [...(side.get(e.execution_id) ?? []), e.artifact_id]);
  }
  // reserved outputs of executions that will never publish them (nothing reads a PENDING artifact)
  const byId = new Map(executions.map((x) => [x.id, x]));
  for (const a of artifacts) {
    const producer = a.state === 'PENDING' ? byId.get(reservedBy.get(a.id) ?? -1) : undefined;
    if (producer && affected.has(producer.pipeline) && !OPEN_STATES.has(producer.state)) collectable.add(a.id);
  }
  const deletable = (x: Execution) =>
    affected.has(x.pipeline) &&
    !kept.has(runKey(x.pipeline, x.runId)) &&
    !OPEN_STATES.has(x.state) &&
    (outputs.get(x.id) ?? []).every((a) => collectable.has(a));

  // Every execution that stays keeps its inputs; keeping an input keeps its producer, so
  // repeat until nothing more is rescued (at most the depth of the graph).
  for (let changed = true; changed;) {
    changed = false;
    for (const x of executions) {
      if (deletable(x)) continue;
      for (const a of inputs.get(x.id) ?? []) if (collectable.delete(a)) changed = true;
    }
  }

  const gone = executions.filter(deletable);
  const goneIds = new Set(gone.map((x) => x.id));
  const staying = new Set(executions.filter((x) => !goneIds.has(x.id)).map((x) => runKey(x.pipeline, x.runId)));
  const attributed = new Set<number>();
  for (const at of attributions) if (!collectable.has(at.artifact_id)) attributed.add(at.context_id);
  const emptyRuns = [...runCtx].filter(
    ([id, r]) =>
      affected.has(r.pipeline) &&
      !kept.has(runKey(r.pipeline, r.runId)) &&
      !staying.has(runKey(r.pipeline, r.runId)) &&
      !attributed.has(id),
  );
  return {
    plan: {
      keptRuns,
      running,
      artifacts: artifacts.filter((a: Artifact) => collectable.has(a.id)),
      executions: gone,
      runs: emptyRuns.map(([, r]) => r),
    },
    runContextIds: emptyRuns.map(([id]) => id),
  };
}

function chunks(ids: number[]): number[][] {
  const out: number[][] = [];
  for (let i = 0; i < ids.length; i += CHUNK) out.push(ids.slice(i, i + CHUNK));
  return out;
}

/** Links first, then the rows: no reliance on ON DELETE CASCADE being enforced. */
async function deleteRows(tx: Db, c: Computed): Promise<void> {
  for (const ids of chunks(c.plan.artifacts.map((a) => a.id))) {
    await tx.deleteFrom('event').where('artifact_id', 'in', ids).execute();
    await tx.deleteFrom('attribution').where('artifact_id', 'in', ids).execute();
    await tx.deleteFrom('artifact').where('id', 'in', ids).execute();
  }
  for (const ids of chunks(c.plan.executions.map((x) => x.id))) {
    await tx.deleteFrom('event').where('execution_id', 'in', ids).execute();
    await tx.deleteFrom('association').where('execution_id', 'in', ids).execute();
    await tx.deleteFrom('execution').where('id', 'in', ids).execute();
  }
  for (const ids of chunks(c.runContextIds)) {
    await tx.deleteFrom('attribution').where('context_id', 'in', ids).execute();
    await tx.deleteFrom('association').where('context_id', 'in', ids).execute();
    await tx
      .deleteFrom('parent_context')
      .where((eb) => eb.or([eb('context_id', 'in', ids), eb('parent_context_id', 'in', ids)]))
      .execute();
    await tx.deleteFrom('context').where('id', 'in', ids).execute();
  }
}

export async function planGarbageCollection(db: Db, opts: GcOptions): Promise<GcPlan> {
  return (await computePlan(db, opts)).plan;
}

/**
 * Plan and delete in one write transaction, so nothing recorded in between (a run reusing an
 * artifact through the cache) is deleted from under it on SQLite, where writers are serialised.
 */
export function collectGarbage(db: Db, dialect: SqlDialect, opts: GcOptions): Promise<GcPlan> {
  return writeTransaction(db, dialect, async (tx) => {
    const computed = await computePlan(tx, opts);
    if (computed.plan.running.length && !opts.force) throw new RunningRunsError(computed.plan.running);
    await deleteRows(tx, computed);
    return computed.plan;
  });
}
