/**
 * `tsfx models`: the served models with their versions, labels, history and lineage;
 * `tsfx push --force`: push a Model artifact by hand, past the blessings, with a recorded
 * reason (promote and rollback live beside `tsfx serve`, in serve.ts).
 */
import path from 'node:path';
import type { Command } from 'commander';
import { loadConfig } from '../config.js';
import { DefinitionError } from '../errors.js';
import { localPath } from '../artifacts/local-store.js';
import { whoAmI } from '../serving/history.js';
import { writeVersion } from '../serving/push-version.js';
import { checkName } from '../serving/version-folder.js';
import { toJson } from './format.js';
import { gatherModels, openStoreIfAny } from './model-registry.js';
import { recordManualPush } from './record-push.js';
import { renderModel } from './render-models.js';

const out = (s: string) => process.stdout.write(`${s}\n`);
const defaultBase = () => path.join(loadConfig().home, 'serving');

interface ModelsOptions {
  modelBase?: string;
  history?: boolean;
  json?: boolean;
  server?: string;
  token?: string;
}

export function registerModels(program: Command): void {
  program
    .command('models')
    .description('list served models: versions (valid or not), labels, and where each version came from')
    .argument('[model]', 'one served model (default: all under the model base)')
    .option('--history', 'every push, forced push and label move, and which version held which label when')
    .option('--json', 'print JSON')
    .option('--server <url>', "also show a running server's state per version (e.g. http://127.0.0.1:8501)")
    .option('--token <token>', "the server's bearer token, if it asks for one")
    .option('--model-base <dir>', 'default $TSFX_HOME/serving')
    .action(async (model: string | undefined, o: ModelsOptions) => {
      const base = path.resolve(o.modelBase ?? defaultBase());
      if (model !== undefined) checkName(model, 'model', ['model']);
      // lineage is a bonus: a store that cannot be opened leaves the folders' own account
      const store = await openStoreIfAny().catch((err: unknown) => {
        process.stderr.write(`tsfx models: metadata not read (${(err as Error).message}); lineage from provenance.json only\n`);
        return undefined;
      });
      try {
        const views = await gatherModels({ base, ...(model ? { model } : {}), history: o.history ?? false, ...(o.server ? { server: o.server } : {}), ...(o.token ? { token: o.token } : {}), ...(store ? { store } : {}) });
        if (model !== undefined && views[0]!.versions.length === 0 && !views[0]!.history?.length)
          throw new DefinitionError(`no served model '${model}' under ${base}`, ['model']);
        if (o.json) out(toJson({ base, models: views }));
        else if (!views.length) out(`no served models under ${base}`);
        else out(views.map(renderModel).join('\n\n'));
      } finally {
        await store?.close();
      }
    });

  program
    .command('push')
    .description('push a Model artifact to serving by hand, past its blessings (needs --force and --reason; recorded)')
    .argument('<model-artifact-id>', 'the Model artifact (as `tsfx artifacts --type Model` lists)')
    .option('--force', 'required: this push skips the Evaluator and InfraValidator checks')
    .option('--reason <text>', 'required: why, kept in provenance.json and the history')
    .option('--serving-model <name>', "the served model's name (default: the Model's pipeline)")
    .option('--model-base <dir>', 'default $TSFX_HOME/serving')
    .action(async (raw: string, o: { force?: boolean; reason?: string; servingModel?: string; modelBase?: string }) => {
      if (!o.force)
        throw new DefinitionError('tsfx push only pushes by hand with --force and --reason; blessed models are pushed by the Pusher component', ['--force']);
      if (!o.reason?.trim()) throw new DefinitionError('a forced push needs a reason: --reason "..."', ['--reason']);
      const id = Number(raw.replace(/^#/, ''));
      if (!Number.isSafeInteger(id) || id <= 0) throw new DefinitionError(`'${raw}' is not an artifact id (a positive integer)`, ['model-artifact-id']);
      const store = await openStoreIfAny();
      if (!store) throw new DefinitionError(`no metadata store at ${loadConfig().metadataUrl}: no Model artifact to push`);
      try {
        const model = await store.getArtifact(id);
        if (!model) throw new DefinitionError(`no artifact #${id}`, ['model-artifact-id']);
        if (model.type !== 'Model') throw new DefinitionError(`artifact #${id} is a ${model.type}, not a Model`, ['model-artifact-id']);
        if (model.state !== 'LIVE') throw new DefinitionError(`Model #${id} is ${model.state}: its files may be gone`, ['model-artifact-id']);
        const run = (await store.contextsOfArtifact(id)).find((c) => c.type === 'pipeline_run');
        const pipeline = (run?.properties.pipeline as string | undefined) ?? null;
        const servingModel = o.servingModel ?? pipeline;
        if (!servingModel) throw new DefinitionError(`Model #${id} has no pipeline to name the served model after: pass --serving-model`, ['--serving-model']);
        // the newest verdict on this model, for the record (it may well say no: that is why this is forced)
        const blessing = (await store.listArtifacts({ type: 'ModelBlessing' })).find((b) => b.properties.model === id);
        const base = path.resolve(o.modelBase ?? defaultBase());
        const reason = o.reason.trim();
        const written = await writeVersion({
          base,
          servingModel,
          modelDir: localPath(model.uri),
          provenance: {
            pipeline, runId: (run?.properties.runId as string | undefined) ?? null, nodeId: null, execution: null, model: id,
            modelBlessing: blessing?.id ?? null, modelEvaluation: null, infraBlessing: null, source: model.uri,
            pushedAt: new Date().toISOString(), pushedBy: whoAmI(), forced: true, reason,
          },
        });
        out(`${servingModel}: Model #${id} pushed as version ${written.version} (${written.destination}), forced: ${reason}`);
        // the push stands (files and history) even if metadata refuses the record: say so, don't undo it
        try {
          const props = { pushed: true, servingModel, destination: written.destination, version: written.version, reason, forced: true, model: id };
          const rec = await recordManualPush(store, { pipeline: pipeline ?? servingModel, model: id, ...(blessing ? { blessing: blessing.id } : {}), props, who: whoAmI() });
          out(`recorded in metadata: PushedModel #${rec.pushedModel.id} (run ${rec.runId})`);
        } catch (err) {
          process.stderr.write(`tsfx push: pushed, but recording it in metadata failed: ${(err as Error).message}\n`);
        }
      } finally {
        await store.close();
      }
    });
}
