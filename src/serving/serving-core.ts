/**
 * The ServingCore over the model repository: what the REST and gRPC faces call. It resolves a
 * ModelSpec to a held version (released when the call ends, so an unloaded version is disposed
 * only after its last request), picks and checks the signature as TF Serving does, and runs the
 * model. Two hooks, one place each:
 * - every predict/classify/regress runs its model through `runner` (the server-side batcher
 *   sits there: same model, version and signature may be merged along the batch dimension);
 * - every request of either face goes through `track`, which reports model, version, API,
 *   entrypoint, status code and latency to `observe` (the Prometheus metrics sit there).
 */
import { checkInputs } from './check-inputs.js';
import { inputsOfExamples } from './examples-inputs.js';
import { badRequest, codeOf } from './http-errors.js';
import type { ModelRepository, ServableHandle, VersionSelector } from './model-repository.js';
import { checkpoint, type RunControl } from './run-chunks.js';
import {
  CLASSIFY_METHOD,
  PREDICT_METHOD,
  REGRESS_METHOD,
  REGRESS_SIGNATURE,
  CLASSIFY_SIGNATURE,
  type Servable,
} from './servable-loader.js';
import type {
  AnsweredBy,
  ClassifyResponse,
  ExamplesRequest,
  GrpcCodeName,
  ModelSpec,
  PredictRequest,
  PredictResponse,
  RegressResponse,
  ServingCore,
  SignatureDef,
  Tensor,
  VersionStatus,
} from './servable.js';
import { SIGNATURE_NAME } from './signature.js';

/** What a batcher is told about one model run: requests with equal keys may share a run. */
export interface RunKey {
  model: string;
  version: number;
  /** the signature whose model runs (serving_default for classify/regress too) */
  signatureName: string;
  servable: Servable;
  /** the API the run serves (metrics label it) */
  api?: ServingApi;
  /** performance.now() ms past which the request answers an error; a batcher drops it from its queue then */
  deadline?: number;
}

type Tensors = Record<string, Tensor>;
/** The batching hook: call `run` (maybe once for several requests' inputs concatenated) and answer this request's outputs. */
export type ModelRunner = (
  key: RunKey,
  inputs: Tensors,
  run: (inputs: Tensors) => Promise<Tensors>,
) => Promise<Tensors>;

export type ServingApi = 'predict' | 'classify' | 'regress' | 'metadata' | 'status';

/** One finished request, for metrics: TF Serving labels its counters by model, version, API and status. */
export interface RequestEvent {
  model: string;
  /** the version that answered; undefined when none was resolved (unknown model, bad request) */
  version?: number;
  api: ServingApi;
  entrypoint: 'REST' | 'GRPC';
  code: GrpcCodeName;
  latencyMs: number;
}

export interface ServingCoreOptions {
  runner?: ModelRunner;
  observe?: (event: RequestEvent) => void;
  /** most rows (examples, or the batch size) one request may hold */
  maxRows?: number;
  /** aborted at shutdown: running requests stop at their next chunk (UNAVAILABLE) */
  signal?: AbortSignal;
  /** rows per model.predict call of a plain LayersModel (the event loop runs between chunks) */
  chunkRows?: number;
}

/** Big enough for batch scoring, small enough that one request can't hold a core for minutes. */
export const DEFAULT_MAX_ROWS = 100_000;

const selectorOf = (spec: ModelSpec): VersionSelector => {
  if (spec.version !== undefined && spec.label !== undefined)
    throw badRequest(
      `Both model version (${spec.version}) and model version label (${spec.label}) cannot be supplied.`,
    );
  return spec.version !== undefined ? { version: spec.version } : spec.label !== undefined ? { label: spec.label } : {};
};
const sigNameOf = (spec: ModelSpec) => spec.signatureName || SIGNATURE_NAME;

export class RepositoryServingCore implements ServingCore {
  constructor(
    readonly repository: ModelRepository,
    private readonly options: ServingCoreOptions = {},
  ) {}

  /**
   * The metrics hook: run one request of a face, then report it (model, the version that
   * answered if the result says, API, entrypoint, status, latency). Both faces call it once per request.
   */
  async track<T>(api: ServingApi, entrypoint: 'REST' | 'GRPC', model: string, fn: () => Promise<T> | T): Promise<T> {
    const t0 = performance.now();
    let code: GrpcCodeName = 'OK';
    let version: number | undefined;
    try {
      const out = await fn();
      version = (out as { answeredBy?: AnsweredBy } | undefined)?.answeredBy?.version;
      return out;
    } catch (err) {
      code = codeOf(err);
      throw err;
    } finally {
      this.options.observe?.({ model, version, api, entrypoint, code, latencyMs: performance.now() - t0 });
    }
  }

  status(spec: ModelSpec): VersionStatus[] {
    return this.repository.status(spec.name, selectorOf(spec)).map((v) => ({
      version: v.version,
      state: v.state,
      errorCode: v.errorCode,
      errorMessage: v.error ?? '',
    }));
  }

  metadata(spec: ModelSpec): { answeredBy: AnsweredBy; signatures: Record<string, SignatureDef> } {
    return this.hold(spec, (h) => ({
      answeredBy: { name: h.name, version: h.version, signatureName: spec.signatureName ?? '' },
      signatures: h.servable.signatures,
    }));
  }

