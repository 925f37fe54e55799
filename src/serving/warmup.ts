/**
 * Warm-up before a version is AVAILABLE, as TF Serving's saved_model_warmup does with
 * assets.extra/tf_serving_warmup_requests: every request stored beside the version runs once,
 * so the first client request does not pay for kernel compilation, and a version whose
 * requests fail never serves (its load fails with the request's error). tsfx stores them as
 * `{version}/assets.extra/warmup_requests.json`: a JSON array of REST :predict bodies.
 */
import fs from 'node:fs/promises';
import path from 'node:path';
import { DataError } from '../errors.js';
import { checkInputs } from './check-inputs.js';
import { codeOf, ServingError } from './http-errors.js';
import { tensorsOfPredictBody } from './json-tensor.js';
import { parseRequestJson } from './request-json.js';
import { PREDICT_METHOD, type Servable } from './servable-loader.js';
import { SIGNATURE_NAME } from './signature.js';
import { WARMUP_PATH } from './version-folder.js';

/** TF Serving's cap on warm-up records */
export const MAX_WARMUP_REQUESTS = 1000;

/** Run the version's warm-up requests; none stored: nothing to do. Throws naming the request at fault. */
export async function warmUp(dir: string, servable: Servable): Promise<number> {
  const file = path.join(dir, WARMUP_PATH);
  let text: string;
  try {
    text = await fs.readFile(file, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return 0;
    throw new DataError(`cannot read: ${(err as Error).message}`, file);
  }
  let bodies: unknown;
  try {
    bodies = parseRequestJson(text);
  } catch (err) {
    throw new DataError((err as Error).message, file);
  }
  if (!Array.isArray(bodies)) throw new DataError('expected a JSON array of :predict request bodies', file);
  if (bodies.length > MAX_WARMUP_REQUESTS)
    throw new DataError(`Number of warmup records exceeds the maximum (${MAX_WARMUP_REQUESTS})`, file);
  for (const [i, body] of bodies.entries()) {
    try {
      if (typeof body !== 'object' || body === null || Array.isArray(body)) throw new Error('not a JSON object');
      const b = body as Record<string, unknown>;
      const name = typeof b.signature_name === 'string' && b.signature_name ? b.signature_name : SIGNATURE_NAME;
      const sig = servable.signatures[name];
      if (!sig || sig.methodName !== PREDICT_METHOD) throw new Error(`no predict signature '${name}'`);
      const { tensors } = tensorsOfPredictBody(b, sig.inputs);
      checkInputs(name, sig, tensors, servable.acceptsMissing);
      await servable.run(tensors);
    } catch (err) {
      // the load fails with the request's own code, as TF Serving's warm-up does
      const code = codeOf(err) === 'UNKNOWN' ? 'INVALID_ARGUMENT' : codeOf(err);
      throw new ServingError(code, `${WARMUP_PATH}: warm-up request ${i} failed: ${(err as Error).message}`);
    }
  }
  return bodies.length;
}
