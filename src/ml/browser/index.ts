/**
 * The browser bundle's entry (test/helpers/browser-bundle.ts builds it with esbuild): load a
 * Trainer's Model folder served over HTTP and predict from raw features through its signature
 * and serving transform (loadModelFolder), or load a bare LayersModel and bring your own
 * transform (loadPredictor). Node-free: nothing here may import `node:*` (lint enforces it, and
 * the browser build would fail).
 *
 * @example
 * const { useBackend, loadModelFolder } = await import('/tsfx-browser.js');
 * await useBackend({ wasmPaths: '/tfjs-wasm/' });
 * const predictor = await loadModelFolder('/models/penguin/');
 * const { classNames } = await predictor.predictRows(rawRows);
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
