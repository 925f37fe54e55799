/**
 * The browser bundle's entry (test/helpers/browser-bundle.ts builds it with esbuild): load a
 * Model folder served over HTTP and predict from raw features through a transform. Node-free:
 * nothing here may import `node:*` (lint enforces it, and the browser build would fail).
 *
 * @example
 * const { useBackend, loadPredictor } = await import('/tsfx-browser.js');
 * await useBackend({ wasmPaths: '/tfjs-wasm/' });
 * const predictor = await loadPredictor('/model/model.json', { transform: (rows) => toInputs(rows) });
 * const { species } = await predictor.predict(rows);
 */
export * as tf from '@tensorflow/tfjs';
export { useBackend, type BrowserBackend, type BrowserBackendName, type BrowserBackendOptions } from './backend.js';
export {
  inputTensors,
  loadModelFromUrl,
  inputNamesOf,
  loadPredictor,
  outputNamesOf,
  predict,
  predictInputs,
  type InputValues,
  type ModelInputs,
  type OutputValues,
  type Predictions,
  type Predictor,
  type Transform,
} from './predict.js';
export { loadModelFolder, MODEL_FOLDER_FILES } from './model-folder.js';
export {
  createModelPredictor,
  modelInputsOf,
  parseSignature,
  parseTransformGraph,
  type ModelPredictor,
  type RawPredictions,
} from '../model-predictor.js';
export { rawBatchFromInstances } from '../raw-instances.js';
export type { ModelSignature } from '../../../schemas/model-signature.js';
