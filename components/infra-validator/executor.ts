/**
 * InfraValidator's executor, as TFX's: up to `numTries` fresh server processes (sandbox.ts); a
 * try passes when the candidate becomes AVAILABLE within the load-time limit and every
 * `:predict` request answers 200 with one prediction per row. The first passing try blesses;
 * when none passes the model is not blessed, with the last try's reason. Either way the blessing
 * folder holds TFX's marker file, report.json (every try and request) and warmup_requests.json
 * (the requests that succeeded, for the Pusher). A model that cannot even be described (no
 * valid signature.json) is not blessed without starting a server.
 */
import fs from 'node:fs/promises';
import path from 'node:path';
import type { Executor, ExecutorContext } from '../../src/dsl/component.js';
import { parseRequestJson } from '../../src/serving/request-json.js';
import { buildRequests, readSignature, type PredictBody } from './requests.js';
import { memoryCapMethod, SandboxFailure, startSandbox, type Sandbox } from './sandbox.js';
import {
  INFRA_BLESSED,
  INFRA_NOT_BLESSED,
  REPORT_FILE,
  WARMUP_FILE,
  type InfraBlessingProperties,
  type InfraValidatorParams,
  type InfraValidatorSpec,
  type RequestOutcome,
  type TryOutcome,
} from './spec.js';

/**
 * A prediction is numbers (nested lists, or an object of outputs); NaN or Infinity anywhere fails
 * the request: TF Serving would answer it with a 200, but no client can use it.
 */
function allFinite(v: unknown): boolean {
  if (typeof v === 'number') return Number.isFinite(v);
  if (Array.isArray(v)) return v.every(allFinite);
  if (v && typeof v === 'object') return Object.values(v).every(allFinite);
  return true;
}

const errorText = (err: unknown) => (err instanceof Error ? err.message : String(err));

/** Send one body to the real :predict handler; a 200 must carry one prediction per row. */
async function sendOne(
  url: string,
  name: string,
  body: PredictBody,
  index: number,
  timeoutMs: number,
  signal: AbortSignal,
): Promise<RequestOutcome> {
  const rows = body.instances.length;
  const t0 = performance.now();
  const outcome = (status: number, error?: string): RequestOutcome => ({
    index,
    rows,
    status,
    latencyMs: performance.now() - t0,
    ...(error ? { error } : {}),
  });
  let res: Response;
  let text: string;
  try {
    const limit = AbortSignal.any([signal, AbortSignal.timeout(timeoutMs)]);
    res = await fetch(`${url}/v1/models/${encodeURIComponent(name)}/versions/1:predict`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(body),
      signal: limit,
    });
    text = await res.text();
  } catch (err) {
    signal.throwIfAborted();
    const e = err as Error;
    return outcome(
      0,
      e.name === 'TimeoutError' ? `no answer within ${timeoutMs} ms (requestTimeoutMs)` : `no answer: ${e.message}`,
    );
  }
  let json: { predictions?: unknown; error?: string } | undefined;
  try {
    // as TF Serving writes it: NaN and Infinity are bare tokens
    json = parseRequestJson(text) as typeof json;
  } catch {
    return outcome(res.status, `the answer is not JSON: ${text.slice(0, 200)}`);
  }
  if (res.status !== 200) return outcome(res.status, json?.error ?? text.slice(0, 200));
  const predictions = json?.predictions;
  if (!Array.isArray(predictions) || predictions.length !== rows)
    return outcome(
      res.status,
      `expected ${rows} predictions, got ${Array.isArray(predictions) ? predictions.length : 'no predictions list'}`,
    );
  const bad = predictions.findIndex((p) => !allFinite(p));
  if (bad >= 0)
    return outcome(
      res.status,
      `the prediction for row ${bad} holds NaN or Infinity: ${JSON.stringify(predictions[bad], (_k, v: unknown) => (typeof v === 'number' && !Number.isFinite(v) ? String(v) : v))}`,
    );
  return outcome(200);
}

