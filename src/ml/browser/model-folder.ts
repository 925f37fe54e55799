/**
 * A Trainer's Model folder loaded over HTTP: signature.json, transform/transform_graph.json and
 * model.json (with the weight files its manifest names), bound into a predictor that takes raw
 * rows. Uses only `fetch`, so it runs in the browser and in Node alike; the page's own server
 * serves the folder (nothing from a CDN).
 */
import { createModelPredictor, parseSignature, parseTransformGraph, type ModelPredictor } from '../model-predictor.js';
import { DataError } from '../../errors.js';
import { loadModelFromUrl } from './predict.js';

/** The files of a Model folder, relative to its URL (as components/trainer/spec.ts names them). */
export const MODEL_FOLDER_FILES = {
  signature: 'signature.json',
  transformGraph: 'transform/transform_graph.json',
  model: 'model.json',
} as const;

async function fetchJson(url: string, requestInit?: RequestInit): Promise<unknown> {
  let res: Response;
  try {
    res = await fetch(url, requestInit);
  } catch (err) {
    throw new DataError(`cannot fetch: ${err instanceof Error ? err.message : String(err)}`, url);
  }
  if (!res.ok) throw new DataError(`HTTP ${res.status} ${res.statusText}`.trim(), url);
  try {
    return await res.json();
  } catch (err) {
    throw new DataError(`not JSON: ${err instanceof Error ? err.message : String(err)}`, url);
  }
}

/**
 * Load the Model folder at `url` (e.g. `/models/penguin/` or `https://host/model`; a trailing
 * slash is added) and bind its parts. A file that is not there or does not parse is a DataError
 * naming its URL.
 *
 * @example
 * const predictor = await loadModelFolder('/model/');
 * const { classNames } = await predictor.predictRows([{ Island: 'Dream', 'Sex': null, ... }]);
 */
export async function loadModelFolder(
  url: string,
  options: { requestInit?: RequestInit } = {},
): Promise<ModelPredictor> {
  const base = url.endsWith('/') ? url : `${url}/`;
  const at = (file: string) => base + file;
  const [signatureJson, graphJson] = await Promise.all([
    fetchJson(at(MODEL_FOLDER_FILES.signature), options.requestInit),
    fetchJson(at(MODEL_FOLDER_FILES.transformGraph), options.requestInit),
  ]);
  // the small files first: a folder missing one never leaves a loaded model behind
  const model = await loadModelFromUrl(at(MODEL_FOLDER_FILES.model), options.requestInit);
  try {
    return createModelPredictor({
      signature: parseSignature(signatureJson, at(MODEL_FOLDER_FILES.signature)),
      graph: parseTransformGraph(graphJson, at(MODEL_FOLDER_FILES.transformGraph)),
      model,
    });
  } catch (err) {
    model.dispose();
    throw err;
  }
}
