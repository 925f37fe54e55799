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

/** Apply `--param node.key=value` overrides (values parsed as JSON when they parse). */
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
    node.params[key!] = value;
  }
  return { ...spec, nodes };
}
