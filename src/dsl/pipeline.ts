/**
 * definePipeline: the builder a pipeline file default-exports. `compile()` turns it into a
 * validated PipelineSpec; every definition error names the node and the field.
 */
import { parseParams } from './params.js';
import { DefinitionError } from '../errors.js';
import { PipelineSpec, type InputRef, type NodeSpec } from '../../schemas/pipeline-spec.js';
import type { AnyComponentSpec, ComponentNode, NodeOptions } from './component.js';
import { isOutputHandle } from './component.js';
import { validatePipelineSpec } from './validate.js';

export interface PipelineBuilder {
  /** add a node; its id defaults to the component name and must be unique */
  add<S extends AnyComponentSpec>(node: ComponentNode<S>, options?: NodeOptions): ComponentNode<S>;
}

export interface PipelineConfig {
  name: string;
}

export interface Pipeline {
  readonly name: string;
  /** compile to a spec; `root` is the folder relative paths in params resolve against */
  compile(options: { root: string }): PipelineSpec;
}

export function definePipeline(config: PipelineConfig, build: (p: PipelineBuilder) => void): Pipeline {
  return {
    name: config.name,
    compile({ root }) {
      const nodes: ComponentNode<AnyComponentSpec>[] = [];
      build({
        add(node, options = {}) {
          if (nodes.includes(node)) throw new DefinitionError(`node '${node.id}' was added twice`);
          node.options = options;
          node.id = options.id ?? node.spec.name;
          nodes.push(node);
          return node;
        },
      });
      const spec = {
        specVersion: 1 as const,
        name: config.name,
        root,
        nodes: nodes.map((n) => compileNode(n, nodes)),
      };
      return validatePipelineSpec(spec);
    },
  };
}

function compileNode(node: ComponentNode<AnyComponentSpec>, all: ComponentNode<AnyComponentSpec>[]): NodeSpec {
  const id = node.id!;
  const { spec, options } = node;
  const inputDecls = spec.inputs as Record<string, { type: string; optional?: boolean }>;
  const inputs: Record<string, InputRef[]> = {};
  const rawParams: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(node.args)) {
    if (key in inputDecls) continue;
    if (isOutputHandle(value)) {
      throw new DefinitionError(`'${key}' is not an input of ${spec.name}`, ['nodes', id, 'inputs', key]);
    }
    rawParams[key] = value;
  }
  for (const [key, decl] of Object.entries(inputDecls)) {
    const handle = node.args[key];
    const path = ['nodes', id, 'inputs', key];
    if (handle === undefined) {
      if (!decl.optional) throw new DefinitionError(`missing required input (${decl.type})`, path);
      continue;
    }
    if (!isOutputHandle(handle)) throw new DefinitionError(`expected an output handle of type ${decl.type}`, path);
    if (handle.artifactType !== decl.type) {
      throw new DefinitionError(`expected ${decl.type}, got ${handle.artifactType} from '${handle.node.id}'`, path);
    }
    if (!all.includes(handle.node) || handle.node.id === undefined) {
      throw new DefinitionError(`refers to a ${handle.node.spec.name} node that was not added to the pipeline`, path);
    }
    inputs[key] = [{ node: handle.node.id, output: handle.output, type: handle.artifactType }];
  }
  const params = parseParams(spec.params, rawParams, ['nodes', id, 'params']);
  const when = options.when && compileCondition(id, options.when, all);
  return {
    id,
    component: spec.name,
    componentVersion: spec.version,
    inputs,
    outputs: { ...spec.outputs },
    // JSON round trip: params cross Temporal and feed the cache key, so they must be plain data
    params: JSON.parse(JSON.stringify(params)) as Record<string, unknown>,
    queue: options.queue ?? spec.queue,
    whenNoGpu: options.whenNoGpu ?? 'cpu',
    cache: options.cache ?? true,
    fanOut: spec.fanOut === true,
    retry: { ...spec.retry, ...options.retry },
    timeouts: { ...spec.timeouts, ...options.timeouts },
    ...(when ? { when } : {}),
  };
}

function compileCondition(id: string, when: NonNullable<NodeOptions['when']>, all: ComponentNode<AnyComponentSpec>[]): NodeSpec['when'] {
  const path = ['nodes', id, 'when'];
  if (!isOutputHandle(when.output)) throw new DefinitionError('expected an output handle', [...path, 'output']);
  if (!all.includes(when.output.node) || when.output.node.id === undefined)
    throw new DefinitionError(`refers to a ${when.output.node.spec.name} node that was not added to the pipeline`, [...path, 'output']);
  const equals: unknown = JSON.parse(JSON.stringify(when.equals ?? null));
  return { node: when.output.node.id, output: when.output.output, property: when.property, equals };
}

export { PipelineSpec };
