/**
 * Publishing an execution: its output artifacts, OUTPUT events and attributions, and the
 * COMPLETE state, in one transaction. Idempotent, because Temporal retries a publisher whose
 * worker died after the commit but before reporting it: an execution that is already COMPLETE
 * returns the artifacts it has and nothing is written.
 */
import { artifactTypeNames, type ArtifactTypeName } from '../../schemas/artifacts.js';
import { MetadataError } from '../errors.js';
import { attribute, ensureRunContexts, insertEvents, type TypeIds } from './links.js';
import { parseProperties, selectArtifacts, stringifyProperties, toArtifact } from './rows.js';
import type { Db, SqlDialect } from './schema.js';
import type { Artifact, NewOutput } from './store.js';
import { forUpdate, writeTransaction } from './transaction.js';

export async function publishOutputs(
  db: Db,
  dialect: SqlDialect,
  types: TypeIds,
  executionId: number,
  outputs: NewOutput[],
  properties?: Record<string, unknown>,
): Promise<Artifact[]> {
  const where = `publish of execution ${executionId}`;
  const typeIds = new Map<ArtifactTypeName, number>();
  for (const o of outputs) {
    if (!artifactTypeNames.includes(o.type))
      throw new MetadataError(`${where}: output '${o.name}' has unknown artifact type '${o.type}'`);
    typeIds.set(o.type, await types.get('artifact', o.type));
  }
  const outputProps = outputs.map((o) => stringifyProperties(o.properties, `${where}, output '${o.name}'`));
  const extra = properties && stringifyProperties(properties, where);
  const contextTypes = await types.contextTypes();

  return writeTransaction(db, dialect, async (tx) => {
    // Row lock on PostgreSQL: a concurrent retry of this publisher waits here, then sees COMPLETE.
    const row = await forUpdate(
      dialect,
      tx.selectFrom('execution').selectAll().where('id', '=', executionId),
    ).executeTakeFirst();
    if (!row) throw new MetadataError(`${where}: no execution with id ${executionId}`);
    if (row.state === 'COMPLETE') return outputsOf(tx, executionId).then((o) => o.map((x) => x.artifact));
    if (row.state !== 'NEW' && row.state !== 'RUNNING') {
      throw new MetadataError(
        `${where}: execution ${executionId} is ${row.state}; only NEW or RUNNING executions can be published`,
      );
    }
    const now = Date.now();
    const ids: number[] = [];
    for (const [i, o] of outputs.entries()) {
      const { id } = await tx
        .insertInto('artifact')
        .values({
          type_id: typeIds.get(o.type)!,
          uri: o.uri,
          state: 'LIVE',
          name: `${row.node_id}.${o.name}`,
          properties: outputProps[i],
          create_time: now,
          update_time: now,
        })
        .returning('id')
        .executeTakeFirstOrThrow();
      ids.push(id);
    }
    await insertEvents(
      tx,
      executionId,
      'OUTPUT',
      outputs.map((o, i) => ({ name: o.name, artifactId: ids[i] })),
      now,
    );
    const contexts = await ensureRunContexts(
      tx,
      contextTypes,
      { pipeline: row.pipeline, runId: row.run_id, nodeId: row.node_id },
      now,
    );
    await attribute(tx, ids, contexts);
    const merged = extra
      ? JSON.stringify({ ...parseProperties(row.properties, `execution ${executionId}`), ...properties })
      : row.properties;
    await tx
      .updateTable('execution')
      .set({ state: 'COMPLETE', properties: merged, update_time: now })
      .where('id', '=', executionId)
      .execute();
    if (ids.length === 0) return [];
    const byId = new Map(
      (await selectArtifacts(tx).where('a.id', 'in', ids).execute()).map((r) => [r.id, toArtifact(r)]),
    );
    return ids.map((id) => byId.get(id)!);
  });
}

/** OUTPUT artifacts of an execution, in the order they were recorded. */
export async function outputsOf(db: Db, executionId: number): Promise<{ name: string; artifact: Artifact }[]> {
  const rows = await selectArtifacts(db)
    .innerJoin('event as e', 'e.artifact_id', 'a.id')
    .select('e.name as event_name')
    .where('e.execution_id', '=', executionId)
    .where('e.type', '=', 'OUTPUT')
    .orderBy('e.id')
    .execute();
  return rows.map((r) => ({ name: r.event_name, artifact: toArtifact(r) }));
}
