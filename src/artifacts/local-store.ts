/**
 * The local-filesystem artifact store (embedded default). An artifact's URI is an absolute
 * folder path; each output gets its own folder keyed by the execution that writes it, so a
 * retried attempt only ever overwrites its own files.
 */
import fs from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { TsfxError } from '../errors.js';

export function outputUri(root: string, pipeline: string, nodeId: string, output: string, executionId: number): string {
  return path.join(root, pipeline, nodeId, output, String(executionId));
}

/** The local folder behind a URI; only local paths and file:// URLs are supported so far. */
export function localPath(uri: string): string {
  if (uri.startsWith('file://')) return fileURLToPath(uri);
  if (path.isAbsolute(uri)) return uri;
  throw new TsfxError(`artifact URI '${uri}' is not on the local filesystem (only local paths are supported)`);
}

/** An empty folder for an attempt to write into: whatever a failed attempt left is removed. */
export async function freshOutputDir(uri: string): Promise<string> {
  const dir = localPath(uri);
  await fs.rm(dir, { recursive: true, force: true });
  await fs.mkdir(dir, { recursive: true });
  return dir;
}

export async function removeOutput(uri: string): Promise<void> {
  await fs.rm(localPath(uri), { recursive: true, force: true });
}

/** Whether an artifact's files are still there (the cache checks, not assumes). */
export async function artifactExists(uri: string): Promise<boolean> {
  try {
    await fs.access(localPath(uri));
    return true;
  } catch {
    return false;
  }
}

/** Where the shards of a fanned-out execution write their partial results. */
export function shardsUri(root: string, pipeline: string, nodeId: string, executionId: number): string {
  return path.join(root, pipeline, nodeId, '_shards', String(executionId));
}

export function shardUri(root: string, pipeline: string, nodeId: string, executionId: number, index: number): string {
  return path.join(shardsUri(root, pipeline, nodeId, executionId), String(index));
}
