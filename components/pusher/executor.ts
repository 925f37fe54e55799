/**
 * Pusher's executor. As TFX's Pusher: a model whose blessing says no is not pushed, and the
 * PushedModel records `pushed: false` (TFX: the int property `pushed` = 0); a pushed one records
 * where and as which version. Unlike TFX, a missing blessing does not mean "push anyway": the
 * issue asks that only blessed models reach serving, so it takes `force` with a reason. And the
 * blessing must name this Model (ModelBlessing.model), so a miswired blessing of another
 * candidate never lets this one through. Versions are integers counting up (TFX uses the push
 * time in seconds); TF Serving's latest-version policy reads either the same way.
 */
import fs from 'node:fs/promises';
import path from 'node:path';
import type { Executor, InputArtifact } from '../../src/dsl/component.js';
import { loadConfig } from '../../src/config.js';
import { DefinitionError } from '../../src/errors.js';
import { whoAmI } from '../../src/serving/history.js';
import { writeVersion } from '../../src/serving/push-version.js';
import type { Provenance } from '../../src/serving/version-folder.js';
import { INFRA_WARMUP_FILE, PUSHED_FILE, type PushedModelProperties, type PusherSpec } from './spec.js';

const num = (v: unknown): number | null => (typeof v === 'number' && Number.isSafeInteger(v) ? v : null);

/** Why this model must not be pushed, or undefined when it may. */
export function refusal(
  model: InputArtifact<'Model'>,
  blessing: InputArtifact<'ModelBlessing'> | undefined,
  infra: InputArtifact<'InfraBlessing'> | undefined,
): string | undefined {
  if (!blessing)
    return `no ModelBlessing is wired: wire the Evaluator's blessing (or force the push with a reason)`;
  const named = num(blessing.properties.model);
  if (named === null) return `ModelBlessing ${blessing.id} names no model (its 'model' property is missing)`;
  if (named !== model.id) return `ModelBlessing ${blessing.id} is the verdict on Model ${named}, not on Model ${model.id}`;
  if (blessing.properties.blessed !== true) return `Model ${model.id} was not blessed (ModelBlessing ${blessing.id})`;
  if (infra && infra.properties.blessed !== true) return `Model ${model.id} was not infra-blessed (InfraBlessing ${infra.id})`;
  return undefined;
}

export const pusherExecutor: Executor<PusherSpec> = async ({ inputs, outputs, params, ctx }) => {
  const model = inputs.model[0]!;
  const blessing = inputs.blessing?.[0];
  const infra = inputs.infraBlessing?.[0];
  // zod checks this already; a spec built by hand (or an old one) must not slip past it
  if (params.force && !params.force.reason?.trim())
    throw new DefinitionError('a forced push needs a reason: force: { reason: "..." }', ['params', 'force', 'reason']);
  const base = path.resolve(ctx.pipelineRoot, params.base ?? path.join(loadConfig().home, 'serving'));
  const refused = refusal(model, blessing, infra);
  const forced = Boolean(params.force) && refused !== undefined;
  let props: PushedModelProperties;
  if (refused && !params.force) {
    ctx.log(`Pusher: not pushed: ${refused}`);
    props = { pushed: false, servingModel: params.servingModel, destination: null, version: null, reason: refused, forced: false, model: model.id };
  } else {
    const reason = forced ? `${params.force!.reason} (forced past: ${refused})` : null;
    if (params.force && !forced) ctx.log(`Pusher: force was not needed (Model ${model.id} is blessed); pushed as an ordinary push`);
    const warmup = infra ? path.join(infra.path, INFRA_WARMUP_FILE) : undefined;
    const hasWarmup = warmup ? await fs.stat(warmup).then((s) => s.isFile(), () => false) : false;
    if (infra && !hasWarmup) ctx.log(`Pusher: InfraBlessing ${infra.id} has no ${INFRA_WARMUP_FILE}; pushing without warm-up requests`);
    const provenance: Provenance = {
      pipeline: ctx.pipelineName,
      runId: ctx.runId ?? null,
      nodeId: ctx.nodeId,
      execution: ctx.executionId,
      model: model.id,
      modelBlessing: blessing?.id ?? null,
      modelEvaluation: num(blessing?.properties.evaluation) ?? num(blessing?.properties.modelEvaluation),
      infraBlessing: infra?.id ?? null,
      source: model.uri,
      pushedAt: new Date().toISOString(),
      pushedBy: whoAmI(),
      forced,
      reason,
    };
    const written = await writeVersion({
      base,
      servingModel: params.servingModel,
      modelDir: model.path,
      ...(hasWarmup ? { warmupFile: warmup } : {}),
      provenance,
      signal: ctx.signal,
    });
    ctx.log(`Pusher: Model ${model.id} ${written.reused ? 'was pushed already' : 'pushed'} as ${params.servingModel} version ${written.version} (${written.destination})${forced ? `, forced: ${params.force!.reason}` : ''}`);
    props = {
      pushed: true,
      servingModel: params.servingModel,
      destination: written.destination,
      version: written.version,
      reason,
      forced,
      model: model.id,
      ...(written.reused ? { reused: true } : {}),
    };
  }
  await fs.writeFile(path.join(outputs.pushedModel.path, PUSHED_FILE), JSON.stringify(props, null, 1) + '\n');
  return { pushedModel: props };
};
