/**
 * Writing a new version of a served model so that a server never sees half of one: the files
 * are copied into `{base}/{model}/.push-<token>/` (the server skips '.'-prefixed names), each
 * fsync'd, then the folder is renamed to the next free integer. rename(2) onto an existing
 * non-empty folder fails, so two pushers racing for one number never share it: the loser takes
 * the next. A retried attempt of the same execution finds its earlier version by provenance and
 * reuses it; if two attempts raced past that check, the higher of their versions is removed.
 */
import fs from 'node:fs/promises';
import { hostname } from 'node:os';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import { DataError } from '../errors.js';
import { appendHistory, readHistory } from './history.js';
import {
  checkName,
  MODEL_JSON,
  PROVENANCE_FILE,
  readProvenance,
  versionNumbers,
  WARMUP_DIR,
  WARMUP_FILE,
  versionProblem,
  type Provenance,
} from './version-folder.js';

const STAGING_PREFIX = '.push-';
/** a staging folder left by a writer on another machine is removed only after this long */
const FOREIGN_STALE_MS = 24 * 3600_000;
const host = () => hostname().replace(/[^A-Za-z0-9]/g, '_');

export interface WriteVersionArgs {
  base: string;
  servingModel: string;
  /** the Model artifact's folder */
  modelDir: string;
  /** a JSON array of REST :predict bodies, stored as assets.extra/warmup_requests.json */
  warmupFile?: string;
  provenance: Provenance;
  signal?: AbortSignal;
}

export interface WrittenVersion {
  version: number;
  destination: string;
  /** an earlier attempt of the same execution had pushed it already */
  reused: boolean;
}

async function fsyncPath(p: string): Promise<void> {
  const fh = await fs.open(p, 'r');
  try {
    await fh.sync();
  } finally {
    await fh.close();
  }
}

/** Copy a tree file by file, each fsync'd, then its folders; symlinks are refused (they could point out). */
async function copyTree(from: string, to: string, signal?: AbortSignal): Promise<void> {
  await fs.mkdir(to, { recursive: true });
  const entries = await fs.readdir(from, { withFileTypes: true });
  // model.json last, as fs-model-io writes it: a reader of a half tree (none should exist) sees no model
  entries.sort((a, b) => Number(a.name === MODEL_JSON) - Number(b.name === MODEL_JSON) || a.name.localeCompare(b.name));
  for (const e of entries) {
    signal?.throwIfAborted();
    const src = path.join(from, e.name);
    const dst = path.join(to, e.name);
    if (e.isDirectory()) await copyTree(src, dst, signal);
    else if (e.isFile()) {
      await fs.copyFile(src, dst);
      await fsyncPath(dst);
    } else throw new DataError('is not a regular file or folder; a Model folder holds only those', src);
  }
  await fsyncPath(to);
}

/**
 * The version an earlier attempt of this execution pushed, the lowest if several. The Model's
 * URI is compared too: it holds the metadata store's id, so two stores pushing into one base
 * (whose execution ids overlap) never take each other's versions.
 */
export function versionOfExecution(
  modelDir: string,
  p: Pick<Provenance, 'pipeline' | 'nodeId' | 'execution' | 'source'>,
): number | undefined {
  if (p.execution === null) return undefined;
  return versionNumbers(modelDir).find((v) => {
    const q = readProvenance(path.join(modelDir, String(v)));
    return (
      q && q.execution === p.execution && q.pipeline === p.pipeline && q.nodeId === p.nodeId && q.source === p.source
    );
  });
}

function pidAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Remove staging folders whose writer is gone (this host, pid dead) or that are a day old. */
export async function sweepStaging(modelDir: string): Promise<string[]> {
  const removed: string[] = [];
  for (const name of await fs.readdir(modelDir).catch(() => [] as string[])) {
    if (!name.startsWith(STAGING_PREFIX)) continue;
    const m = /^\.push-(.+)-(\d+)-[0-9a-f]+$/.exec(name);
    const dir = path.join(modelDir, name);
    const st = await fs.stat(dir).catch(() => undefined);
    if (!st) continue;
    const dead = m && m[1] === host() && !pidAlive(Number(m[2]));
    if (dead || Date.now() - st.mtimeMs > FOREIGN_STALE_MS) {
      await fs.rm(dir, { recursive: true, force: true });
      removed.push(name);
    }
  }
  return removed;
}

