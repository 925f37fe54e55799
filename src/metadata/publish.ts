/**
 * An execution's output artifacts: reserved with the execution (PENDING rows, so the executor
 * knows their ids and URIs before it runs) and published after it (LIVE, with properties, and
 * the execution COMPLETE) in one transaction. Publishing is idempotent, because Temporal retries
 * a publisher whose worker died after the commit but before reporting it: an execution that is
 * already COMPLETE returns the artifacts it has and nothing is written.
 */
import type { ArtifactTypeName } from '../../schemas/artifacts.js';
import { MetadataError } from '../errors.js';
import { attribute, ensureRunContexts, insertEvents, type RunContexts, type TypeIds } from './links.js';
import { parseProperties, selectArtifacts, stringifyProperties, toArtifact } from './rows.js';
import type { Db, SqlDialect } from './schema.js';
import type { Artifact, EventType, NewOutput, ReservedOutput } from './store.js';
import { forUpdate, writeTransaction } from './transaction.js';

/**
 * Inside the transaction that records execution `executionId`: one PENDING artifact per output,
 * its URI made from its id, linked by a PENDING_OUTPUT event and attributed to the run's contexts.
 */
export async function reserveOutputs(
  tx: Db,
  executionId: number,
  nodeId: string,
  outputs: ReservedOutput[],
  typeIds: Map<ArtifactTypeName, number>,
  contexts: RunContexts,
  now: number,
): Promise<void> {
  const links: { name: string; artifactId: number }[] = [];
  for (const o of outputs) {
    const { id } = await tx
      .insertInto('artifact')
      .values({
        type_id: typeIds.get(o.type)!,
        uri: '',
        state: 'PENDING',
        name: `${nodeId}.${o.name}`,
        properties: '{}',
        create_time: now,
        update_time: now,
      })
      .returning('id')
      .executeTakeFirstOrThrow();
    await tx.updateTable('artifact').set({ uri: o.uriOf(id) }).where('id', '=', id).execute();
    links.push({ name: o.name, artifactId: id });
  }
  await insertEvents(tx, executionId, 'PENDING_OUTPUT', links, now);
  await attribute(
    tx,
    links.map((l) => l.artifactId),
    contexts,
  );
}

export async function publishOutputs(
  db: Db,
  dialect: SqlDialect,
  types: TypeIds,
  executionId: number,
  outputs: NewOutput[],
  properties?: Record<string, unknown>,
): Promise<Artifact[]> {
  const where = `publish of execution ${executionId}`;
  const typeIds = await types.artifactTypes(outputs, where);
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
    const reserved = new Map((await outputsOf(tx, executionId, 'PENDING_OUTPUT')).map((r) => [r.name, r.artifact]));
    for (const name of reserved.keys()) {
      if (!outputs.some((o) => o.name === name))
        throw new MetadataError(`${where}: output '${name}' was reserved but is not published`);
    }
    const now = Date.now();
    const ids: number[] = [];
    const added: { name: string; artifactId: number }[] = [];
    for (const [i, o] of outputs.entries()) {
      const mine = reserved.get(o.name);
      if (mine) {
        if (mine.uri !== o.uri || mine.type !== o.type)
          throw new MetadataError(
            `${where}: output '${o.name}' is reserved as ${mine.type} at ${mine.uri}, not ${o.type} at ${o.uri}`,
          );
        await tx
          .updateTable('artifact')
          .set({ state: 'LIVE', properties: outputProps[i]!, update_time: now })
          .where('id', '=', mine.id)
          .execute();
        ids.push(mine.id);
        continue;
      }
      const { id } = await tx
        .insertInto('artifact')
        .values({
          type_id: typeIds.get(o.type)!,
          uri: o.uri,
          state: 'LIVE',
          name: `${row.node_id}.${o.name}`,
          properties: outputProps[i]!,
          create_time: now,
          update_time: now,
        })
        .returning('id')
        .executeTakeFirstOrThrow();
      ids.push(id);
      added.push({ name: o.name, artifactId: id });
    }
    await tx
      .updateTable('event')
      .set({ type: 'OUTPUT', time: now })
      .where('execution_id', '=', executionId)
      .where('type', '=', 'PENDING_OUTPUT')
      .execute();
    await insertEvents(tx, executionId, 'OUTPUT', added, now);
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

/** OUTPUT (or reserved, PENDING_OUTPUT) artifacts of an execution, in the order they were recorded. */
export async function outputsOf(
  db: Db,
  executionId: number,
  type: Extract<EventType, 'OUTPUT' | 'PENDING_OUTPUT'> = 'OUTPUT',
): Promise<{ name: string; artifact: Artifact }[]> {
  const rows = await selectArtifacts(db)
    .innerJoin('event as e', 'e.artifact_id', 'a.id')
    .select('e.name as event_name')
    .where('e.execution_id', '=', executionId)
    .where('e.type', '=', type)
    .orderBy('e.id')
    .execute();
  return rows.map((r) => ({ name: r.event_name, artifact: toArtifact(r) }));
}
