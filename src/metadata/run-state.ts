/**
 * A run's outcome, as the workflow saw it, on its pipeline_run context: RUNNING when the
 * workflow starts, then COMPLETE / FAILED / CANCELED with the error. `tsfx runs` reads it, so a
 * run that failed before any node started, or was halted by a node whose execution is COMPLETE,
 * shows what happened, not what its executions alone suggest.
 */
import { writeTransaction } from './transaction.js';
import type { TypeIds } from './links.js';
import { contextNames, type Db, type SqlDialect } from './schema.js';
import { parseProperties } from './rows.js';

export type RunState = 'RUNNING' | 'COMPLETE' | 'FAILED' | 'CANCELED';

export interface RunStateRecord {
  pipeline: string;
  runId: string;
  state: RunState;
  workflowId?: string | null;
  error?: string;
  /** what started the run: `manual` (tsfx run, an API call) or `schedule:<id>`; recorded once, at the start */
  trigger?: string;
}

/** Properties kept on the run context (besides pipeline, runId, workflowId). */
export interface RunContextProperties {
  state?: RunState;
  error?: string;
  startTime?: number;
  endTime?: number;
  trigger?: string;
}

export async function recordRunState(db: Db, dialect: SqlDialect, types: TypeIds, r: RunStateRecord): Promise<void> {
  const contextTypes = await types.contextTypes();
  await writeTransaction(db, dialect, async (tx) => {
    const now = Date.now();
    const ensure = async (typeId: number, name: string, properties: Record<string, unknown>) => {
      await tx
        .insertInto('context')
        .values({ type_id: typeId, name, properties: JSON.stringify(properties), create_time: now })
        .onConflict((oc) => oc.columns(['type_id', 'name']).doNothing())
        .execute();
      return tx.selectFrom('context').select(['id', 'properties']).where('type_id', '=', typeId).where('name', '=', name).executeTakeFirstOrThrow();
    };
    const pipeline = await ensure(contextTypes.pipeline, contextNames.pipeline(r.pipeline), {});
    const run = await ensure(contextTypes.pipeline_run, contextNames.pipelineRun(r.pipeline, r.runId), { pipeline: r.pipeline, runId: r.runId });
    await tx
      .insertInto('parent_context')
      .values({ context_id: run.id, parent_context_id: pipeline.id })
      .onConflict((oc) => oc.columns(['context_id', 'parent_context_id']).doNothing())
      .execute();
    const before = parseProperties(run.properties, `run ${r.pipeline}/${r.runId}`) as RunContextProperties & Record<string, unknown>;
    const terminal = r.state !== 'RUNNING';
    // a terminal state is final: a late RUNNING (a retried start) never reopens a finished run
    if (!terminal && before.state && before.state !== 'RUNNING') return;
    const next: Record<string, unknown> = {
      ...before,
      state: r.state,
      startTime: before.startTime ?? now,
      ...(r.workflowId ? { workflowId: r.workflowId } : {}),
      // the first start says who started it; a later RUNNING or outcome never changes that
      ...(r.trigger && before.trigger === undefined ? { trigger: r.trigger } : {}),
      ...(terminal ? { endTime: now } : {}),
    };
    if (r.error !== undefined) next.error = r.error;
    else if (!terminal) delete next.error;
    await tx.updateTable('context').set({ properties: JSON.stringify(next) }).where('id', '=', run.id).execute();
  });
}
