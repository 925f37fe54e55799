/**
 * `tsfx serve`: the TF Serving-compatible model server; `tsfx promote` / `tsfx rollback`: move
 * a label (stable, canary) between versions of a served model. The serving modules load tfjs,
 * so they are imported inside the actions: other commands stay quick to start.
 */
import fs from 'node:fs/promises';
import path from 'node:path';
import type { Command } from 'commander';
import { loadConfig } from '../config.js';
import { DataError, DefinitionError } from '../errors.js';
import type { BatchingFile } from '../serving/batching-config.js';

const out = (s: string) => process.stdout.write(`${s}\n`);
const defaultBase = () => path.join(loadConfig().home, 'serving');

function intOption(value: string, name: string, min: number): number {
  const n = Number(value);
  if (!Number.isSafeInteger(n) || n < min)
    throw new DefinitionError(`must be an integer >= ${min}, got '${value}'`, [name]);
  return n;
}

/** `latest`, `latest:N`, `all` or `specific:1,3` (TF Serving's model_version_policy) */
export function parseVersionPolicy(text: string): { latest: number } | { all: true } | { specific: number[] } {
  const [kind, arg] = text.split(':', 2) as [string, string | undefined];
  if (kind === 'all' && arg === undefined) return { all: true };
  if (kind === 'latest') return { latest: arg === undefined ? 1 : intOption(arg, '--version-policy latest:N', 1) };
  if (kind === 'specific' && arg)
    return { specific: arg.split(',').map((v) => intOption(v.trim(), '--version-policy specific:V,...', 0)) };
  throw new DefinitionError(`expected latest, latest:N, all or specific:V1,V2,..., got '${text}'`, [
    '--version-policy',
  ]);
}

interface ServeOptions {
  modelBase?: string;
  port: string;
  grpcPort: string;
  host: string;
  pollMs: string;
  maxVersions?: string;
  versionPolicy?: string;
  token?: string;
  bodyLimit: string;
  maxRows: string;
  timeoutMs: string;
  drainMs: string;
  enableBatching?: boolean;
  batchingParametersFile?: string;
}

