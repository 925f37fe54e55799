/**
 * `tsfx serve`: the TF Serving-compatible model server; `tsfx promote` / `tsfx rollback`: move
 * a label (stable, canary) between versions of a served model. The serving modules load tfjs,
 * so they are imported inside the actions: other commands stay quick to start.
 */
import path from 'node:path';
import type { Command } from 'commander';
import { loadConfig } from '../config.js';
import { DefinitionError } from '../errors.js';

const out = (s: string) => process.stdout.write(`${s}\n`);
const defaultBase = () => path.join(loadConfig().home, 'serving');

function intOption(value: string, name: string, min: number): number {
  const n = Number(value);
  if (!Number.isSafeInteger(n) || n < min)
    throw new DefinitionError(`must be an integer >= ${min}, got '${value}'`, [name]);
  return n;
}

interface ServeOptions {
  modelBase?: string;
  port: string;
  host: string;
  pollMs: string;
  maxVersions?: string;
}

export function registerServe(program: Command): void {
  program
    .command('serve')
    .description("serve models over TF Serving's REST API until SIGINT/SIGTERM")
    .option('--model-base <dir>', 'models as <dir>/<model>/<version>/ (default $TSFX_HOME/serving)')
    .option('--port <n>', 'port to listen on (0: any free port)', '8501')
    .option('--host <addr>', 'address to bind', '127.0.0.1')
    .option('--poll-ms <ms>', 'how often to look for new versions and label changes', '2000')
    .option('--max-versions <n>', 'load only the newest n versions of each model (plus labelled ones)')
    .action(async (o: ServeOptions) => {
      const port = intOption(o.port, '--port', 0);
      const pollMs = intOption(o.pollMs, '--poll-ms', 10);
      const maxVersions = o.maxVersions === undefined ? undefined : intOption(o.maxVersions, '--max-versions', 1);
      const base = path.resolve(o.modelBase ?? defaultBase());
      const { ensureBackend } = await import('../ml/backend.js');
      const { ModelRepository } = await import('../serving/model-repository.js');
      const { startServer } = await import('../serving/server.js');
      const backend = await ensureBackend();
      const repository = new ModelRepository(base, { pollMs, maxVersions, log: (m) => out(`serve: ${m}`) });
      await repository.start();
      const server = await startServer({ repository, port, host: o.host });
      out(`tsfx serve: listening on ${server.url} (models from ${base})`);
      out(`tsfx serve: tfjs backend ${backend.name} from ${backend.package} (${backend.reason})`);
      out(`tsfx serve: models: ${repository.modelNames().join(', ') || '(none yet)'}; Ctrl-C to stop`);
      // resolve only once closed: main.ts exits the process when this action returns
      await new Promise<void>((resolve) => {
        const stop = () => {
          process.off('SIGINT', stop);
          process.off('SIGTERM', stop);
          void server
            .close()
            .then(() => repository.stop())
            .finally(resolve);
        };
        process.on('SIGINT', stop);
        process.on('SIGTERM', stop);
      });
      out('tsfx serve: stopped');
    });

  program
    .command('promote')
    .description('point a label of a served model at a version (the server picks it up on its next poll)')
    .argument('<model>', 'model name (a folder under the model base)')
    .argument('<version>', 'version number (a folder holding model.json)')
    .option('--label <label>', 'label to move', 'stable')
    .option('--model-base <dir>', 'default $TSFX_HOME/serving')
    .action(async (model: string, version: string, o: { label: string; modelBase?: string }) => {
      const { promote } = await import('../serving/labels.js');
      const base = path.resolve(o.modelBase ?? defaultBase());
      const data = promote(base, model, intOption(version, 'version', 0), o.label);
      out(`${model}: ${o.label} -> version ${data.labels[o.label]}`);
    });

  program
    .command('rollback')
    .description('move a label of a served model back to the version it pointed to before')
    .argument('<model>', 'model name')
    .option('--label <label>', 'label to move back', 'stable')
    .option('--model-base <dir>', 'default $TSFX_HOME/serving')
    .action(async (model: string, o: { label: string; modelBase?: string }) => {
      const { rollback } = await import('../serving/labels.js');
      const base = path.resolve(o.modelBase ?? defaultBase());
      const data = rollback(base, model, o.label);
      out(`${model}: ${o.label} -> version ${data.labels[o.label]}`);
    });
}
