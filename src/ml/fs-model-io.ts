/**
 * Save and load tfjs models in a local folder, in the layout tfjs-node's `file://` handler
 * writes (model.json with modelTopology and a weightsManifest naming weights.bin), so folders
 * move freely between tfjs-node and this pure-JS path. model.json is written last, by rename:
 * a folder with a model.json always has its weights complete, which is what the model server
 * relies on to never load a half-written version.
 */
import { constants as fsConstants } from 'node:fs';
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

/** Topologies are kilobytes to a few MB; past this a model.json is not one (or is /dev/zero). */
export const MAX_MODEL_JSON_BYTES = 64 << 20;

/**
 * Byte length one manifest group must have, from its weights' shapes and stored dtypes. String
 * weights (variable length) are refused: their files' size could not be bounded, and layers
 * models never have them.
 */
function groupBytes(specs: unknown, where: string, file: string): number {
  if (!Array.isArray(specs)) throw new DataError(`${where}.weights is not a list`, file);
  let total = 0;
  for (const [i, s] of (specs as tf.io.WeightsManifestEntry[]).entries()) {
    const stored = s?.quantization?.dtype ?? s?.dtype;
    const size = bytesPerElement[stored];
    if (size === undefined) throw new DataError(`${where}.weights[${i}]: dtype '${stored}' is not supported`, file);
    if (!Array.isArray(s.shape) || !s.shape.every((d) => Number.isSafeInteger(d) && d >= 0))
      throw new DataError(`${where}.weights[${i}]: shape ${JSON.stringify(s.shape)} is not a list of sizes`, file);
    total += size * s.shape.reduce((a, b) => a * b, 1);
  }
  return total;
}

const inside = (root: string, p: string) => p === root || p.startsWith(root + path.sep);

/**
 * Open `rel` only if it is a regular file inside `dir`, symlinks resolved: a manifest naming
 * `../../etc/hostname`, `/dev/zero` or a symlink out of the folder must not be read.
 */
async function openInside(dir: string, rel: unknown, what: string): Promise<{ handle: fs.FileHandle; size: number }> {
  const file = path.join(dir, typeof rel === 'string' ? rel : '');
  if (typeof rel !== 'string' || rel === '') throw new DataError(`${what} is not a file name`, dir);
  if (path.isAbsolute(rel))
    throw new DataError(`${what} '${rel}' is an absolute path; weights must be files inside the version folder`, dir);
  const root = await fs.realpath(dir);
  if (!inside(root, path.resolve(root, rel))) throw new DataError(`${what} '${rel}' leaves the version folder`, dir);
  const real = await fs.realpath(path.resolve(root, rel)).catch((err: NodeJS.ErrnoException) => {
    throw new DataError(`${what} '${rel}' is missing (${err.code})`, file);
  });
  if (!inside(root, real)) throw new DataError(`${what} '${rel}' leaves the version folder through a symlink`, dir);
  // O_NOFOLLOW: the resolved path must not have become a symlink since realpath looked;
  // O_NONBLOCK: opening a FIFO planted there must not wait for a writer
  const handle = await fs.open(real, fsConstants.O_RDONLY | fsConstants.O_NOFOLLOW | fsConstants.O_NONBLOCK);
  const st = await handle.stat();
  if (!st.isFile()) {
    await handle.close();
    throw new DataError(`${what} '${rel}' is not a regular file`, file);
  }
  return { handle, size: st.size };
}

/** Exactly `size` bytes: a file growing while read must not make us read more than we checked. */
async function readExactly(handle: fs.FileHandle, size: number, file: string): Promise<Uint8Array> {
  const buf = new Uint8Array(size);
  for (let at = 0; at < size;) {
    const { bytesRead } = await handle.read(buf, at, size - at, at);
    if (bytesRead === 0) throw new DataError(`shrank from ${size} to ${at} bytes while being read`, file);
    at += bytesRead;
  }
  return buf;
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
  const { handle, size } = await openInside(dir, MODEL_JSON, MODEL_JSON);
  let text: string;
  try {
    if (size > MAX_MODEL_JSON_BYTES)
      throw new DataError(`${size} bytes, more than the ${MAX_MODEL_JSON_BYTES} a model.json may hold`, file);
    text = Buffer.from(await readExactly(handle, size, file)).toString('utf8');
  } finally {
    await handle.close();
  }
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
          const where = `weightsManifest[${g}]`;
          const first = path.join(dir, String(group?.paths?.[0] ?? ''));
          if (!Array.isArray(group?.paths))
            throw new DataError(`${where}.paths is not a list`, path.join(dir, MODEL_JSON));
          const want = groupBytes(group.weights, where, path.join(dir, MODEL_JSON));
          const files: { handle: fs.FileHandle; size: number }[] = [];
          try {
            for (const [i, p] of group.paths.entries()) files.push(await openInside(dir, p, `${where}.paths[${i}]`));
            // sizes before any byte is read: a wrong size never costs its memory
            const got = files.reduce((n, f) => n + f.size, 0);
            if (got !== want) {
              throw new DataError(
                `${where} needs ${want} bytes but ${group.paths.join(', ')} hold ${got} (truncated or mismatched weights)`,
                first,
              );
            }
            for (const [i, f] of files.entries()) {
              const bytes = await readExactly(f.handle, f.size, path.join(dir, String(group.paths[i])));
              buffers.push(bytes.buffer as ArrayBuffer);
            }
          } finally {
            await Promise.all(files.map((f) => f.handle.close()));
          }
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
