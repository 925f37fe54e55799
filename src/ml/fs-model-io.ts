/**
 * Save and load tfjs models in a local folder, in the layout tfjs-node's `file://` handler
 * writes (model.json with modelTopology and a weightsManifest naming weights.bin), so folders
 * move freely between tfjs-node and this pure-JS path. model.json is written last, by rename:
 * a folder with a model.json always has its weights complete, which is what the model server
 * relies on to never load a half-written version.
 */
import fs from 'node:fs/promises';
import path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { DataError } from '../errors.js';

export const MODEL_JSON = 'model.json';
export const WEIGHTS_BIN = 'weights.bin';

type ModelJson = tf.io.ModelJSON;

const bytesPerElement: Record<string, number> = {
  float32: 4,
  int32: 4,
  bool: 1,
  complex64: 8,
  uint8: 1,
  uint16: 2,
  float16: 2,
};

/** Expected byte length of one manifest group, or undefined when it holds strings (variable length). */
function groupBytes(specs: tf.io.WeightsManifestEntry[]): number | undefined {
  let total = 0;
  for (const s of specs) {
    const stored = s.quantization?.dtype ?? s.dtype;
    const size = bytesPerElement[stored];
    if (size === undefined) return undefined;
    total += size * s.shape.reduce((a, b) => a * b, 1);
  }
  return total;
}

/** An IOHandler writing `dir/model.json` and `dir/weights.bin`. */
export function folderSaveHandler(dir: string): tf.io.IOHandler {
  return {
    async save(artifacts: tf.io.ModelArtifacts): Promise<tf.io.SaveResult> {
      if (artifacts.modelTopology instanceof ArrayBuffer) throw new Error('binary model topologies are not supported');
      await fs.mkdir(dir, { recursive: true });
      const weights = artifacts.weightData ? tf.io.CompositeArrayBuffer.join(artifacts.weightData) : new ArrayBuffer(0);
      await fs.writeFile(path.join(dir, WEIGHTS_BIN), new Uint8Array(weights));
      const json: ModelJson = {
        modelTopology: artifacts.modelTopology!,
        format: artifacts.format ?? 'layers-model',
        generatedBy: artifacts.generatedBy ?? `TensorFlow.js tfjs-layers v${tf.version.tfjs}`,
        convertedBy: artifacts.convertedBy ?? null,
        weightsManifest: [{ paths: [WEIGHTS_BIN], weights: artifacts.weightSpecs ?? [] }],
      };
      if (artifacts.trainingConfig) json.trainingConfig = artifacts.trainingConfig;
      if (artifacts.signature) json.signature = artifacts.signature;
      if (artifacts.userDefinedMetadata) json.userDefinedMetadata = artifacts.userDefinedMetadata;
      if (artifacts.modelInitializer) json.modelInitializer = artifacts.modelInitializer;
      if (artifacts.initializerSignature) json.initializerSignature = artifacts.initializerSignature;
      const tmp = path.join(dir, `.${MODEL_JSON}.${process.pid}.tmp`);
      await fs.writeFile(tmp, JSON.stringify(json));
      await fs.rename(tmp, path.join(dir, MODEL_JSON));
      return { modelArtifactsInfo: tf.io.getModelArtifactsInfoForJSON(artifacts) };
    },
  };
}

/** Read and check `dir/model.json`; a DataError names what is missing or malformed. */
export async function readModelJson(dir: string): Promise<ModelJson> {
  const file = path.join(dir, MODEL_JSON);
  const text = await fs.readFile(file, 'utf8');
  let json: ModelJson;
  try {
    json = JSON.parse(text) as ModelJson;
  } catch (err) {
    throw new DataError(`not valid JSON (${(err as Error).message})`, file);
  }
  if (!json || typeof json !== 'object' || !json.modelTopology) throw new DataError('no modelTopology', file);
  if (!Array.isArray(json.weightsManifest)) throw new DataError('no weightsManifest list', file);
  return json;
}

/** An IOHandler reading what folderSaveHandler (or tfjs-node's file://) wrote. */
export function folderLoadHandler(dir: string): tf.io.IOHandler {
  return {
    async load(): Promise<tf.io.ModelArtifacts> {
      const json = await readModelJson(dir);
      return tf.io.getModelArtifactsForJSON(json, async (manifest) => {
        const buffers: ArrayBuffer[] = [];
        const specs: tf.io.WeightsManifestEntry[] = [];
        for (const [g, group] of manifest.entries()) {
          const parts: Uint8Array[] = [];
          for (const p of group.paths) parts.push(await fs.readFile(path.join(dir, p)));
          const got = parts.reduce((n, b) => n + b.byteLength, 0);
          const want = groupBytes(group.weights);
          if (want !== undefined && got !== want) {
            throw new DataError(
              `weightsManifest[${g}] needs ${want} bytes but ${group.paths.join(', ')} hold ${got} (truncated or mismatched weights)`,
              path.join(dir, group.paths[0] ?? ''),
            );
          }
          for (const b of parts) buffers.push(b.buffer.slice(b.byteOffset, b.byteOffset + b.byteLength) as ArrayBuffer);
          specs.push(...group.weights);
        }
        return [specs, tf.io.concatenateArrayBuffers(buffers)];
      });
    },
  };
}

export async function saveModel(model: tf.LayersModel, dir: string): Promise<tf.io.SaveResult> {
  return model.save(folderSaveHandler(dir));
}

export async function loadModel(dir: string): Promise<tf.LayersModel> {
  return tf.loadLayersModel(folderLoadHandler(dir));
}
