/**
 * The MetadataStore on Kysely: one implementation for SQLite and PostgreSQL. Writes that must
 * be atomic run in `writeTransaction`; type ids are resolved before a transaction starts (see
 * TypeIds). Publishing lives in publish.ts, reads in reads.ts and lineage.ts.
 */
import type { ArtifactTypeName } from '../../schemas/artifacts.js';
import { MetadataError } from '../errors.js';
import { collectGarbage, planGarbageCollection } from './gc.js';
import { walkLineage } from './lineage.js';
import { associate, attribute, ensureRunContexts, insertEvents, TypeIds } from './links.js';
import { outputsOf, publishOutputs, reserveOutputs } from './publish.js';
import { migrate } from './migrations.js';
import { recordRunState, type RunStateRecord } from './run-state.js';
import {
  contextsLinkedTo,
  queryArtifacts,
  queryContexts,
  queryExecutions,
  queryLatestArtifact,
  queryRuns,
} from './reads.js';
import {
  requireArtifact,
  requireArtifactIds,
  requireExecution,
  selectArtifacts,
  selectExecutions,
  stringifyProperties,
  toArtifact,
  toEvent,
  toExecution,
  parseProperties,
} from './rows.js';
import type { Db, SqlDialect } from './schema.js';
import type * as S from './store.js';
import { forUpdate, writeTransaction } from './transaction.js';

/** Lineage depth when the caller gives none: deeper than any pipeline we expect. */
const DEFAULT_LINEAGE_DEPTH = 20;

export class KyselyMetadataStore implements S.MetadataStore {
  private readonly types: TypeIds;

  /** @param release frees the database handle on close (default: destroy it) */
  constructor(
    private readonly db: Db,
    readonly dialect: SqlDialect,
    private readonly release: () => Promise<void> = () => db.destroy(),
  ) {
    this.types = new TypeIds(db);
  }

  private id: string | undefined;

  async migrate(): Promise<void> {
    await migrate(this.db, this.dialect);
    const row = await this.db.selectFrom('tsfx_store').select('id').executeTakeFirst();
    if (!row) throw new MetadataError('metadata database has no store identity (table tsfx_store is empty)');
    this.id = row.id;
  }

  get storeId(): string {
    if (this.id === undefined) throw new MetadataError('the metadata store is not open yet (migrate() first)');
    return this.id;
  }

  private closed = false;

  /** Idempotent: the CLI's exit path and a test's cleanup may both close. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.release();
  }

  createExecution(e: S.NewExecution): Promise<S.Execution> {
    return this.insertExecution(e, e.state, []);
  }

  recordCachedExecution(e: S.NewExecution, outputs: { name: string; artifactId: number }[]): Promise<S.Execution> {
    return this.insertExecution(e, 'CACHED', outputs);
  }

  private async insertExecution(
    e: S.NewExecution,
    state: S.ExecutionState,
    outputs: { name: string; artifactId: number }[],
  ): Promise<S.Execution> {
    for (const field of ['type', 'pipeline', 'runId', 'nodeId'] as const) {
      if (typeof e[field] !== 'string' || e[field] === '')
        throw new MetadataError(`new execution: ${field} must be a non-empty string`);
    }
    const where = `execution of ${e.pipeline}/${e.runId} node ${e.nodeId}`;
    const properties = stringifyProperties(e.properties, where);
    const typeId = await this.types.get('execution', e.type);
    const contextTypes = await this.types.contextTypes();
    const reserved = await this.types.artifactTypes(e.outputs ?? [], where);
    return writeTransaction(this.db, this.dialect, async (tx) => {
      await requireArtifactIds(
        tx,
        e.inputs.map((i) => i.artifactId),
        `${where}, inputs`,
      );
      await requireArtifactIds(
        tx,
        outputs.map((o) => o.artifactId),
        `${where}, outputs`,
      );
      // One workflow run records one execution per node: the same call again (a retry whose
      // commit went through but whose answer was lost, retry.ts) returns the one recorded
      if (e.workflowRunId) {
        const earlier = await tx
          .selectFrom('execution')
          .select('id')
          .where('pipeline', '=', e.pipeline)
          .where('run_id', '=', e.runId)
          .where('node_id', '=', e.nodeId)
          .where('workflow_run_id', '=', e.workflowRunId)
          .where('state', '=', state)
          .executeTakeFirst();
        if (earlier) return requireExecution(tx, earlier.id);
      }
      const now = Date.now();
      const { id } = await tx
        .insertInto('execution')
        .values({
          type_id: typeId,
          pipeline: e.pipeline,
          run_id: e.runId,
          node_id: e.nodeId,
          state,
          cache_key: e.cacheKey ?? null,
          workflow_id: e.workflowId ?? null,
          workflow_run_id: e.workflowRunId ?? null,
          properties,
          create_time: now,
          update_time: now,
        })
        .returning('id')
        .executeTakeFirstOrThrow();
      await insertEvents(tx, id, 'INPUT', e.inputs, now);
      await insertEvents(tx, id, 'OUTPUT', outputs, now);
      const contexts = await ensureRunContexts(tx, contextTypes, e, now);
      await associate(tx, id, contexts);
      // A cached run's outputs belong to this run too: listArtifacts({ runId }) shows them.
      await attribute(tx, [...new Set(outputs.map((o) => o.artifactId))], contexts);
      // in the same transaction, so a retried prepare finds the execution with its reservations
      await reserveOutputs(tx, id, e.nodeId, e.outputs ?? [], reserved, contexts, now);
      return requireExecution(tx, id);
    });
  }

  async reservedOutputs(executionId: number): Promise<{ name: string; artifact: S.Artifact }[]> {
    await requireExecution(this.db, executionId);
    return outputsOf(this.db, executionId, 'PENDING_OUTPUT');
  }

  async getExecution(id: number): Promise<S.Execution | undefined> {
    const row = await selectExecutions(this.db).where('x.id', '=', id).executeTakeFirst();
    return row && toExecution(row);
  }

  /** `properties` are merged into the existing ones (shallow), so a patch never drops params. */
  async updateExecution(
    id: number,
    patch: { state?: S.ExecutionState; properties?: Record<string, unknown> },
  ): Promise<void> {
    const extra = patch.properties && stringifyProperties(patch.properties, `execution ${id}`);
    await writeTransaction(this.db, this.dialect, async (tx) => {
      const row = await forUpdate(
        this.dialect,
        tx.selectFrom('execution').select(['id', 'properties']).where('id', '=', id),
      ).executeTakeFirst();
      if (!row) throw new MetadataError(`no execution with id ${id}`);
      const properties = extra
        ? JSON.stringify({ ...parseProperties(row.properties, `execution ${id}`), ...patch.properties })
        : row.properties;
      await tx
        .updateTable('execution')
        .set({ ...(patch.state ? { state: patch.state } : {}), properties, update_time: Date.now() })
        .where('id', '=', id)
        .execute();
    });
  }

