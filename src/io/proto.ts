/**
 * The TensorFlow / TFMD message types, loaded once from the .proto files in schemas/proto
 * (imports resolve inside that folder), and a decode that names the file at fault.
 */
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import protobuf from 'protobufjs';
import { DataError } from '../errors.js';

const protoDir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../schemas/proto');
const roots = new Map<string, protobuf.Root>();

/**
 * The root holding `file` and everything it imports, loaded once; imports are paths from
 * schemas/proto (TF's own layout, e.g. 'tensorflow_serving/apis/predict.proto').
 */
export function protoRoot(file: string): protobuf.Root {
  let root = roots.get(file);
  if (!root) {
    root = new protobuf.Root();
    root.resolvePath = (_origin, target) => (path.isAbsolute(target) ? target : path.join(protoDir, target));
    root.loadSync(file);
    root.resolveAll();
    roots.set(file, root);
  }
  return root;
}

/** A message type, e.g. protoType('schema.proto', 'tensorflow.metadata.v0.Schema'). */
export function protoType(file: string, name: string): protobuf.Type {
  return protoRoot(file).lookupType(name);
}

/** Decode bytes as `type`; bytes that aren't one are a DataError naming the file. */
export function decodeMessage(type: protobuf.Type, bytes: Uint8Array, file?: string, what = type.name): protobuf.Message {
  try {
    return type.decode(bytes);
  } catch (err) {
    throw new DataError(`not a ${what}: ${(err as Error).message}`, file);
  }
}
