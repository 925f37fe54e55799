/**
 * Writes that connect rows: types (created on first use), the pipeline / run / node contexts,
 * events, attributions and associations. Every insert here tolerates a concurrent twin
 * (ON CONFLICT DO NOTHING, then read back), since several workers start nodes of one run at once.
 */
import { artifactTypeNames, type ArtifactTypeName } from '../../schemas/artifacts.js';
import { MetadataError } from '../errors.js';
import type { Db, TypeKind } from './schema.js';
import { contextNames } from './schema.js';
import type { ContextType, EventType } from './store.js';

/**
 * Type ids by (kind, name). Types are never deleted, so an id once read stays valid; resolve
 * them outside a write transaction (an id cached from a transaction that rolled back would lie).
 */
export class TypeIds {
  private readonly ids = new Map<string, number>();
  constructor(private readonly db: Db) {}

  async get(kind: TypeKind, name: string): Promise<number> {
    const key = `${kind}\u0000${name}`;
    const cached = this.ids.get(key);
    if (cached !== undefined) return cached;
    await this.db
      .insertInto('type')
      .values({ kind, name })
      .onConflict((oc) => oc.columns(['kind', 'name']).doNothing())
      .execute();
    const row = await this.db
      .selectFrom('type')
      .select('id')
      .where('kind', '=', kind)
      .where('name', '=', name)
      .executeTakeFirstOrThrow();
    this.ids.set(key, row.id);
    return row.id;
  }

  /** existing id or undefined, without creating the type (for read-only filters) */
  async find(kind: TypeKind, name: string): Promise<number | undefined> {
    const cached = this.ids.get(`${kind}\u0000${name}`);
    if (cached !== undefined) return cached;
    const row = await this.db
      .selectFrom('type')
      .select('id')
      .where('kind', '=', kind)
      .where('name', '=', name)
      .executeTakeFirst();
    if (row) this.ids.set(`${kind}\u0000${name}`, row.id);
    return row?.id;
  }

  /** Type ids of outputs' artifact types; an unknown type is refused, naming the output. */
  async artifactTypes(outputs: { name: string; type: ArtifactTypeName }[], where: string): Promise<Map<ArtifactTypeName, number>> {
    const ids = new Map<ArtifactTypeName, number>();
    for (const o of outputs) {
      if (!artifactTypeNames.includes(o.type))
        throw new MetadataError(`${where}: output '${o.name}' has unknown artifact type '${o.type}'`);
      ids.set(o.type, await this.get('artifact', o.type));
    }
    return ids;
  }

  async contextTypes(): Promise<Record<ContextType, number>> {
    return {
      pipeline: await this.get('context', 'pipeline'),
      pipeline_run: await this.get('context', 'pipeline_run'),
      node: await this.get('context', 'node'),
    };
  }
}

async function ensureContext(
  tx: Db,
  typeId: number,
  name: string,
  properties: Record<string, unknown>,
  now: number,
): Promise<number> {
  await tx
    .insertInto('context')
    .values({ type_id: typeId, name, properties: JSON.stringify(properties), create_time: now })
    .onConflict((oc) => oc.columns(['type_id', 'name']).doNothing())
    .execute();
  const row = await tx
    .selectFrom('context')
    .select('id')
    .where('type_id', '=', typeId)
    .where('name', '=', name)
    .executeTakeFirstOrThrow();
  return row.id;
}

export interface RunContexts {
  pipeline: number;
  run: number;
  node: number;
}

/** The pipeline, pipeline-run and node contexts of an execution, created on first use. */
export async function ensureRunContexts(
  tx: Db,
  types: Record<ContextType, number>,
  e: { pipeline: string; runId: string; nodeId: string; workflowId?: string | null },
  now: number,
): Promise<RunContexts> {
  const pipeline = await ensureContext(tx, types.pipeline, contextNames.pipeline(e.pipeline), {}, now);
  const run = await ensureContext(
    tx,
    types.pipeline_run,
    contextNames.pipelineRun(e.pipeline, e.runId),
    { pipeline: e.pipeline, runId: e.runId, ...(e.workflowId ? { workflowId: e.workflowId } : {}) },
    now,
  );
  const node = await ensureContext(
    tx,
    types.node,
    contextNames.node(e.pipeline, e.nodeId),
    { pipeline: e.pipeline, nodeId: e.nodeId },
    now,
  );
  await tx
    .insertInto('parent_context')
    .values([
      { context_id: run, parent_context_id: pipeline },
      { context_id: node, parent_context_id: pipeline },
    ])
    .onConflict((oc) => oc.columns(['context_id', 'parent_context_id']).doNothing())
    .execute();
  return { pipeline, run, node };
}

export async function associate(tx: Db, executionId: number, contexts: RunContexts): Promise<void> {
  await tx
    .insertInto('association')
    .values(
      [contexts.pipeline, contexts.run, contexts.node].map((context_id) => ({ context_id, execution_id: executionId })),
    )
    .onConflict((oc) => oc.columns(['context_id', 'execution_id']).doNothing())
    .execute();
}

export async function attribute(tx: Db, artifactIds: number[], contexts: RunContexts): Promise<void> {
  const rows = artifactIds.flatMap((artifact_id) =>
    [contexts.pipeline, contexts.run, contexts.node].map((context_id) => ({ context_id, artifact_id })),
  );
  if (rows.length === 0) return;
  await tx
    .insertInto('attribution')
    .values(rows)
    .onConflict((oc) => oc.columns(['context_id', 'artifact_id']).doNothing())
    .execute();
}

/** Events for one side of an execution; repeated names get idx 0, 1, … in the given order. */
export async function insertEvents(
  tx: Db,
  executionId: number,
  type: EventType,
  links: { name: string; artifactId: number }[],
  now: number,
): Promise<void> {
  if (links.length === 0) return;
  const seen = new Map<string, number>();
  const rows = links.map((l) => {
    const idx = seen.get(l.name) ?? 0;
    seen.set(l.name, idx + 1);
    return { execution_id: executionId, artifact_id: l.artifactId, type, name: l.name, idx, time: now };
  });
  await tx.insertInto('event').values(rows).execute();
}
