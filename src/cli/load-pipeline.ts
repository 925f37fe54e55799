/**
 * Load a pipeline file (TypeScript, default-exporting definePipeline(...)) and compile it.
 * The pipeline's folder is the root its relative paths resolve against.
 */
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import fs from 'node:fs';
import type { PipelineSpec } from '../../schemas/pipeline-spec.js';
import type { Pipeline } from '../dsl/pipeline.js';
import { DefinitionError } from '../errors.js';

export async function loadPipeline(file: string): Promise<PipelineSpec> {
  const abs = path.resolve(file);
  if (!fs.existsSync(abs)) throw new DefinitionError(`pipeline file ${file} does not exist`);
  const mod = (await import(pathToFileURL(abs).href)) as { default?: Pipeline };
  const pipeline = mod.default;
  if (!pipeline || typeof pipeline.compile !== 'function') {
    throw new DefinitionError(
      `${file} must default-export a pipeline: export default definePipeline({ name }, (p) => …)`,
    );
  }
  return pipeline.compile({ root: path.dirname(abs) });
}

/**
 * Apply `--param node.key=value` overrides (values parsed as JSON when they parse). A dotted key
 * sets a nested param (`ExampleGen.split.train=5`); what the component does not know is refused
 * when the params are parsed (src/dsl/params.ts), naming the key.
 */
export function applyParams(spec: PipelineSpec, params: string[]): PipelineSpec {
  const nodes = spec.nodes.map((n) => ({ ...n, params: { ...n.params } }));
  for (const p of params) {
    const m = /^([^.=]+)\.([^=]+)=(.*)$/s.exec(p);
    if (!m) throw new DefinitionError(`--param '${p}' is not of the form node.key=value`);
    const [, nodeId, key, raw] = m;
    const node = nodes.find((n) => n.id === nodeId);
    if (!node)
      throw new DefinitionError(`--param '${p}': no node '${nodeId}' (nodes: ${nodes.map((n) => n.id).join(', ')})`);
    let value: unknown = raw;
    try {
      value = JSON.parse(raw!);
    } catch {
      /* a bare string */
    }
    setPath(node.params, key!.split('.'), value, p);
  }
  return { ...spec, nodes };
}

function setPath(target: Record<string, unknown>, keys: string[], value: unknown, param: string): void {
  let at = target;
  for (const [i, k] of keys.entries()) {
    if (k === '' || k === '__proto__' || k === 'constructor' || k === 'prototype')
      throw new DefinitionError(`--param '${param}': '${k}' is not a param name`);
    if (i === keys.length - 1) {
      at[k] = value;
      return;
    }
    const next = at[k];
    if (next === undefined) at[k] = {};
    else if (typeof next !== 'object' || next === null || Array.isArray(next))
      throw new DefinitionError(`--param '${param}': '${keys.slice(0, i + 1).join('.')}' is ${JSON.stringify(next)}, not an object`);
    else at[k] = { ...(next as Record<string, unknown>) }; // copy: the spec the caller gave stays as it was
    at = at[k] as Record<string, unknown>;
  }
}
