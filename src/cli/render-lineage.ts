/**
 * `tsfx lineage` for the terminal and for --json. The store returns a tree, in which an
 * artifact reached along two paths (the statistics ExampleValidator reads directly and through
 * SchemaGen's schema) appears twice with its whole subtree. The text view prints each
 * artifact's subtree and each execution once and afterwards refers back to it, `(see #12 above)`;
 * --json keeps the tree and adds the same lineage as a de-duplicated graph.
 */
import type { Artifact, Execution, LineageNode } from '../metadata/store.js';

type Direction = 'upstream' | 'downstream';

function executionLine(x: Execution): string {
  return `execution #${x.id} ${x.type} ${x.pipeline}/${x.runId} node ${x.nodeId} ${x.state}`;
}

/** The tree under one side (upstream or downstream), each subtree printed once. */
export function renderLineageTree(root: LineageNode, dir: Direction, indent = '  '): string[] {
  const lines: string[] = [];
  // artifacts whose subtree is printed (the root's is this whole tree), and executions printed
  const shownArtifacts = new Set<number>([root.artifact.id]);
  const shownExecutions = new Set<number>();
  const arrow = dir === 'upstream' ? '<-' : '->';
  const walk = (node: LineageNode, pad: string): void => {
    for (const e of node.executions) {
      const x = e.execution;
      if (shownExecutions.has(x.id)) {
        lines.push(`${pad}${arrow} execution #${x.id} ${x.type} (see execution #${x.id} above)`);
        continue;
      }
      shownExecutions.add(x.id);
      lines.push(`${pad}${arrow} ${executionLine(x)}`);
      for (const child of e.artifacts) {
        const a = child.artifact;
        const as = child.role ? ` (as ${child.role})` : '';
        const line = `${pad}   ${a.type} #${a.id} ${a.name}${as}`;
        if (child.executions.length && shownArtifacts.has(a.id)) {
          lines.push(`${line} (see #${a.id} above)`);
          continue;
        }
        lines.push(line);
        if (child.executions.length) {
          shownArtifacts.add(a.id);
          walk(child, `${pad}      `);
        }
      }
    }
  };
  walk(root, indent);
  if (!lines.length) lines.push(`${indent}(none)`);
  return lines;
}

export function renderLineage(up: LineageNode, down: LineageNode): string {
  const a = up.artifact;
  return [
    `#${a.id} ${a.type} ${a.name}`,
    'upstream (made from):',
    ...renderLineageTree(up, 'upstream'),
    'downstream (used by):',
    ...renderLineageTree(down, 'downstream'),
  ].join('\n');
}

export interface LineageGraph {
  artifacts: Artifact[];
  executions: Execution[];
  /** an event: the artifact is an input or output (`role` its name) of the execution */
  edges: { artifactId: number; executionId: number; kind: 'input' | 'output'; role: string | null }[];
}

/**
 * Both trees as one graph: every artifact and execution once, an edge per (artifact,
 * execution, kind, role). Upstream, an execution produced the artifact above it and read the
 * ones below; downstream, it read the one above and produced those below.
 */
export function lineageGraph(up: LineageNode, down: LineageNode): LineageGraph {
  const artifacts = new Map<number, Artifact>();
  const executions = new Map<number, Execution>();
  const edges = new Map<string, LineageGraph['edges'][number]>();
  const edge = (artifactId: number, executionId: number, kind: 'input' | 'output', role: string | null | undefined) => {
    const e = { artifactId, executionId, kind, role: role ?? null };
    edges.set(`${artifactId}/${executionId}/${kind}/${e.role}`, e);
  };
  const walk = (node: LineageNode, dir: Direction): void => {
    artifacts.set(node.artifact.id, node.artifact);
    for (const e of node.executions) {
      executions.set(e.execution.id, e.execution);
      edge(node.artifact.id, e.execution.id, dir === 'upstream' ? 'output' : 'input', e.eventName);
      for (const child of e.artifacts) {
        edge(child.artifact.id, e.execution.id, dir === 'upstream' ? 'input' : 'output', child.role);
        walk(child, dir);
      }
    }
  };
  walk(up, 'upstream');
  walk(down, 'downstream');
  const byId = <T extends { id: number }>(m: Map<number, T>) => [...m.values()].sort((x, y) => x.id - y.id);
  return { artifacts: byId(artifacts), executions: byId(executions), edges: [...edges.values()] };
}
