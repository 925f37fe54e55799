/**
 * Lineage walks over events, one hop (artifact -> execution -> artifacts) per level:
 *   upstream:   artifact <-OUTPUT- execution -INPUT->  artifacts …  (what it was made from)
 *   downstream: artifact -INPUT->  execution -OUTPUT-> artifacts …  (what was made from it)
 *
 * The graph is fetched breadth-first with a few queries per level, then assembled into the
 * tree. CACHED executions are left out: they record a reuse, not a derivation, and their
 * events point at the same artifacts as the execution that really ran, so following them
 * would only repeat branches.
 */
import type { Db } from './schema.js';
import { requireArtifact, selectArtifacts, selectExecutions, toArtifact, toExecution } from './rows.js';
import type { Artifact, EventType, Execution, LineageNode } from './store.js';

interface Edge {
  executionId: number;
  eventName: string;
}

export async function walkLineage(
  db: Db,
  artifactId: number,
  direction: 'upstream' | 'downstream',
  depth: number,
): Promise<LineageNode> {
  const root = await requireArtifact(db, artifactId);
  const near: EventType = direction === 'upstream' ? 'OUTPUT' : 'INPUT';
  const far: EventType = direction === 'upstream' ? 'INPUT' : 'OUTPUT';

  const artifacts = new Map<number, Artifact>([[root.id, root]]);
  const executions = new Map<number, Execution>();
  /** artifact -> the executions on its `near` side */
  const edges = new Map<number, Edge[]>();
  /** execution -> artifact ids on its `far` side with their event names, in (name, idx) order */
  const farSide = new Map<number, { artifactId: number; name: string }[]>();

  let frontier = [root.id];
  for (let hop = 0; hop < depth && frontier.length > 0; hop++) {
    const nearEvents = await db
      .selectFrom('event as e')
      .innerJoin('execution as x', 'x.id', 'e.execution_id')
      .select(['e.artifact_id', 'e.execution_id', 'e.name'])
      .where('e.artifact_id', 'in', frontier)
      .where('e.type', '=', near)
      .where('x.state', '!=', 'CACHED')
      .orderBy('e.execution_id')
      .orderBy('e.idx')
      .execute();
    for (const id of frontier) edges.set(id, []);
    for (const ev of nearEvents) edges.get(ev.artifact_id)!.push({ executionId: ev.execution_id, eventName: ev.name });

    const newExecutions = [...new Set(nearEvents.map((e) => e.execution_id))].filter((id) => !executions.has(id));
    if (newExecutions.length === 0) break;
    for (const row of await selectExecutions(db).where('x.id', 'in', newExecutions).execute()) {
      executions.set(row.id, toExecution(row));
    }

    const farEvents = await db
      .selectFrom('event')
      .select(['artifact_id', 'execution_id', 'name'])
      .where('execution_id', 'in', newExecutions)
      .where('type', '=', far)
      .orderBy('execution_id')
      .orderBy('name')
      .orderBy('idx')
      .execute();
    for (const id of newExecutions) farSide.set(id, []);
    for (const ev of farEvents) farSide.get(ev.execution_id)!.push({ artifactId: ev.artifact_id, name: ev.name });

    const newArtifacts = [...new Set(farEvents.map((e) => e.artifact_id))].filter((id) => !artifacts.has(id));
    if (newArtifacts.length > 0) {
      for (const row of await selectArtifacts(db).where('a.id', 'in', newArtifacts).execute()) {
        artifacts.set(row.id, toArtifact(row));
      }
    }
    // Breadth-first, so an artifact is expanded at its shallowest position, where the
    // remaining depth is largest; deeper repeats of it need no more data than that.
    frontier = newArtifacts;
  }

  const build = (id: number, remaining: number, role?: string): LineageNode => ({
    artifact: artifacts.get(id)!,
    ...(role === undefined ? {} : { role }),
    executions:
      remaining <= 0
        ? []
        : (edges.get(id) ?? []).map((edge) => ({
            execution: executions.get(edge.executionId)!,
            eventName: edge.eventName,
            artifacts: (farSide.get(edge.executionId) ?? []).map((a) => build(a.artifactId, remaining - 1, a.name)),
          })),
  });
  return build(root.id, depth);
}