/** Write the Model's files as a new version (or find the one this execution wrote before). */
export async function writeVersion(args: WriteVersionArgs): Promise<WrittenVersion> {
  const { base, provenance: prov } = args;
  const servingModel = checkName(args.servingModel, 'servingModel', ['params', 'servingModel']);
  const modelDir = path.join(base, servingModel);
  const earlier = versionOfExecution(modelDir, prov);
  if (earlier !== undefined) return finish(args, earlier, true);
  // a Model folder the server could not load must not become a version at all
  const problem = versionProblem(args.modelDir);
  if (problem) throw new DataError(`not a servable model: ${problem}`, args.modelDir);
  await fs.mkdir(modelDir, { recursive: true });
  await sweepStaging(modelDir);

  const staging = path.join(modelDir, `${STAGING_PREFIX}${host()}-${process.pid}-${randomBytes(6).toString('hex')}`);
  try {
    await copyTree(args.modelDir, staging, args.signal);
    const assets = path.join(staging, WARMUP_DIR);
    await fs.mkdir(assets, { recursive: true });
    if (args.warmupFile) {
      await fs.copyFile(args.warmupFile, path.join(assets, WARMUP_FILE));
      await fsyncPath(path.join(assets, WARMUP_FILE));
    }
    await fsyncPath(assets);
    await fs.writeFile(path.join(staging, PROVENANCE_FILE), JSON.stringify(prov, null, 1) + '\n');
    await fsyncPath(path.join(staging, PROVENANCE_FILE));
    await fsyncPath(staging);
    const copied = versionProblem(staging);
    if (copied) throw new DataError(`the copy is not a servable model: ${copied}`, staging);
    const version = await renameToNextVersion(staging, modelDir);
    await fsyncPath(modelDir);
    // two attempts of one execution raced past the check above: the lower version stands
    const first = versionOfExecution(modelDir, prov);
    if (first !== undefined && first !== version) {
      const loser = path.join(modelDir, `${STAGING_PREFIX}dup-${version}-${randomBytes(4).toString('hex')}`);
      await fs.rename(path.join(modelDir, String(version)), loser);
      await fs.rm(loser, { recursive: true, force: true });
      return finish(args, first, true);
    }
    return finish(args, version, false);
  } catch (err) {
    await fs.rm(staging, { recursive: true, force: true });
    throw err;
  }
}

async function renameToNextVersion(staging: string, modelDir: string): Promise<number> {
  for (let tries = 0; ; tries++) {
    const next = (versionNumbers(modelDir).at(-1) ?? 0) + 1;
    try {
      await fs.rename(staging, path.join(modelDir, String(next)));
      return next;
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      // another pusher took the number between our listing and the rename
      if ((code === 'ENOTEMPTY' || code === 'EEXIST') && tries < 1000) continue;
      throw err;
    }
  }
}

/**
 * Record the push in history.jsonl. A reused version was recorded by the attempt that wrote it,
 * unless that attempt died between its rename and this append: then this one records it.
 */
function finish(args: WriteVersionArgs, version: number, reused: boolean): WrittenVersion {
  const { base, provenance: p } = args;
  const recorded = () =>
    readHistory(base, args.servingModel).events.some(
      (e) => e.action === 'push' && e.version === version && e.execution === (p.execution ?? undefined),
    );
  if (!reused || !recorded())
    appendHistory(base, args.servingModel, {
      action: 'push',
      version,
      forced: p.forced,
      model: p.model,
      at: p.pushedAt,
      who: p.pushedBy,
      ...(p.reason ? { reason: p.reason } : {}),
      ...(p.pipeline ? { pipeline: p.pipeline } : {}),
      ...(p.runId ? { runId: p.runId } : {}),
      ...(p.execution !== null ? { execution: p.execution } : {}),
    });
  return { version, destination: path.join(base, args.servingModel, String(version)), reused };
}
