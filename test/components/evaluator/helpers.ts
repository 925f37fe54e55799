/** The Evaluator's driver then executor, as prepareNode and runComponent run them, over a stub of the pipeline's metadata. */
import fs from 'node:fs';
import path from 'node:path';
import { EvaluatorParams } from '../../../components/evaluator/index.js';
import { evaluatorDriver } from '../../../components/evaluator/driver.js';
import { evaluatorExecutor } from '../../../components/evaluator/executor.js';
import type { ArtifactLookup, FoundArtifact, InputArtifact } from '../../../src/dsl/component.js';
import type { ArtifactTypeName } from '../../../schemas/artifacts.js';
import { makeCtx, tempDir } from '../example-gen/helpers.js';
import { pipelinesDir } from '../trainer/helpers.js';

/** A metadata lookup holding the given artifacts (newest first per type, as the store lists them). */
export function lookupOf(artifacts: FoundArtifact[]): ArtifactLookup {
  return {
    list: (async ({ type }: { type: ArtifactTypeName }) => artifacts.filter((a) => a.type === type).sort((a, b) => b.id - a.id)) as ArtifactLookup['list'],
    importFile: async () => 0,
  };
}

export const found = <T extends ArtifactTypeName>(a: InputArtifact<T>, name: string): FoundArtifact<T> => ({ ...a, name });

export async function runEvaluator(
  inputs: { examples: InputArtifact<'Examples'>; model: InputArtifact<'Model'>; baselineModel?: InputArtifact<'Model'> },
  params: Record<string, unknown>,
  metadata: FoundArtifact[] = [],
) {
  const parsed = EvaluatorParams.parse(params);
  const wired = { examples: [inputs.examples], model: [inputs.model], ...(inputs.baselineModel ? { baselineModel: [inputs.baselineModel] } : {}) };
  const drove = await evaluatorDriver({ params: parsed, inputs: wired as never, pipelineRoot: pipelinesDir, pipelineName: 'p', nodeId: 'Evaluator', artifacts: lookupOf(metadata) });
  // what the driver filled in is loaded like a wired input
  const baseId = drove.inputs?.baselineModel?.[0];
  const base = baseId === undefined ? inputs.baselineModel : (metadata.find((a) => a.id === baseId) as InputArtifact<'Model'>);
  const evaluation = tempDir('evaluation');
  const blessing = tempDir('blessing');
  const { ctx, beats, logs } = makeCtx(pipelinesDir);
  const result = await evaluatorExecutor({
    inputs: { examples: [inputs.examples], model: [inputs.model], ...(base ? { baselineModel: [base] } : {}) },
    outputs: { evaluation: { type: 'ModelEvaluation', uri: evaluation, path: evaluation }, blessing: { type: 'ModelBlessing', uri: blessing, path: blessing } },
    params: parsed,
    resolved: JSON.parse(JSON.stringify(drove.resolved)),
    ctx,
  });
  const read = (dir: string, f: string) => JSON.parse(fs.readFileSync(path.join(dir, f), 'utf8'));
  return { result, drove, evaluation, blessing, beats, logs, read };
}