async function oneTry(
  n: number,
  modelDir: string,
  requests: PredictBody[],
  params: InfraValidatorParams,
  ctx: ExecutorContext,
): Promise<TryOutcome> {
  const { signal } = ctx;
  // in the execution's work folder, which is removed once the node is published, even if this worker dies
  await fs.mkdir(ctx.workDir, { recursive: true });
  const base = await fs.mkdtemp(path.join(ctx.workDir, 'sandbox-'));
  let sandbox: Sandbox | undefined;
  const outcomes: RequestOutcome[] = [];
  try {
    try {
      sandbox = await startSandbox({
        modelDir,
        base,
        name: params.servingModelName,
        memoryLimitMb: params.memoryLimitMb,
        maxLoadingTimeMs: params.maxLoadingTimeMs,
        signal,
      });
    } catch (err) {
      if (err instanceof SandboxFailure)
        return { try: n, ok: false, reason: err.message, exit: err.exit, requests: [] };
      throw err;
    }
    for (const [i, body] of requests.entries()) {
      const o = await sendOne(sandbox.url, params.servingModelName, body, i, params.requestTimeoutMs, signal);
      outcomes.push(o);
      // a crash explains the failures better than "connection refused"; later requests can't pass
      const crash = sandbox.crash();
      if (crash) return { try: n, ok: false, reason: crash, loadMs: sandbox.loadMs, requests: outcomes };
      if (o.error)
        return {
          try: n,
          ok: false,
          reason: `request ${i} (${o.rows} rows) answered ${o.status || 'nothing'}: ${o.error}`,
          loadMs: sandbox.loadMs,
          requests: outcomes,
        };
    }
    const crash = sandbox.crash();
    return crash
      ? { try: n, ok: false, reason: crash, loadMs: sandbox.loadMs, requests: outcomes }
      : { try: n, ok: true, loadMs: sandbox.loadMs, requests: outcomes };
  } finally {
    await sandbox?.stop();
    await fs.rm(base, { recursive: true, force: true });
  }
}

export const infraValidatorExecutor: Executor<InfraValidatorSpec> = async ({ inputs, outputs, params, ctx }) => {
  const model = inputs.model[0]!;
  const examples = inputs.examples?.[0];
  const mode = examples ? 'LOAD_AND_QUERY' : 'LOAD_ONLY';
  const memoryCap = memoryCapMethod(params.memoryLimitMb);
  const out = outputs.blessing.path;
  const tries: TryOutcome[] = [];
  let requests: PredictBody[] = [];
  let reason: string | undefined;
  let signature;
  try {
    signature = await readSignature(model.path);
  } catch (err) {
    reason = `the Model cannot be served: ${errorText(err)}`;
  }
  // the Examples' faults (no such split, no rows) are the pipeline's to fix: they fail the node
  if (signature && examples) requests = await buildRequests(examples, signature, params);
  if (!reason) {
    ctx.log(`InfraValidator: ${mode}, ${requests.length} requests, memory cap ${memoryCap}`);
    for (let n = 1; n <= params.numTries; n++) {
      ctx.heartbeat({ done: n - 1, total: params.numTries, unit: 'tries', message: `try ${n}/${params.numTries}` });
      const t = await oneTry(n, model.path, requests, params, ctx);
      tries.push(t);
      if (t.ok) break;
      ctx.log(`InfraValidator: try ${n}/${params.numTries} failed: ${t.reason}`);
    }
    const passed = tries.at(-1)?.ok === true;
    if (!passed) reason = tries.at(-1)?.reason;
  }
  const blessed = reason === undefined;
  const passing = tries.at(-1)?.requests ?? [];
  const warmup = params.makeWarmup ? passing.filter((o) => !o.error).map((o) => requests[o.index]!) : [];
  await fs.writeFile(path.join(out, blessed ? INFRA_BLESSED : INFRA_NOT_BLESSED), '');
  await fs.writeFile(
    path.join(out, REPORT_FILE),
    JSON.stringify({ blessed, mode, reason: reason ?? null, memoryCap, params, tries }, null, 1),
  );
  await fs.writeFile(path.join(out, WARMUP_FILE), JSON.stringify(warmup));
  const properties: InfraBlessingProperties = {
    blessed,
    model: model.id,
    mode,
    tries: tries.length,
    requests: requests.length,
    memoryCap,
    ...(reason ? { reason } : {}),
  };
  return { blessing: properties };
};
