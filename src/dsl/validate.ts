/**
 * Structural checks on a PipelineSpec, whether it came from the builder or from a JSON file:
 * schema, duplicate ids, dangling or mistyped inputs, cycles.
 */
import { DefinitionError } from '../errors.js';
import { PipelineSpec } from '../../schemas/pipeline-spec.js';

export function validatePipelineSpec(value: unknown): PipelineSpec {
  const parsed = PipelineSpec.safeParse(value);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    const path = issue.path.map((p) => (typeof p === 'symbol' ? String(p) : p));
    // name the node by id rather than by array index when the issue is inside one
    if (path[0] === 'nodes' && typeof path[1] === 'number') {
      const id = (value as { nodes?: { id?: unknown }[] }).nodes?.[path[1]]?.id;
      if (typeof id === 'string') path[1] = id;
    }
    throw new DefinitionError(issue.message, path);
  }
  const spec = parsed.data;
  const byId = new Map<string, PipelineSpec['nodes'][number]>();
  for (const node of spec.nodes) {
    if (byId.has(node.id)) {
      throw new DefinitionError(`duplicate node id '${node.id}' (pass a distinct id to p.add)`, ['nodes', node.id]);
    }
    byId.set(node.id, node);
  }
  for (const node of spec.nodes) {
    for (const [input, refs] of Object.entries(node.inputs)) {
      for (const ref of refs) {
        const path = ['nodes', node.id, 'inputs', input];
        const upstream = byId.get(ref.node);
        if (!upstream) throw new DefinitionError(`refers to node '${ref.node}', which is not in the pipeline`, path);
        const type = upstream.outputs[ref.output];
        if (!type) throw new DefinitionError(`node '${ref.node}' has no output '${ref.output}'`, path);
        if (type !== ref.type)
          throw new DefinitionError(`expected ${ref.type}, '${ref.node}.${ref.output}' is ${type}`, path);
      }
    }
  }
  for (const node of spec.nodes) {
    if (!node.when) continue;
    const path = ['nodes', node.id, 'when'];
    const upstream = byId.get(node.when.node);
    if (!upstream) throw new DefinitionError(`refers to node '${node.when.node}', which is not in the pipeline`, path);
    if (!upstream.outputs[node.when.output]) throw new DefinitionError(`node '${node.when.node}' has no output '${node.when.output}'`, path);
  }
  topologicalOrder(spec);
  return spec;
}

/** Node ids in an order where every node comes after its inputs; throws on a cycle, naming it. */
export function topologicalOrder(spec: PipelineSpec): string[] {
  const deps = new Map(spec.nodes.map((n) => [n.id, upstreamIds(n)]));
  const order: string[] = [];
  const state = new Map<string, 'visiting' | 'done'>();
  const visit = (id: string, stack: string[]) => {
    const s = state.get(id);
    if (s === 'done') return;
    if (s === 'visiting') {
      const cycle = [...stack.slice(stack.indexOf(id)), id];
      throw new DefinitionError(`cycle between nodes: ${cycle.join(' -> ')}`, ['nodes', id, 'inputs']);
    }
    state.set(id, 'visiting');
    for (const dep of deps.get(id) ?? []) visit(dep, [...stack, id]);
    state.set(id, 'done');
    order.push(id);
  };
  for (const n of spec.nodes) visit(n.id, []);
  return order;
}

/** The nodes a node waits for: those it reads from, and the one its condition looks at. */
export function upstreamIds(node: PipelineSpec['nodes'][number]): string[] {
  const ids = Object.values(node.inputs).flatMap((refs) => refs.map((r) => r.node));
  return [...new Set(node.when ? [...ids, node.when.node] : ids)];
}
