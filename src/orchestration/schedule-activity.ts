/**
 * The activity a scheduled run starts with: compile the pipeline file as it is now. The file is
 * compiled in a fresh `tsfx schedule compile` process, not imported here: Node caches a module
 * by its URL for the life of the process, so a long-running worker importing the file would
 * run the version it first saw forever (and the file's own imports, e.g. a preprocessing
 * module, with it). The child prints the spec; this process only reads JSON.
 */
import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { PipelineSpec } from '../../schemas/pipeline-spec.js';
import type { ComponentImpl } from '../dsl/component.js';
import { DefinitionError, StoreMismatchError, TsfxError } from '../errors.js';
import { loadComponentModules, registeredComponents } from '../../components/registry.js';
import { newRunId } from './client.js';
import { toFailure } from './failures.js';
import { workflowIdOf, type StoreScoped } from './types.js';

const BIN = fileURLToPath(new URL('../../bin/tsfx.js', import.meta.url));
/** the child imports the pipeline and every component: seconds on a busy machine, not minutes */
const COMPILE_TIMEOUT_MS = 120_000;

/** What a schedule's action passes to the scheduledRun workflow (and so to Temporal: small JSON). */
export interface ScheduledRunInput extends StoreScoped {
  /** the schedule's own id (as the user named it, without the store tag) */
  scheduleId: string;
  /** absolute path of the pipeline file, read anew at every run */
  file: string;
  /** `node.key=value` overrides, as `tsfx run --param` takes them */
  params: string[];
  queuePrefix: string;
  /** how the schedule was written (`--cron "0 * * * *"` / `--every 1h`), for `tsfx schedule list` */
  when: string;
}

export interface CompilePipelineInput extends StoreScoped {
  scheduleId: string;
  file: string;
  params: string[];
}

export interface CompilePipelineResult {
  spec: PipelineSpec;
  runId: string;
  /** the pipeline run's workflow id (the child workflow's), as `tsfx run` would give it */
  workflowId: string;
}

export interface ScheduledRunResult {
  pipeline: string;
  runId: string;
  status: 'COMPLETE' | 'FAILED' | 'CANCELED';
}

export interface ScheduleActivityDeps {
  storeId: string;
  /** the worker's components: a custom one the pipeline file registers is added on first sight */
  components: Map<string, ComponentImpl>;
}

export function createScheduleActivities(deps: ScheduleActivityDeps) {
  return {
    async compilePipeline(input: CompilePipelineInput): Promise<CompilePipelineResult> {
      try {
        if (input.storeId !== deps.storeId) throw new StoreMismatchError(input.storeId, deps.storeId);
        const spec = await compileInChild(input.file, input.params);
        await knowComponents(deps.components, spec, input.file);
        const runId = newRunId();
        return { spec, runId, workflowId: workflowIdOf(spec.name, runId, input.storeId) };
      } catch (err) {
        throw toFailure(err, `compilePipeline(${input.file})`);
      }
    },
  };
}

export type ScheduleActivities = ReturnType<typeof createScheduleActivities>;

/** `tsfx schedule compile <file> --param …` in a new process; its exit code 2 is a definition error. */
export function compileInChild(file: string, params: string[]): Promise<PipelineSpec> {
  const args = [BIN, 'schedule', 'compile', file, ...params.flatMap((p) => ['--param', p])];
  return new Promise((resolve, reject) => {
    execFile(process.execPath, args, { maxBuffer: 64 << 20, timeout: COMPILE_TIMEOUT_MS }, (err, stdout, stderr) => {
      if (!err) {
        try {
          // the spec is the last line: a library the pipeline imports may have printed before it
          return resolve(JSON.parse(stdout.trimEnd().split('\n').pop()!) as PipelineSpec);
        } catch {
          return reject(new TsfxError(`compiling ${file} printed no pipeline spec: ${stdout.slice(0, 300)}`));
        }
      }
      // main.ts prints `tsfx: <ErrorName>: <message>` and exits 2 for our own errors (a bad pipeline)
      const said = stderr.trim().replace(/^tsfx: (\w+: )?/, '');
      const code = (err as { code?: unknown }).code;
      if (code === 2) return reject(new DefinitionError(`pipeline ${file}: ${said}`));
      reject(new TsfxError(`compiling pipeline ${file} failed (${code ?? (err as Error).message}): ${said.slice(0, 2000)}`));
    });
  });
}

/**
 * A node whose component this worker does not know: the pipeline file (or a module it imports)
 * registers it, as `tsfx run` relies on. Import the file here once so the worker can run it;
 * importing is enough to register, so Node's module cache does no harm here.
 */
async function knowComponents(components: Map<string, ComponentImpl>, spec: PipelineSpec, file: string): Promise<void> {
  if (spec.nodes.every((n) => components.has(n.component))) return;
  await loadComponentModules([file]);
  for (const c of registeredComponents()) if (!components.has(c.spec.name)) components.set(c.spec.name, c);
  const missing = spec.nodes.filter((n) => !components.has(n.component)).map((n) => `${n.id} (${n.component})`);
  if (missing.length)
    throw new DefinitionError(
      `${file}: no component is registered on this worker for ${missing.join(', ')}; ` +
        'register it with registerComponent() in a module the pipeline file imports, or start `tsfx worker --components <module>`',
    );
}
