/**
 * Row <-> domain object mapping, and the selects that join each row with its type name.
 */
import type { ArtifactTypeName } from '../../schemas/artifacts.js';
import { MetadataError } from '../errors.js';
import type { ArtifactRow, ContextRow, Db, EventRow, ExecutionRow } from './schema.js';
import type { Artifact, Context, ContextType, Event, Execution } from './store.js';

/** Properties are a JSON object in a text column; anything else is a corrupt row, said so. */
export function parseProperties(text: string, where: string): Record<string, unknown> {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (err) {
    throw new MetadataError(`${where}: properties are not valid JSON (${(err as Error).message})`);
  }
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    throw new MetadataError(`${where}: properties are not a JSON object`);
  }
  return value as Record<string, unknown>;
}

export function stringifyProperties(props: Record<string, unknown> | undefined, where: string): string {
  if (props === undefined) return '{}';
  if (props === null || typeof props !== 'object' || Array.isArray(props)) {
    throw new MetadataError(`${where}: properties must be a plain object`);
  }
  return JSON.stringify(props);
}

export function toArtifact(r: ArtifactRow): Artifact {
  return {
    id: r.id,
    type: r.type_name as ArtifactTypeName,
    uri: r.uri,
    state: r.state,
    name: r.name,
    properties: parseProperties(r.properties, `artifact ${r.id}`),
    createTime: new Date(Number(r.create_time)),
  };
}

export function toExecution(r: ExecutionRow): Execution {
  return {
    id: r.id,
    type: r.type_name,
    pipeline: r.pipeline,
    runId: r.run_id,
    nodeId: r.node_id,
    state: r.state,
    cacheKey: r.cache_key,
    workflowId: r.workflow_id,
    workflowRunId: r.workflow_run_id,
    properties: parseProperties(r.properties, `execution ${r.id}`),
    createTime: new Date(Number(r.create_time)),
    updateTime: new Date(Number(r.update_time)),
  };
}

export function toContext(r: ContextRow): Context {
  return {
    id: r.id,
    type: r.type_name as ContextType,
    name: r.name,
    properties: parseProperties(r.properties, `context ${r.id}`),
    createTime: new Date(Number(r.create_time)),
  };
}

export function toEvent(r: EventRow): Event {
  return { artifactId: r.artifact_id, executionId: r.execution_id, type: r.type, name: r.name, index: r.idx };
}

/** artifact rows with their type name; alias `a` */
export function selectArtifacts(db: Db) {
  return db
    .selectFrom('artifact as a')
    .innerJoin('type as t', 't.id', 'a.type_id')
    .selectAll('a')
    .select('t.name as type_name');
}

/** execution rows with their type (component) name; alias `x` */
export function selectExecutions(db: Db) {
  return db
    .selectFrom('execution as x')
    .innerJoin('type as t', 't.id', 'x.type_id')
    .selectAll('x')
    .select('t.name as type_name');
}

/** context rows with their type name; alias `c` */
export function selectContexts(db: Db) {
  return db
    .selectFrom('context as c')
    .innerJoin('type as t', 't.id', 'c.type_id')
    .selectAll('c')
    .select('t.name as type_name');
}

export async function requireExecution(db: Db, id: number): Promise<Execution> {
  const row = await selectExecutions(db).where('x.id', '=', id).executeTakeFirst();
  if (!row) throw new MetadataError(`no execution with id ${id}`);
  return toExecution(row);
}

export async function requireArtifact(db: Db, id: number): Promise<Artifact> {
  const row = await selectArtifacts(db).where('a.id', '=', id).executeTakeFirst();
  if (!row) throw new MetadataError(`no artifact with id ${id}`);
  return toArtifact(row);
}

/** Throws naming the first id of `ids` that has no artifact row. */
export async function requireArtifactIds(db: Db, ids: number[], why: string): Promise<void> {
  const unique = [...new Set(ids)];
  if (unique.length === 0) return;
  const found = new Set(
    (await db.selectFrom('artifact').select('id').where('id', 'in', unique).execute()).map((r) => r.id),
  );
  const missing = unique.filter((id) => !found.has(id));
  if (missing.length) throw new MetadataError(`${why}: no artifact with id ${missing.join(', ')}`);
}