  async predict(request: PredictRequest): Promise<PredictResponse> {
    const { spec } = request;
    return this.hold(spec, async (h) => {
      const name = sigNameOf(spec);
      const sig = this.signature(h, name, 'Serving signature name: "%s" not found in signature def');
      if (sig.methodName !== PREDICT_METHOD)
        throw badRequest(
          `signature '${name}' is a ${sig.methodName} signature over serialized tf.Examples; send its requests to :${sig.methodName === CLASSIFY_METHOD ? 'classify' : 'regress'}`,
        );
      const rows = checkInputs(name, sig, request.inputs, h.servable.acceptsMissing);
      this.checkRows(rows);
      let outputs = await this.run(h, 'predict', name, request.inputs, this.control(request.timeoutMs));
      const filter = request.outputFilter?.filter(Boolean) ?? [];
      if (filter.length) {
        for (const alias of filter)
          if (!Object.hasOwn(outputs, alias))
            throw badRequest(
              `output tensor alias not found in signature: ${alias} Outputs expected to be in the set {${Object.keys(outputs).join(',')}}.`,
            );
        outputs = Object.fromEntries(filter.map((a) => [a, outputs[a]!]));
      }
      return { answeredBy: { name: h.name, version: h.version, signatureName: name }, outputs };
    });
  }

  async classify(request: ExamplesRequest): Promise<ClassifyResponse> {
    return this.hold(request.spec, async (h) => {
      const name = this.examplesSignature(h, request.spec, 'classification', CLASSIFY_METHOD, CLASSIFY_SIGNATURE);
      const { width, values } = await this.runExamples(h, 'classify', request);
      const classes = h.servable.classes!;
      const n = request.examples.length;
      const results = Array.from({ length: n }, (_, r) =>
        h.servable.task === 'binary'
          ? [
              { label: classes[0]!, score: 1 - values[r]! },
              { label: classes[1]!, score: values[r]! },
            ]
          : classes.map((label, k) => ({ label, score: values[r * width + k]! })),
      );
      return { answeredBy: { name: h.name, version: h.version, signatureName: name }, results };
    });
  }

  async regress(request: ExamplesRequest): Promise<RegressResponse> {
    return this.hold(request.spec, async (h) => {
      const name = this.examplesSignature(h, request.spec, 'regression', REGRESS_METHOD, REGRESS_SIGNATURE);
      const { width, values } = await this.runExamples(h, 'regress', request);
      const results = Array.from({ length: request.examples.length }, (_, r) => values[r * width]!);
      return { answeredBy: { name: h.name, version: h.version, signatureName: name }, results };
    });
  }

  /** Resolve the spec, run `fn` on the held version, release it however `fn` ends. */
  private hold<T>(spec: ModelSpec, fn: (h: ServableHandle) => T): T {
    const h = this.repository.acquire(spec.name, selectorOf(spec));
    let out: T;
    try {
      out = fn(h);
    } catch (err) {
      h.release();
      throw err;
    }
    if (out instanceof Promise) return out.finally(() => h.release()) as T;
    h.release();
    return out;
  }

  private signature(h: ServableHandle, name: string, missing: string): SignatureDef {
    const sig = Object.hasOwn(h.servable.signatures, name) ? h.servable.signatures[name] : undefined;
    if (!sig)
      throw badRequest(
        `${missing.replace('%s', name)} (model '${h.name}' version ${h.version} has: ${Object.keys(h.servable.signatures).join(', ')})`,
      );
    return sig;
  }

  private examplesSignature(h: ServableHandle, spec: ModelSpec, what: string, method: string, hint: string): string {
    const name = sigNameOf(spec);
    const sig = this.signature(h, name, 'No signature was found with the name: %s');
    if (sig.methodName !== method) {
      const has = Object.entries(h.servable.signatures).find(([, s]) => s.methodName === method)?.[0];
      throw badRequest(
        `Expected ${what} signature method_name to be ${method}. Was: ${sig.methodName}` +
          (has ? ` (send "signature_name": "${has}")` : ` (model '${h.name}' has no ${what} signature '${hint}')`),
      );
    }
    return name;
  }

  private checkRows(rows: number): void {
    const max = this.options.maxRows ?? DEFAULT_MAX_ROWS;
    if (rows > max)
      throw badRequest(`the request has ${rows} rows; this server takes at most ${max} rows per request (--max-rows)`);
  }

  private control(timeoutMs: number | undefined): RunControl {
    const control: RunControl = { signal: this.options.signal, chunkRows: this.options.chunkRows };
    if (timeoutMs !== undefined) Object.assign(control, { deadline: performance.now() + timeoutMs, timeoutMs });
    return control;
  }

  /** The batching hook's one call site. */
  private async run(
    h: ServableHandle,
    api: ServingApi,
    signatureName: string,
    inputs: Tensors,
    control: RunControl,
  ): Promise<Tensors> {
    checkpoint(control);
    const run = (x: Tensors) => h.servable.run(x, control);
    const { runner } = this.options;
    const key: RunKey = { model: h.name, version: h.version, signatureName, servable: h.servable, api };
    if (control.deadline !== undefined) key.deadline = control.deadline;
    return runner ? runner(key, inputs, run) : run(inputs);
  }

  /** Examples (with their shared context) as serving_default's raw inputs, run; the one output, flat. */
  private async runExamples(
    h: ServableHandle,
    api: 'classify' | 'regress',
    request: ExamplesRequest,
  ): Promise<{ width: number; values: number[] }> {
    const { examples, context } = request;
    if (!Array.isArray(examples) || examples.length === 0) throw badRequest(`'examples' value is an empty array`);
    this.checkRows(examples.length);
    const sig = h.servable.signatures[SIGNATURE_NAME]!;
    const inputs = inputsOfExamples(h.name, h.servable, examples, context);
    checkInputs(SIGNATURE_NAME, sig, inputs, h.servable.acceptsMissing);
    const out = await this.run(h, api, SIGNATURE_NAME, inputs, this.control(request.timeoutMs));
    const y = out[h.servable.outputName]!;
    return { width: y.shape[1] ?? 1, values: y.values as number[] };
  }
}