  publishExecution(
    executionId: number,
    outputs: S.NewOutput[],
    properties?: Record<string, unknown>,
  ): Promise<S.Artifact[]> {
    return publishOutputs(this.db, this.dialect, this.types, executionId, outputs, properties);
  }

  async findCompletedByCacheKey(cacheKey: string) {
    const row = await selectExecutions(this.db)
      .where('x.cache_key', '=', cacheKey)
      .where('x.state', '=', 'COMPLETE')
      .orderBy('x.create_time', 'desc')
      .orderBy('x.id', 'desc')
      .limit(1)
      .executeTakeFirst();
    if (!row) return undefined;
    return { execution: toExecution(row), outputs: await outputsOf(this.db, row.id) };
  }

  recordRunState(r: RunStateRecord): Promise<void> {
    return recordRunState(this.db, this.dialect, this.types, r);
  }

  async finishOpenExecutions(pipeline: string, runId: string, state: 'CANCELED' | 'FAILED'): Promise<number> {
    const result = await this.db
      .updateTable('execution')
      .set({ state, update_time: Date.now() })
      .where('pipeline', '=', pipeline)
      .where('run_id', '=', runId)
      .where('state', 'in', ['NEW', 'RUNNING'])
      .executeTakeFirst();
    return Number(result.numUpdatedRows);
  }

  async getArtifact(id: number): Promise<S.Artifact | undefined> {
    const row = await selectArtifacts(this.db).where('a.id', '=', id).executeTakeFirst();
    return row && toArtifact(row);
  }

  listArtifacts(filter: S.ArtifactListFilter = {}) {
    return queryArtifacts(this.db, this.types, filter);
  }

  latestArtifact(filter: { type: ArtifactTypeName; pipeline: string; where?: Record<string, unknown> }) {
    return queryLatestArtifact(this.db, this.types, filter);
  }

  async setArtifactState(id: number, state: S.ArtifactState): Promise<void> {
    const result = await this.db
      .updateTable('artifact')
      .set({ state, update_time: Date.now() })
      .where('id', '=', id)
      .executeTakeFirst();
    if (Number(result.numUpdatedRows) === 0) throw new MetadataError(`no artifact with id ${id}`);
  }

  async eventsOfArtifact(artifactId: number): Promise<S.Event[]> {
    await requireArtifact(this.db, artifactId);
    return (
      await this.db.selectFrom('event').selectAll().where('artifact_id', '=', artifactId).orderBy('id').execute()
    ).map(toEvent);
  }

  async eventsOfExecution(executionId: number): Promise<S.Event[]> {
    await requireExecution(this.db, executionId);
    return (
      await this.db.selectFrom('event').selectAll().where('execution_id', '=', executionId).orderBy('id').execute()
    ).map(toEvent);
  }

  lineage(
    artifactId: number,
    direction: 'upstream' | 'downstream',
    depth = DEFAULT_LINEAGE_DEPTH,
  ): Promise<S.LineageNode> {
    if (!Number.isInteger(depth) || depth < 0)
      throw new MetadataError(`lineage depth must be a non-negative integer, got ${depth}`);
    return walkLineage(this.db, artifactId, direction, depth);
  }

  listExecutions(filter: { pipeline?: string; runId?: string; nodeId?: string; state?: S.ExecutionState } = {}) {
    return queryExecutions(this.db, filter);
  }

  listRuns(filter: { pipeline?: string; limit?: number } = {}) {
    return queryRuns(this.db, filter);
  }

  listContexts(filter: { type?: S.ContextType } = {}) {
    return queryContexts(this.db, filter);
  }

  async contextsOfExecution(executionId: number): Promise<S.Context[]> {
    await requireExecution(this.db, executionId);
    return contextsLinkedTo(this.db, { executionId });
  }

  async contextsOfArtifact(artifactId: number): Promise<S.Context[]> {
    await requireArtifact(this.db, artifactId);
    return contextsLinkedTo(this.db, { artifactId });
  }

  planGarbageCollection(opts: S.GcOptions): Promise<S.GcPlan> {
    return planGarbageCollection(this.db, opts);
  }

  collectGarbage(opts: S.GcOptions): Promise<S.GcPlan> {
    return collectGarbage(this.db, this.dialect, opts);
  }
}