export function registerServe(program: Command): void {
  program
    .command('serve')
    .description("serve models over TF Serving's REST and gRPC APIs until SIGINT/SIGTERM")
    .option('--model-base <dir>', 'models as <dir>/<model>/<version>/ (default $TSFX_HOME/serving)')
    .option('--port <n>', 'REST port to listen on (0: any free port)', '8501')
    .option(
      '--grpc-port <n>',
      "gRPC port for TF Serving's PredictionService and ModelService (0: any free port)",
      '8500',
    )
    .option('--host <addr>', 'address to bind', '127.0.0.1')
    .option('--poll-ms <ms>', 'how often to look for new versions and label changes', '2000')
    .option('--max-versions <n>', 'the same as --version-policy latest:<n>')
    .option(
      '--version-policy <policy>',
      'which versions to load: latest (default), latest:N, all, specific:V1,V2 (plus any version a label points to)',
    )
    .option('--token <token>', 'require "Authorization: Bearer <token>" on every request (default $TSFX_SERVING_TOKEN)')
    .option('--body-limit <bytes>', 'largest request body accepted; larger ones answer 413', String(64 * 1024 * 1024))
    // defaults repeated from src/serving (DEFAULT_MAX_ROWS etc.): importing it here would load tfjs for every command
    .option(
      '--max-rows <n>',
      'most rows (instances) one predict request may hold; more answer 400 (INVALID_ARGUMENT)',
      '100000',
    )
    .option(
      '--timeout-ms <ms>',
      'a predict running longer answers 504 (as TF Serving --rest_api_timeout_in_ms)',
      '30000',
    )
    .option(
      '--drain-ms <ms>',
      'on SIGINT/SIGTERM, how long in-flight requests may finish before they are stopped',
      '5000',
    )
    .option('--enable-batching', "batch concurrent requests per model version (TF Serving's --enable_batching)")
    .option(
      '--batching-parameters-file <file>',
      "TF Serving's BatchingParameters text file (max_batch_size, batch_timeout_micros, max_enqueued_batches, ...); implies --enable-batching",
    )
    .action(async (o: ServeOptions) => {
      const port = intOption(o.port, '--port', 0);
      const grpcPort = intOption(o.grpcPort, '--grpc-port', 0);
      const pollMs = intOption(o.pollMs, '--poll-ms', 10);
      const maxVersions = o.maxVersions === undefined ? undefined : intOption(o.maxVersions, '--max-versions', 1);
      const policy = o.versionPolicy !== undefined ? parseVersionPolicy(o.versionPolicy) : { latest: maxVersions ?? 1 };
      const bodyLimit = intOption(o.bodyLimit, '--body-limit', 1);
      const token = o.token ?? (process.env.TSFX_SERVING_TOKEN || undefined);
      const maxRows = intOption(o.maxRows, '--max-rows', 1);
      const timeoutMs = intOption(o.timeoutMs, '--timeout-ms', 1);
      const drainMs = intOption(o.drainMs, '--drain-ms', 0);
      const base = path.resolve(o.modelBase ?? defaultBase());
      const { ensureBackend } = await import('../ml/backend.js');
      const { ModelRepository } = await import('../serving/model-repository.js');
      const { startServer } = await import('../serving/server.js');
      const { startGrpcServer } = await import('../serving/grpc/server.js');
      const { createServingHooks } = await import('../serving/serving-hooks.js');
      const batching = await batchingOf(o);
      const hooks = createServingHooks({ batching });
      const backend = await ensureBackend();
      const repository = new ModelRepository(base, {
        pollMs,
        policy,
        log: (m) => out(`serve: ${m}`),
        hooks: hooks.repository,
      });
      await repository.start();
      const server = await startServer({
        repository,
        port,
        host: o.host,
        maxRows,
        timeoutMs,
        bodyLimit,
        token,
        coreOptions: hooks.coreOptions,
        metricsText: hooks.metricsText,
      });
      // one core behind both faces: a predict over gRPC is the same call as over REST (same batchers, same metrics)
      const grpc = await startGrpcServer({
        core: server.core,
        port: grpcPort,
        host: o.host,
        ...(token ? { token } : {}),
      });
      out(`tsfx serve: listening on ${server.url} (models from ${base})${token ? '; bearer token required' : ''}`);
      out(`tsfx serve: gRPC listening on ${o.host}:${grpc.port}`);
      out(`tsfx serve: tfjs backend ${backend.name} from ${backend.package} (${backend.reason})`);
      out(`tsfx serve: version policy ${JSON.stringify(policy)} (plus labelled versions)`);
      out(
        `tsfx serve: metrics at ${server.url}/monitoring/prometheus/metrics; batching ${batching ? `on ${JSON.stringify(batching)}` : 'off'}`,
      );
      out(`tsfx serve: models: ${repository.modelNames().join(', ') || '(none yet)'}; Ctrl-C to stop`);
      // resolve only once closed: main.ts exits the process when this action returns
      await new Promise<void>((resolve) => {
        let stopping = false;
        const stop = (signal: NodeJS.Signals) => {
          if (stopping) {
            out(`tsfx serve: ${signal} again; exiting without waiting`);
            process.exit(1);
          }
          stopping = true;
          out(`tsfx serve: ${signal}: draining in-flight requests (up to ${drainMs} ms)`);
          // the last bound: a model load or a single chunk that never returns must not keep us up
          setTimeout(() => {
            out('tsfx serve: still not stopped; exiting');
            process.exit(1);
          }, drainMs + 5000).unref();
          // batches run outside the handlers: past the drain bound they are stopped too
          setTimeout(() => hooks.abort(), drainMs).unref();
          void Promise.all([server.close(drainMs), grpc.close(drainMs)])
            .then(() => hooks.close())
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
    .option('--reason <text>', 'why, recorded in the history (`tsfx models <model> --history`)')
    .option('--model-base <dir>', 'default $TSFX_HOME/serving')
    .action(async (model: string, version: string, o: { label: string; reason?: string; modelBase?: string }) => {
      const { promote } = await import('../serving/labels.js');
      const base = path.resolve(o.modelBase ?? defaultBase());
      const data = promote(base, model, intOption(version, 'version', 0), {
        label: o.label,
        ...(o.reason ? { reason: o.reason } : {}),
      });
      out(`${model}: ${o.label} -> version ${data.labels[o.label]}`);
    });

  program
    .command('rollback')
    .description('move a label of a served model back to the version it pointed to before (recorded in the history)')
    .argument('<model>', 'model name')
    .option('--label <label>', 'label to move back', 'stable')
    .option('--reason <text>', 'why, recorded in the history (`tsfx models <model> --history`)')
    .option('--model-base <dir>', 'default $TSFX_HOME/serving')
    .action(async (model: string, o: { label: string; reason?: string; modelBase?: string }) => {
      const { rollback } = await import('../serving/labels.js');
      const base = path.resolve(o.modelBase ?? defaultBase());
      const data = rollback(base, model, { label: o.label, ...(o.reason ? { reason: o.reason } : {}) });
      out(`${model}: ${o.label} -> version ${data.labels[o.label]}`);
    });
}

/** --enable-batching / --batching-parameters-file as TF Serving reads them; undefined: no batching. */
async function batchingOf(o: ServeOptions): Promise<BatchingFile | undefined> {
  if (o.batchingParametersFile !== undefined) {
    const { parseBatchingParameters } = await import('../serving/batching-config.js');
    const file = path.resolve(o.batchingParametersFile);
    let text: string;
    try {
      text = await fs.readFile(file, 'utf8');
    } catch (err) {
      throw new DataError(`cannot read the batching parameters file: ${(err as Error).message}`, file);
    }
    return parseBatchingParameters(text, file);
  }
  return o.enableBatching ? {} : undefined;
}
